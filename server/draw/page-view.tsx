import type { Child } from 'hono/jsx';
import type { Ctx } from '../http/context.js';
import { JsonData } from '../http/layout.js';
import type { MessageKey, Translate } from '../i18n/catalogue.js';
import { drawMessages } from '../i18n/messages/draw.js';
import { formatDateTime } from '../time.js';
import { DRAW_ALGORITHM } from './algorithm.js';
import { allocationRows, codeAnswer, decidedTies, sortedStrata, type CodeAnswer } from './explain.js';
import type { DrawRecord } from './record.js';

type Props = { c: Ctx; rec: DrawRecord };

export function DrawPage({ c, rec, title, code }: Props & { title: string; code: string }) {
  const t = c.get('t');
  const drawn = rec.sample !== null;
  return (
    <article class="draw-page">
      <h1>{t('draw.title', { year: rec.year })}</h1>
      <p class="lead">{title}</p>
      <p>{t('draw.intro', { year: rec.year })}</p>
      <Timeline c={c} rec={rec} />
      <PoolSection c={c} rec={rec} />
      <CodeLookup c={c} rec={rec} code={code} />
      {drawn && <AllocationSection c={c} rec={rec} />}
      {drawn && <SampleSection c={c} rec={rec} />}
      {drawn && <ReplacementSection c={c} rec={rec} />}
      <VerifySection c={c} rec={rec} />
    </article>
  );
}

function stratumLabel(t: Translate, rec: DrawRecord, stratum: string): string {
  return rec.stratify ? stratum : t('draw.unstratified');
}

function When({ c, iso }: { c: Ctx; iso: string }) {
  return <time datetime={iso}>{formatDateTime(iso, c.get('config').timeZone)}</time>;
}

function Timeline({ c, rec }: Props) {
  const t = c.get('t');
  const pool = rec.pool.length;
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">{t('draw.timeline')}</h2>
      <ol class="draw-timeline">
        <li class="done">
          <h3>{t('draw.step.frozen')}</h3>
          <p class="when">
            <When c={c} iso={rec.frozenAt} />
          </p>
          <p>{t('draw.step.frozenText', { pool })}</p>
        </li>
        <li class={rec.publicRandom !== null ? 'done' : 'pending'}>
          <h3>{t('draw.step.random')}</h3>
          {rec.publicRandom !== null ? (
            <>
              <p>{t('draw.step.randomText')}</p>
              <p>
                <code class="wrap random-value">{rec.publicRandom}</code>
              </p>
              <p>{rec.publicRandomSource ? t('draw.step.randomSource', { source: rec.publicRandomSource }) : t('draw.step.randomNoSource')}</p>
            </>
          ) : (
            <p class="pending-note">{t('draw.step.randomPending')}</p>
          )}
        </li>
        <li class={rec.drawnAt ? 'done' : 'pending'}>
          <h3>{t('draw.step.drawn')}</h3>
          {rec.drawnAt && rec.seed ? (
            <>
              <p class="when">
                <When c={c} iso={rec.drawnAt} />
              </p>
              <p>{t('draw.step.drawnText', { pool, drawn: rec.sample?.length ?? 0 })}</p>
              <p>
                {t('draw.seed')}: <code class="hash">{rec.seed}</code>
              </p>
              {rec.replacements.length > 0 && <p>{t('draw.step.replacedText', { n: rec.replacements.length })}</p>}
            </>
          ) : (
            <p>{t('draw.step.drawnPending')}</p>
          )}
        </li>
      </ol>
    </section>
  );
}

function PoolSection({ c, rec }: Props) {
  const t = c.get('t');
  return (
    <section aria-labelledby="pool">
      <h2 id="pool">{t('draw.pool.heading')}</h2>
      <div class="hash-box">
        <p class="hash-label">{t('draw.pool.hashLabel')}</p>
        <p>
          <code class="hash" id="pool-hash">
            {rec.poolHash}
          </code>
        </p>
      </div>
      <p>{t('draw.pool.text')}</p>
      <div class="table-wrap">
        <table>
          <caption>{t('draw.pool.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('draw.stratum')}</th>
              <th scope="col" class="num">
                {t('draw.inPool')}
              </th>
            </tr>
          </thead>
          <tbody>
            {sortedStrata(rec).map((s) => (
              <tr>
                <th scope="row">{stratumLabel(t, rec, s)}</th>
                <td class="num">{rec.strata[s]}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('common.total')}</th>
              <td class="num">{rec.pool.length}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

function AllocationSection({ c, rec }: Props) {
  const t = c.get('t');
  const rows = allocationRows(rec);
  const everyone = rec.sampleSize >= rec.pool.length;
  const dash = (v: string | number) => (everyone ? '—' : v);
  return (
    <section aria-labelledby="allocation">
      <h2 id="allocation">{t('draw.alloc.heading')}</h2>
      <p>{t('draw.alloc.text', { n: rec.sampleSize, pool: rec.pool.length })}</p>
      {everyone && <p class="notice">{t('draw.alloc.everyone')}</p>}
      {/* Wider than a phone: it scrolls in its own box, which keyboard users can reach. */}
      {/* biome-ignore lint/a11y/useSemanticElements: a scrolling box inside the section it belongs to, not a section */}
      <div class="table-wrap" tabindex={0} role="region" aria-labelledby="allocation">
        <table class="allocation">
          <thead>
            <tr>
              <th scope="col">{t('draw.stratum')}</th>
              <th scope="col" class="num">
                {t('draw.alloc.pool')}
              </th>
              <th scope="col" class="num">
                {t('draw.alloc.quota')}
              </th>
              <th scope="col" class="num">
                {t('draw.alloc.floor')}
              </th>
              <th scope="col" class="num">
                {t('draw.alloc.remainder')}
              </th>
              <th scope="col">{t('draw.alloc.extra')}</th>
              <th scope="col" class="num">
                {t('draw.alloc.seats')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <th scope="row">{stratumLabel(t, rec, r.stratum)}</th>
                <td class="num">{r.pool}</td>
                <td class="num">{dash(r.quota)}</td>
                <td class="num">{dash(r.floor)}</td>
                <td class="num">{dash(r.remainder.toString())}</td>
                <td>{dash(r.extra ? `+1 ${t('common.yes')}` : t('common.no'))}</td>
                <td class="num">
                  <strong>{r.seats}</strong>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('common.total')}</th>
              <td class="num">{rec.pool.length}</td>
              <td class="num">{dash(`${rec.sampleSize}.00`)}</td>
              <td class="num">{dash(rows.reduce((s, r) => s + r.floor, 0))}</td>
              <td></td>
              <td>{dash(`+${rows.filter((r) => r.extra).length}`)}</td>
              <td class="num">
                <strong>{rows.reduce((s, r) => s + r.seats, 0)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      {!everyone &&
        rec.seed &&
        decidedTies(rows).map((group) => <p class="hint">{t('draw.alloc.tie', { strata: group.join(' / '), seed: rec.seed as string })}</p>)}
    </section>
  );
}

function SampleSection({ c, rec }: Props) {
  const t = c.get('t');
  const stratumOf = new Map(rec.pool.map((p) => [p.code, p.stratum]));
  const out = new Set(rec.replacements.map((r) => r.out));
  const seated = new Set(rec.replacements.map((r) => r.in));
  const Codes = ({ codes }: { codes: string[] }) => (
    <ol class="codes">
      {codes.map((code) => (
        <li>
          <code>{code}</code>
          {out.has(code) && <span class="mark"> {t('draw.sample.replacedMark')}</span>}
          {seated.has(code) && <span class="mark"> {t('draw.sample.seatedMark')}</span>}
        </li>
      ))}
    </ol>
  );
  return (
    <section aria-labelledby="sample">
      <h2 id="sample">{t('draw.sample.heading')}</h2>
      <p>{t('draw.sample.text')}</p>
      {sortedStrata(rec).map((stratum) => {
        const drawn = (rec.sample ?? []).filter((code) => stratumOf.get(code) === stratum);
        const reserves = rec.reserves?.[stratum] ?? [];
        return (
          <details class="stratum">
            <summary>{t('draw.sample.summary', { stratum: stratumLabel(t, rec, stratum), drawn: drawn.length, reserves: reserves.length })}</summary>
            <h3>{t('draw.sample.drawn')}</h3>
            <Codes codes={drawn} />
            {reserves.length > 0 && (
              <>
                <h3>{t('draw.sample.reserves')}</h3>
                <Codes codes={reserves} />
              </>
            )}
          </details>
        );
      })}
    </section>
  );
}

function ReplacementSection({ c, rec }: Props) {
  const t = c.get('t');
  return (
    <section aria-labelledby="replacements">
      <h2 id="replacements">{t('draw.repl.heading')}</h2>
      {rec.replacements.length === 0 ? (
        <p>{t('draw.repl.none')}</p>
      ) : (
        <div class="table-wrap">
          <table class="replacements">
            <thead>
              <tr>
                <th scope="col" class="num">
                  #
                </th>
                <th scope="col">{t('draw.repl.out')}</th>
                <th scope="col">{t('draw.repl.in')}</th>
                <th scope="col">{t('draw.repl.reason')}</th>
                <th scope="col">{t('draw.repl.date')}</th>
              </tr>
            </thead>
            <tbody>
              {rec.replacements.map((r, i) => (
                <tr>
                  <td class="num">{i + 1}</td>
                  <td>
                    <code>{r.out}</code>
                  </td>
                  <td>
                    <code>{r.in}</code>
                  </td>
                  <td>{r.reason}</td>
                  <td class="date">{r.date}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function CodeLookup({ c, rec, code }: Props & { code: string }) {
  const t = c.get('t');
  return (
    <section aria-labelledby="check" class="code-lookup">
      <h2 id="check">{t('draw.code.heading')}</h2>
      <form method="get" action={`/draw/${rec.year}#check`} class="row">
        <label for="code">{t('draw.code.label')}</label>
        <input id="code" name="code" value={code} autocomplete="off" autocapitalize="off" spellcheck={false} maxlength={64} />
        <button type="submit" class="primary">
          {t('common.search')}
        </button>
      </form>
      {code !== '' && <Answer c={c} rec={rec} a={codeAnswer(rec, code)} />}
    </section>
  );
}

function Answer({ c, rec, a }: Props & { a: CodeAnswer }) {
  const t = c.get('t');
  const label = (s: string) => stratumLabel(t, rec, s);
  const lines: Child[] = [];
  if (a.kind === 'notInPool') {
    lines.push(t('draw.code.notInPool', { code: a.code, year: rec.year }));
    if (a.suggestion)
      lines.push(<a href={`/draw/${rec.year}?code=${encodeURIComponent(a.suggestion)}#check`}>{t('draw.code.didYouMean', { code: a.suggestion })}</a>);
  } else if (a.kind === 'pending') {
    lines.push(t('draw.code.pending', { code: a.code, year: rec.year, stratum: label(a.stratum) }));
  } else if (a.kind === 'drawn') {
    lines.push(t('draw.code.drawn', { code: a.code, stratum: label(a.stratum), n: a.n }));
  } else {
    lines.push(t('draw.code.reserve', { code: a.code, stratum: label(a.stratum), n: a.n }));
    if (a.tookSeat) lines.push(t('draw.code.tookSeat', { date: a.tookSeat.date, out: a.tookSeat.out, reason: a.tookSeat.reason }));
    else lines.push(t('draw.code.reservesUsed', { used: a.used }));
  }
  if ((a.kind === 'drawn' || a.kind === 'reserve') && a.replacedBy) {
    lines.push(t('draw.code.replaced', { date: a.replacedBy.date, in: a.replacedBy.in, reason: a.replacedBy.reason }));
  }
  return (
    <div id="code-answer" class={`code-answer ${a.kind}`} role="status">
      {lines.map((l) => (
        <p>{l}</p>
      ))}
    </div>
  );
}

function VerifySection({ c, rec }: Props) {
  const t = c.get('t');
  const json = `/draw/${rec.year}.json`;
  const steps: MessageKey[] = ['draw.verify.step1', 'draw.verify.step2', 'draw.verify.step3', 'draw.verify.step4', 'draw.verify.step5'];
  // The browser check's own words, in the page's language; type=application/json is data, not script.
  const words = Object.fromEntries(
    (Object.keys(drawMessages) as MessageKey[]).filter((k) => k.startsWith('draw.js.')).map((k) => [k.slice('draw.js.'.length), t(k)]),
  );
  return (
    <section aria-labelledby="verify">
      <h2 id="verify">{t('draw.verify.heading')}</h2>
      <p>{t('draw.verify.algorithm', { name: DRAW_ALGORITHM })}</p>
      <ol>
        {steps.map((k) => (
          <li>{t(k)}</li>
        ))}
      </ol>
      <p>
        <a class="button" href={json} download={`draw-${rec.year}.json`}>
          {t('draw.verify.json')}
        </a>
      </p>
      <p>{t('draw.verify.cli')}</p>
      <pre class="command">
        <code>{`npm run cli -- verify-draw draw-${rec.year}.json`}</code>
      </pre>
      <div class="draw-check">
        <p>{t('draw.verify.browser')}</p>
        <button
          type="button"
          id="draw-check"
          class="primary"
          hidden
          data-json-url={json}
          data-seedrandom-url={c.get('assets').url('vendor/seedrandom.js')}
          data-pool-hash={rec.poolHash}
        >
          {rec.seed ? t('draw.verify.button') : t('draw.verify.buttonFrozen')}
        </button>
        <p id="draw-check-nojs" class="hint">
          {t('draw.verify.nojs')}
        </p>
        <p id="draw-check-step" class="hint" hidden></p>
        <progress id="draw-check-progress" max={100} value={0} hidden></progress>
        <div id="draw-check-result" class="verdict" role="status" aria-live="polite"></div>
      </div>
      <JsonData id="draw-i18n" data={words} />
    </section>
  );
}
