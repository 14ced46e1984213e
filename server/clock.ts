/** The only way app code learns the time, so tests can set it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved; for tests and scripted demos. */
export function fixedClock(start: Date | string): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let t = new Date(start);
  return {
    now: () => new Date(t),
    set: (v) => {
      t = new Date(v);
    },
    advance: (ms) => {
      t = new Date(t.getTime() + ms);
    },
  };
}
