import type { Child } from 'hono/jsx';
import type { Ctx } from '../http/context.js';
import { page, type PageOptions } from '../http/layout.js';

/** The hidden CSRF field every console form carries. */
export function CsrfField(props: { c: Ctx }) {
  return <input type="hidden" name="_csrf" value={props.c.get('admin')?.csrfToken ?? ''} />;
}

function ConsoleNav(props: { c: Ctx }) {
  const { c } = props;
  const t = c.get('t');
  const path = c.req.path;
  const items: [string, Parameters<typeof t>[0]][] = [
    ['/admin', 'admin.nav.dashboard'],
    ['/admin/units', 'admin.nav.units'],
    ['/admin/pool', 'admin.nav.pool'],
    ['/admin/rounds', 'admin.nav.rounds'],
    ['/admin/audit', 'admin.nav.audit'],
  ];
  return (
    <nav class="site-nav console-nav" aria-label={t('admin.console')}>
      {items.map(([href, key]) => (
        <a href={href} aria-current={(href === '/admin' ? path === href : path.startsWith(href)) ? 'page' : undefined}>
          {t(key)}
        </a>
      ))}
      <form method="post" action="/admin/logout" class="inline">
        <CsrfField c={c} />
        <button type="submit" class="link-button">
          {t('admin.nav.logout')}
        </button>
      </form>
    </nav>
  );
}

/** A console page: the shared layout with console navigation, never cached, never indexed. */
export function consolePage(c: Ctx, opts: Omit<PageOptions, 'console'>, body: Child) {
  return page(c, { ...opts, console: <ConsoleNav c={c} /> }, body);
}

/** A list of problems at the top of a form, announced to screen readers. */
export function ProblemList(props: { c: Ctx; problems: string[] }) {
  if (!props.problems.length) return <></>;
  return (
    <div class="problems" role="alert" tabindex={-1} id="problems">
      <p>{props.c.get('t')('common.problems')}</p>
      <ul>
        {props.problems.map((p) => (
          <li>{p}</li>
        ))}
      </ul>
    </div>
  );
}

/** A one-line notice after a successful action (carried by `?done=`). */
export function Notice(props: { text: string | undefined }) {
  return props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : (
    <></>
  );
}
