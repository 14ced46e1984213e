/** Times are stored as ISO-8601 UTC text; people see them in the city's time zone (config.timeZone). */

// Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(d: Date, timeZone: string) {
  const list = formatter(timeZone).formatToParts(d);
  const get = (type: string) => list.find((p) => p.type === type)?.value ?? '';
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** `YYYY-MM-DD HH:mm` in the given zone. */
export function formatDateTime(iso: string | Date, timeZone: string): string {
  const p = parts(new Date(iso), timeZone);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}`;
}

let lastDate = { minute: -1, timeZone: '', value: '' };

/** `YYYY-MM-DD` in the given zone: the only time kept about a cast ballot's link. (Remembered for a minute.) */
export function dateInZone(d: Date, timeZone: string): string {
  const minute = Math.floor(d.getTime() / 60_000);
  if (lastDate.minute === minute && lastDate.timeZone === timeZone) return lastDate.value;
  const p = parts(d, timeZone);
  lastDate = { minute, timeZone, value: `${p.y}-${p.mo}-${p.d}` };
  return lastDate.value;
}

/** The zone's UTC offset at an instant, as `+08:00`. */
export function offsetAt(d: Date, timeZone: string): string {
  const p = parts(d, timeZone);
  const asUtc = Date.UTC(Number(p.y), Number(p.mo) - 1, Number(p.d), Number(p.h), Number(p.mi), Number(p.s));
  const minutes = Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A wall-clock time in the zone as ISO-8601 with that zone's offset, e.g. `2026-12-01T00:00:00+08:00`. */
export function zonedIso(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): string {
  const wall = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;
  // The offset at the wall time equals the offset at (wall time − offset) except across a DST jump.
  const guess = new Date(`${wall}Z`);
  const offset = offsetAt(new Date(guess.getTime() - offsetMinutes(offsetAt(guess, timeZone)) * 60000), timeZone);
  return `${wall}${offset}`;
}

function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** ISO-8601 with a date, a time and an explicit offset (or Z); anything else is refused. */
export function isZonedIso(v: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v));
}
