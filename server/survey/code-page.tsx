import { Hono } from 'hono';
import type { AppEnv, Ctx } from '../http/context.js';
import { page } from '../http/layout.js';
import { normaliseCode } from '../links/codes.js';

/**
 * `/k`, the short address printed on letters and sent by SMS: one large box to type a 测评码 in. A plain GET form,
 * so it works without JavaScript (and in WeChat's browser): `/k?code=…` answers with the code's own address
 * `/k/{code}`, in canonical form, where the form is. A code that cannot be one is shown again with what is wrong,
 * without asking the database.
 */
export const codeEntryRoutes = new Hono<AppEnv>().get('/k', (c) => {
  const typed = c.req.query('code');
  if (typed === undefined || typed.trim() === '') return entryPage(c);
  const code = normaliseCode(typed);
  if (code) return c.redirect(`/k/${code}`, 303);
  return entryPage(c, typed);
});

function entryPage(c: Ctx, refused?: string) {
  const t = c.get('t');
  return page(
    c,
    { title: t('codes.entry.title'), status: refused === undefined ? 200 : 422, path: '/k' },
    <section class="narrow code-entry">
      <h1>{t('codes.entry.title')}</h1>
      <p class="lead">{t('codes.entry.lead')}</p>
      <form method="get" action="/k" class="stack">
        <label for="code">{t('codes.entry.label')}</label>
        {refused !== undefined && (
          <p class="field-error" id="code-error" role="alert">
            {t('codes.entry.malformed')}
          </p>
        )}
        <input
          id="code"
          name="code"
          class="code-input"
          value={refused ?? ''}
          autocomplete="off"
          autocapitalize="characters"
          autocorrect="off"
          spellcheck={false}
          maxlength={40}
          placeholder="XXXX-XXXX-XXXX-XXXX"
          aria-invalid={refused !== undefined ? 'true' : undefined}
          aria-describedby={refused !== undefined ? 'code-error' : undefined}
          required
        />
        <button type="submit" class="primary">
          {t('codes.entry.submit')}
        </button>
      </form>
    </section>,
  );
}
