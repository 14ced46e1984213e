import type { Migration } from 'kysely';
import * as m0001 from './0001-foundation.js';
import * as m0002 from './0002-rounds.js';
import * as m0003 from './0003-ballots.js';
import * as m0004 from './0004-results.js';
import * as m0005 from './0005-ballot-ids.js';
import * as m0006 from './0006-login-attempts.js';
import * as m0007 from './0007-mixing.js';
import * as m0008 from './0008-rectification.js';
import * as m0009 from './0009-ballot-design.js';
import * as m0010 from './0010-postgres-hot-path.js';
import * as m0011 from './0011-short-codes.js';
import * as m0012 from './0012-paper-ballots.js';
import * as m0013 from './0013-postgres-mixing.js';
import * as m0014 from './0014-postgres-cast-groups.js';
import * as m0015 from './0015-postgres-ballots-unbound.js';
import * as m0016 from './0016-postgres-cast-json.js';
import * as m0017 from './0017-postgres-cast-sets.js';
import * as m0018 from './0018-postgres-cast-straight.js';

/** Static list (no filesystem scanning): add each new numbered migration here. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-rounds': m0002,
  '0003-ballots': m0003,
  '0004-results': m0004,
  '0005-ballot-ids': m0005,
  '0006-login-attempts': m0006,
  '0007-mixing': m0007,
  '0008-rectification': m0008,
  '0009-ballot-design': m0009,
  '0010-postgres-hot-path': m0010,
  '0011-short-codes': m0011,
  '0012-paper-ballots': m0012,
  '0013-postgres-mixing': m0013,
  '0014-postgres-cast-groups': m0014,
  '0015-postgres-ballots-unbound': m0015,
  '0016-postgres-cast-json': m0016,
  '0017-postgres-cast-sets': m0017,
  '0018-postgres-cast-straight': m0018,
};
