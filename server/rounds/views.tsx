import { CsrfField, DataTable, type Column } from '../admin/console-view.js';
import type { Ctx } from '../http/context.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { formatDateTime } from '../time.js';
import type { Problem } from '../validate.js';
import type { Round, StratumTurnout } from './rounds.js';
import { defaultDesign, designText, type DesignInput } from './design.js';
import type { RoundSettings } from './settings.js';

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '—');

/** The settings form: for creating a round, or editing a draft one (disabled once frozen). */
export function SettingsForm(props: {
  c: Ctx;
  action: string;
  values: Partial<RoundSettings> & { yearText?: string };
  /** The design's fields as typed, when a refused form is shown again; else the design of `values`. */
  design?: DesignInput;
  problems?: Problem[];
  locked?: boolean;
  creating?: boolean;
}) {
  const { c, values: v } = props;
  const t = c.get('t');
  const bad = (f: string) => (props.problems?.some((p) => p.field === f) ? 'true' : undefined);
  const dis = props.locked || undefined;
  const stored = designText(v.design ?? defaultDesign());
  const d = { ...stored, ...Object.fromEntries(Object.entries(props.design ?? {}).filter(([, x]) => x !== undefined)) };
  return (
    <form method="post" action={props.action} class="stack">
      <CsrfField c={c} />
      {props.creating && (
        <>
          <label for="year">{t('rounds.year')}</label>
          <input id="year" name="year" inputmode="numeric" required maxlength={4} value={v.yearText ?? String(v.year ?? '')} aria-invalid={bad('year')} />
        </>
      )}
      <label for="title">{t('rounds.titleField')}</label>
      <input id="title" name="title" maxlength={200} value={v.title ?? ''} disabled={dis} aria-invalid={bad('title')} />
      <label for="sample">{t('rounds.sampleSize')}</label>
      <input id="sample" name="sample" inputmode="numeric" value={String(v.sampleSize ?? 1000)} disabled={dis} aria-invalid={bad('sample')} />
      <label for="scale">{t('rounds.scale')}</label>
      <select id="scale" name="scale" disabled={dis}>
        {(['satisfaction4', 'score100'] as const).map((s) => (
          <option value={s} selected={(v.scale ?? 'satisfaction4') === s}>
            {t(`rounds.scale.${s}`)}
          </option>
        ))}
      </select>
      <label for="points">{t('rounds.points')}</label>
      <input id="points" name="points" value={(v.points ?? [100, 70, 30]).join(',')} disabled={dis} aria-invalid={bad('points')} />
      <label class="check">
        <input type="checkbox" name="stratify" value="1" checked={v.stratify !== false} disabled={dis} /> {t('rounds.stratify')}
      </label>
      <input type="hidden" name="stratifyShown" value="1" />
      <label for="bottomScope">{t('rounds.bottomScope')}</label>
      <select id="bottomScope" name="bottomScope" disabled={dis}>
        {(['overall', 'category'] as const).map((s) => (
          <option value={s} selected={(v.bottomScope ?? 'overall') === s}>
            {t(`rounds.bottomScope.${s}`)}
          </option>
        ))}
      </select>
      <label for="minValid">{t('rounds.minValid')}</label>
      <input id="minValid" name="minValid" inputmode="numeric" value={String(v.minValid ?? 30)} disabled={dis} aria-invalid={bad('minValid')} />
      <label for="opens">{t('rounds.opensAt')}</label>
      <p class="hint">{t('rounds.isoHint')}</p>
      <input id="opens" name="opens" value={v.opensAt ?? ''} disabled={dis} aria-invalid={bad('opens')} />
      <label for="closes">{t('rounds.closesAt')}</label>
      <input id="closes" name="closes" value={v.closesAt ?? ''} disabled={dis} aria-invalid={bad('closes')} />
      <fieldset class="design">
        <legend>{t('rounds.design')}</legend>
        <p class="hint">{t('rounds.designHelp')}</p>
        <label for="indicators">{t('rounds.indicators')}</label>
        <p class="hint">{t('rounds.indicatorsHint')}</p>
        <textarea id="indicators" name="indicators" rows={5} disabled={dis} aria-invalid={bad('indicators')}>
          {d.indicators}
        </textarea>
        <label for="indicatorWeights">{t('rounds.indicatorWeights')}</label>
        <input id="indicatorWeights" name="indicatorWeights" value={d.indicatorWeights} disabled={dis} aria-invalid={bad('indicatorWeights')} />
        <label for="strataWeights">{t('rounds.strataWeights')}</label>
        <p class="hint">{t('rounds.strataWeightsHint')}</p>
        <textarea id="strataWeights" name="strataWeights" rows={4} disabled={dis} aria-invalid={bad('strataWeights')}>
          {d.strataWeights}
        </textarea>
        <label for="reasons">{t('rounds.reasons')}</label>
        <textarea id="reasons" name="reasons" rows={4} disabled={dis} aria-invalid={bad('reasons')}>
          {d.reasons}
        </textarea>
      </fieldset>
      {!props.locked && (
        <button type="submit" class="primary">
          {props.creating ? t('rounds.create') : t('common.save')}
        </button>
      )}
    </form>
  );
}

/** One action of the lifecycle as a small form; irreversible ones ask for a ticked confirmation. */
export function ActionForm(props: { c: Ctx; action: string; label: MessageKey; help?: MessageKey; confirm?: boolean; danger?: boolean; children?: unknown }) {
  const t = props.c.get('t');
  return (
    <form method="post" action={props.action} class="stack action">
      <CsrfField c={props.c} />
      {props.help && <p class="hint">{t(props.help)}</p>}
      {props.children as never}
      {props.confirm && (
        <label class="check">
          <input type="checkbox" name="confirm" value="1" required /> {t('rounds.confirm')}
        </label>
      )}
      <button type="submit" class={props.danger ? 'danger' : 'primary'}>
        {t(props.label)}
      </button>
    </form>
  );
}

export function Timeline(props: { c: Ctx; round: Round }) {
  const { c, round: r } = props;
  const t = c.get('t');
  const tz = c.get('config').timeZone;
  const at = (v: string | null) => (v ? formatDateTime(v, tz) : '—');
  return (
    <dl class="timeline">
      <dt>{t('rounds.status')}</dt>
      <dd>
        <strong>{t(`rounds.status.${r.status}`)}</strong>
      </dd>
      <dt>{t('rounds.opensAt')}</dt>
      <dd>{formatDateTime(r.opens_at, tz)}</dd>
      <dt>{t('rounds.closesAt')}</dt>
      <dd>{formatDateTime(r.closes_at, tz)}</dd>
      <dt>{t('rounds.freeze')}</dt>
      <dd>
        {at(r.frozen_at)}
        {r.pool_hash && (
          <>
            <br />
            <code class="wrap">{r.pool_hash}</code>
          </>
        )}
      </dd>
      <dt>{t('rounds.draw')}</dt>
      <dd>
        {at(r.drawn_at)}
        {r.public_random && (
          <>
            <br />
            {t('rounds.publicRandom')}: <code class="wrap">{r.public_random}</code>
            {r.public_random_source && <> ({r.public_random_source})</>}
          </>
        )}
        {r.seed && (
          <>
            <br />
            seed: <code class="wrap">{r.seed}</code>
          </>
        )}
      </dd>
    </dl>
  );
}

/** Seats, answers and turnout per group (stratum by default, or district), with a total row. */
export function TurnoutTable(props: { c: Ctx; rows: StratumTurnout[]; caption?: MessageKey; head?: MessageKey; missing?: string }) {
  const t = props.c.get('t');
  const seats = props.rows.reduce((n, r) => n + r.seats, 0);
  const answered = props.rows.reduce((n, r) => n + r.answered, 0);
  const columns: Column<StratumTurnout>[] = [
    { head: t(props.head ?? 'pool.stratum'), cell: (r) => r.stratum || props.missing, names: true },
    { head: t('rounds.seats'), cell: (r) => r.seats, num: true },
    { head: t('rounds.answered'), cell: (r) => r.answered, num: true },
    { head: t('rounds.turnoutRate'), cell: (r) => pct(r.answered, r.seats), num: true },
  ];
  return (
    <DataTable
      caption={t(props.caption ?? 'rounds.turnout')}
      columns={columns}
      rows={props.rows}
      total={[t('common.total'), seats, answered, pct(answered, seats)]}
    />
  );
}
