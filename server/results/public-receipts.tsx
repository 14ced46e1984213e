// `/results/{year}/receipts`: every receipt code counted (docs/SPEC.md, Anonymity and trust), and a lookup that works without JavaScript.
// The lookup is a POST: a receipt in an address would reach a proxy's access log beside the same client's earlier
// POST /s/{token}, tying the ballot to its voter.
import type { Ctx } from '../http/context.js';
import type { ResultsDocument } from './snapshot.js';

export function ReceiptsPage({ c, doc, latest, asked }: { c: Ctx; doc: ResultsDocument; latest: number; asked: string }) {
  const t = c.get('t');
  const q = doc.version === latest ? '' : `?version=${doc.version}`;
  const found = asked ? doc.receipts.includes(asked) : undefined;
  return (
    <article class="receipts-page">
      <h1>{t('public.receipts.title', { year: doc.year })}</h1>
      <p>{t('public.receipts.intro', { n: doc.receipts.length })}</p>
      <form method="post" action={`/results/${doc.year}/receipts${q}`} class="row receipt-lookup">
        <label for="receipt">{t('public.receipts.label')}</label>
        <input id="receipt" name="receipt" value={asked} autocomplete="off" autocapitalize="characters" spellcheck={false} maxlength={32} />
        <button type="submit" class="primary">
          {t('public.receipts.check')}
        </button>
      </form>
      {found === true && (
        <p class="notice" role="status">
          <span aria-hidden="true">✓ </span>
          {t('public.receipts.found', { receipt: asked })}
        </p>
      )}
      {found === false && (
        <p class="warning" role="status">
          {t('public.receipts.missing', { receipt: asked })}
        </p>
      )}
      <p>
        <a href={`/results/${doc.year}${q}`}>{t('public.receipts.back', { year: doc.year })}</a>
      </p>
      <h2>{t('public.receipts.all')}</h2>
      <ul class="receipt-list">
        {doc.receipts.map((r) => (
          <li>
            <code>{r}</code>
          </li>
        ))}
      </ul>
    </article>
  );
}
