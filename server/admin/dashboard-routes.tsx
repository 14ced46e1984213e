import { Hono } from 'hono';
import type { AuditLogTable } from '../db/schema.js';
import { auditKey, verifyAudit } from '../audit/log.js';
import type { AppEnv } from '../http/context.js';
import { poolComposition } from '../pool/representatives.js';
import { PoolSizeWarning } from '../pool/views.js';
import { listCategories, listUnits } from '../units/units.js';
import { formatDateTime } from '../time.js';
import { consolePage, DataTable } from './console-view.js';
import { currentAdmin } from './guard.js';

const AUDIT_PAGE = 200;

/** The console's front page and its audit log. */
export const dashboardRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const t = c.get('t');
    const db = c.get('db');
    const comp = await poolComposition(db);
    const units = await listUnits(db, { activeOnly: true });
    const categories = await listCategories(db);
    return consolePage(
      c,
      { title: t('admin.dashboard.title') },
      <>
        <h1>{t('admin.console')}</h1>
        <p>{t('admin.signedInAs', { name: currentAdmin(c).username })}</p>
        <PoolSizeWarning c={c} active={comp.active} />
        <dl class="figures">
          <div>
            <dt>{t('admin.dashboard.units')}</dt>
            <dd>
              <a href="/admin/units">{units.length}</a>
            </dd>
          </div>
          <div>
            <dt>{t('admin.dashboard.categories')}</dt>
            <dd>{categories.length}</dd>
          </div>
          <div>
            <dt>{t('admin.dashboard.pool')}</dt>
            <dd>
              <a href="/admin/pool">{comp.active}</a>
            </dd>
          </div>
          <div>
            <dt>{t('admin.dashboard.strata')}</dt>
            <dd>
              <a href="/admin/pool/composition">{comp.byStratum.length}</a>
            </dd>
          </div>
        </dl>
      </>,
    );
  })
  .get('/audit', async (c) => {
    const t = c.get('t');
    const db = c.get('db');
    const verdict = await verifyAudit(db, auditKey(c.get('config').secret));
    const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(AUDIT_PAGE).execute();
    return consolePage(
      c,
      { title: t('admin.audit.title') },
      <>
        <h1>{t('admin.audit.title')}</h1>
        <p>{t('admin.audit.intro')}</p>
        {verdict.ok ? (
          <p class="notice" role="status">
            ✓ {t('admin.audit.chainOk', { n: verdict.rows })}
          </p>
        ) : (
          <div class="alert" role="alert">
            ⚠ {t('admin.audit.chainBroken', { seq: verdict.seq, problem: verdict.problem })}
          </div>
        )}
        <DataTable
          columns={[
            { head: t('admin.audit.seq'), cell: (r: AuditLogTable) => r.seq, num: true },
            { head: t('admin.audit.at'), cell: (r: AuditLogTable) => <time datetime={r.at}>{formatDateTime(r.at, c.get('config').timeZone)}</time> },
            { head: t('admin.audit.actor'), cell: (r: AuditLogTable) => r.actor },
            { head: t('admin.audit.action'), cell: (r: AuditLogTable) => <code>{r.action}</code> },
            { head: t('admin.audit.detail'), cell: (r: AuditLogTable) => <code class="wrap">{r.detail}</code> },
          ]}
          rows={rows}
        />
      </>,
    );
  });
