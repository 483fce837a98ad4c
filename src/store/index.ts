import type { Config } from '../config';
import type { Store } from './types';

/** The store the configuration asks for: PostgreSQL when DATABASE_URL is set (replicas), else the SQLite file. */
export async function openStore(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>): Promise<Store> {
  // Each driver is loaded only when it is the one configured.
  if (config.DATABASE_URL) return (await import('./postgres-store')).openPostgresStore(config.DATABASE_URL);
  return (await import('./sqlite-store')).openSqliteStore(config.DATA_DIR);
}
