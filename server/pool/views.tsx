import { DataTable } from '../admin/console-view.js';
import type { Ctx } from '../http/context.js';
import type { Composition } from './representatives.js';

/** The unmistakable warning shown wherever the pool is shown while it is too small to draw from. */
export function PoolSizeWarning(props: { c: Ctx; active: number }) {
  const { c, active } = props;
  const min = c.get('config').minPool;
  if (active >= min) return null;
  return (
    <div class="alert" role="alert">
      <strong aria-hidden="true">⚠ </strong>
      {c.get('t')('pool.belowMin', { active, min, missing: min - active })}
    </div>
  );
}

function share(n: number, total: number): string {
  return total ? `${((100 * n) / total).toFixed(1)}%` : '—';
}

/** The pool's make-up by stratum and by district, as accessible tables with bars. */
export function CompositionTables(props: { c: Ctx; comp: Composition }) {
  const { c, comp } = props;
  const t = c.get('t');
  type Row = { label: string; count: number };
  const table = (caption: string, head: string, rows: Row[]) => (
    <DataTable
      class="composition"
      caption={caption}
      columns={[
        { head, cell: (r: Row) => r.label, names: true },
        { head: t('common.count'), cell: (r: Row) => r.count, num: true },
        {
          head: t('pool.share'),
          num: true,
          cell: (r: Row) => (
            <span class="bar" data-share={share(r.count, comp.active)}>
              <meter min={0} max={comp.active || 1} value={r.count}></meter> {share(r.count, comp.active)}
            </span>
          ),
        },
      ]}
      rows={rows}
      total={[t('common.total'), comp.active, comp.active ? '100%' : '—']}
    />
  );
  return (
    <>
      {table(
        t('pool.byStratum'),
        t('pool.stratum'),
        comp.byStratum.map((r) => ({ label: r.stratum, count: r.count })),
      )}
      {table(
        t('pool.byDistrict'),
        t('pool.district'),
        comp.byDistrict.map((r) => ({ label: r.district ?? t('pool.noDistrict'), count: r.count })),
      )}
    </>
  );
}
