import type { Child } from 'hono/jsx';
import type { Ctx } from './context.js';
import { withQuery } from './middleware.js';

export interface PageOptions {
  title: string;
  /** Extra browser modules (logical asset names under web/), loaded as `type=module`. */
  scripts?: string[];
  /** Marks the page as part of the console: console navigation instead of the public one. */
  console?: Child;
  status?: 200 | 400 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 503;
  /** Where the language and text-size switches lead: the page's own GET address when it answers a POST. */
  path?: string;
  headers?: Record<string, string>;
}

/** The one page shell: header with the language and text-size switches, main content, footer. */
export function Layout(props: { c: Ctx; opts: PageOptions; children?: Child }) {
  const { c, opts } = props;
  const t = c.get('t');
  const assets = c.get('assets');
  const lang = c.get('lang');
  const large = c.get('largeText');
  return (
    <html lang={lang} class={large ? 'large-text' : undefined}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${opts.title} · ${t('site.name')}`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assets.url('css/app.css')} />
        {opts.scripts?.map((s) => (
          <script type="module" src={assets.url(s)}></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">
              {t('site.name')}
            </a>
            <nav class="switches" aria-label={t('lang.switchLabel')}>
              <a href={withQuery(c, 'lang', lang === 'en' ? 'zh-CN' : 'en', opts.path)} lang={lang === 'en' ? 'zh-CN' : 'en'} class="switch">
                {t('lang.switchTo')}
              </a>
              <a href={withQuery(c, 'text', large ? 'normal' : 'large', opts.path)} class="switch">
                {large ? t('text.normal') : t('text.large')}
              </a>
            </nav>
          </div>
          {opts.console ?? (
            <nav class="site-nav" aria-label={t('site.name')}>
              <a href="/">{t('nav.home')}</a>
              <a href="/about">{t('nav.about')}</a>
            </nav>
          )}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <p>{t('footer.openSource')}</p>
        </footer>
      </body>
    </html>
  );
}

/** A full page with the shared layout, as HTML text. */
export async function renderPage(c: Ctx, opts: PageOptions, body: Child): Promise<string> {
  return (
    '<!doctype html>' +
    (await (
      <Layout c={c} opts={opts}>
        {body}
      </Layout>
    ).toString())
  );
}

/** Renders a full page with the shared layout. */
export async function page(c: Ctx, opts: PageOptions, body: Child) {
  return c.html(await renderPage(c, opts, body), opts.status ?? 200, opts.headers);
}

/**
 * Data for a page's browser module: `<script type="application/json">` is not executed (so the CSP's "no inline
 * script" holds), and `<` is escaped so no text in the data can close the element.
 */
export function JsonData(props: { id: string; data: unknown }) {
  return <script type="application/json" id={props.id} dangerouslySetInnerHTML={{ __html: JSON.stringify(props.data).replace(/</g, '\\u003c') }}></script>;
}
