import type { Ctx } from '../http/context.js';
import type { Composition } from './representatives.js';

/** The unmistakable warning shown wherever the pool is shown while it is too small to draw from. */
export function PoolSizeWarning(props: { c: Ctx; active: number }) {
  const { c, active } = props;
  const min = c.get('config').minPool;
  if (active >= min) return <></>;
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
  const table = (caption: string, head: string, rows: { label: string; count: number }[]) => (
    <div class="table-wrap">
      <table class="composition">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col" class="num">
              {t('common.count')}
            </th>
            <th scope="col" class="num">
              {t('pool.share')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td class="num">{r.count}</td>
              <td class="num">
                <span class="bar" data-share={share(r.count, comp.active)}>
                  <meter min={0} max={comp.active || 1} value={r.count}></meter> {share(r.count, comp.active)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('common.total')}</th>
            <td class="num">{comp.active}</td>
            <td class="num">{comp.active ? '100%' : '—'}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
  return (
    <>
      {table(t('pool.byStratum'), t('pool.stratum'), comp.byStratum.map((r) => ({ label: r.stratum, count: r.count })))}
      {table(t('pool.byDistrict'), t('pool.district'), comp.byDistrict.map((r) => ({ label: r.district ?? t('pool.noDistrict'), count: r.count })))}
    </>
  );
}
