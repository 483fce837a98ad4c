import type { AccountConfig } from '../accounts/account-config';
import type { CasClient } from '../cas';
import type { Config } from '../config';
import { selectAccounts as select, UnknownAccountError } from '../domain/account-selection';
import type { Logger } from '../ops/logger';
import type { Metrics } from '../ops/metrics';
import type { CasSuccesses } from '../ops/readiness';
import { buildCasClient } from './cas-client';
import { once } from './once';

/** One configured CAS account and its client (built on first use, with its own rate limiter). */
export interface AccountHandle {
  readonly name: string;
  readonly config: AccountConfig;
  cas(): Promise<CasClient>;
}

export interface Accounts {
  /** Every configured account, in the order of CAS_ACCOUNTS_FILE (one, `default`, without it). */
  readonly all: readonly AccountHandle[];
  /** The accounts a command covers: all, or the one named (case-insensitive); UnknownAccountError otherwise. */
  select(name?: string): AccountHandle[];
  /** The CAS client of the named account (default: the first account). */
  cas(account?: string): Promise<CasClient>;
  /** The clients built so far, for closing them. */
  built(): readonly CasClient[];
}

/**
 * The CAS limit is per account: each account gets its own client and limiter, so one account
 * being throttled, down or refusing its credentials never slows or breaks another. Each client,
 * when built, reports its calls to the metrics and its successes to `casSuccesses` (readiness
 * reads them), and logs its shared limiter's connection.
 */
export function buildAccounts(
  config: Config,
  deps: {
    logger: Logger;
    metrics: Metrics;
    casSuccesses: CasSuccesses;
    retryBaseDelayMs?: number;
    redisNamespace?: string;
  },
): Accounts {
  const { logger, metrics, casSuccesses } = deps;
  const clients: CasClient[] = [];
  const buildAccountCas = async (account: AccountConfig) => {
    const client = await buildCasClient(config, account, {
      retryBaseDelayMs: deps.retryBaseDelayMs,
      redisNamespace: deps.redisNamespace,
    });
    client.events.on('call', (_operation, outcome) => {
      if (outcome === 'ok') casSuccesses.succeeded(account.name);
    });
    client.events.on('limiter', (state, detail) => {
      if (state === 'lost')
        logger.error(
          { limiter: detail, account: account.name },
          'shared rate limiter (Redis) unreachable; CAS calls fail until it is back',
        );
      else logger.info({ limiter: detail, account: account.name }, 'shared rate limiter (Redis) reachable again');
    });
    metrics.watchCas(client.events, account.name);
    metrics.watchRisk(async () => {
      const [risk, assets] = await Promise.all([client.getRiskCount(), client.getAssetCount()]);
      return { risk, assets };
    }, account.name);
    clients.push(client);
    return client;
  };
  const all: AccountHandle[] = config.accounts.map((account) => ({
    name: account.name,
    config: account,
    cas: once(() => buildAccountCas(account)),
  }));
  metrics.watchQueueDepth(() => clients.reduce((sum, client) => sum + client.queueDepth(), 0));
  const selectAccounts = (name?: string): AccountHandle[] => {
    const selection = select(
      all.map((a) => a.name),
      name,
    );
    if ('unknown' in selection) throw new UnknownAccountError(selection);
    return selection.accounts.map((n) => all.find((a) => a.name === n) as AccountHandle);
  };
  return {
    all,
    select: selectAccounts,
    cas: (account) => (account === undefined ? all[0] : selectAccounts(account)[0]).cas(),
    built: () => clients,
  };
}
