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
  // A liaison reaches their unit's page only (guard.ts), so that is all their navigation offers.
  const items: [string, Parameters<typeof t>[0]][] =
    c.get('admin')?.role === 'liaison'
      ? [['/admin/unit', 'admin.nav.unit']]
      : [
          ['/admin', 'admin.nav.dashboard'],
          ['/admin/units', 'admin.nav.units'],
          ['/admin/pool', 'admin.nav.pool'],
          ['/admin/rounds', 'admin.nav.rounds'],
          ['/admin/rectification', 'admin.nav.followup'],
          ['/admin/liaisons', 'admin.nav.liaisons'],
          ['/admin/audit', 'admin.nav.audit'],
        ];
  // A year's or a unit's follow-up lives under its round or unit but belongs to the office's follow-up.
  const section = /\/rectification(\/|$)/.test(path) ? '/admin/rectification' : path;
  return (
    <nav class="site-nav console-nav" aria-label={t('admin.console')}>
      {items.map(([href, key]) => (
        <a href={href} aria-current={(href === '/admin' ? section === href : section === href || section.startsWith(`${href}/`)) ? 'page' : undefined}>
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
  if (!props.problems.length) return null;
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
  ) : null;
}

/** One column of a console table: its heading, and how a row's cell shows. */
export interface Column<R> {
  head: Child;
  cell: (row: R) => Child;
  /** Right-aligned figures. */
  num?: boolean;
  /** The cell that names the row (a `th scope="row"` for screen readers). */
  names?: boolean;
  /** A class for the column's cells (`actions`, say). */
  class?: string;
}

/**
 * A console table: a scrollable frame at 360 px, a caption, a heading per column, one row per item, and an
 * optional total row. Every console list is one of these, so they read, scroll and align alike.
 */
export function DataTable<R>(props: {
  caption?: Child;
  columns: readonly Column<R>[];
  rows: readonly R[];
  total?: readonly Child[];
  class?: string;
  rowClass?: (row: R) => string | undefined;
}) {
  const { columns } = props;
  const classes = (col: Column<R>) => [col.num && 'num', col.class].filter(Boolean).join(' ') || undefined;
  const cell = (col: Column<R>, content: Child) =>
    col.names ? (
      <th scope="row" class={classes(col)}>
        {content}
      </th>
    ) : (
      <td class={classes(col)}>{content}</td>
    );
  return (
    <div class="table-wrap">
      <table class={props.class}>
        {props.caption !== undefined && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {columns.map((col) => (
              <th scope="col" class={col.num ? 'num' : undefined}>
                {col.head}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr class={props.rowClass?.(row)}>{columns.map((col) => cell(col, col.cell(row)))}</tr>
          ))}
        </tbody>
        {props.total && (
          <tfoot>
            <tr>{columns.map((col, i) => cell(i === 0 ? { ...col, names: true } : col, props.total?.[i]))}</tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
