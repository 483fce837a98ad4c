import { sql } from 'kysely';
import { alertStore } from './alerts';
import { driftAlertStore } from './drift-alerts';
import { probeResultStore } from './probe-results';
import { resourceStore } from './resources';
import { auditLog } from './audit-log';
import { certificateQueries } from './certificate-queries';
import { claimStore } from './claims';
import { confirmationStore } from './confirmations';
import type { Database } from './database';
import { deploymentRequestStore } from './deployment-requests';
import { inventoryStore } from './inventory';
import { snapshotStore } from './snapshots';
import { storeInfo } from './store-info';
import type { Store } from './types';

/** The store's concerns over one open database. */
export function composeStore(database: Database): Store {
  return {
    kind: database.dialect,
    info: storeInfo(database),
    audit: auditLog(database),
    claims: claimStore(database),
    snapshots: snapshotStore(database),
    confirmations: confirmationStore(database),
    inventory: inventoryStore(database),
    certificates: certificateQueries(database),
    alerts: alertStore(database),
    resources: resourceStore(database),
    probes: probeResultStore(database),
    driftAlerts: driftAlertStore(database),
    deployments: deploymentRequestStore(database),
    async ping() {
      await sql`SELECT 1`.execute(database.db);
    },
    close: () => database.close(),
  };
}
