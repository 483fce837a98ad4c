import { type CheckResult, CHECK_TIMEOUT_MS, fail, pass, reasonOf, skip, withTimeout } from './report';

const CHECK = 'Redis';

/** host:port and the database number of a REDIS_URL (the path, else `?db=`, else 0); never its password. */
export function redisTarget(url: string): { address: string; database: number } {
  const parsed = new URL(url);
  const database = Number(parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || '0');
  return { address: `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`, database };
}

/**
 * Connects to REDIS_URL with its own short-lived ioredis connection (not the limiter's), sends
 * PING, and checks that the connection is in the URL's database: ioredis reports a refused
 * SELECT only as an 'error' event and carries on in database 0, where the replicas would not
 * share their limit with those that did select it.
 */
export async function checkRedis(url: string | undefined): Promise<CheckResult> {
  if (!url) return skip(CHECK, 'not configured (REDIS_URL unset)');
  const { address, database } = redisTarget(url);
  const { default: Redis } = await import('ioredis');
  let lastError: unknown;
  let selectError: unknown;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CHECK_TIMEOUT_MS,
    commandTimeout: CHECK_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // One attempt: doctor reports, it does not wait for Redis to come back.
    retryStrategy: () => null,
  });
  client.on('error', (error: unknown) => {
    lastError = error;
    const command = (error as { command?: { name?: unknown } } | null)?.command;
    if (typeof command?.name === 'string' && command.name.toLowerCase() === 'select') selectError = error;
  });
  try {
    try {
      await withTimeout(client.connect());
      await withTimeout(client.ping());
    } catch (error) {
      return fail(
        CHECK,
        `${address} is unreachable (${reasonOf(lastError ?? error)})`,
        'start Redis or make it reachable from the bot, and check the host, port, password and TLS (rediss://) in REDIS_URL; or unset REDIS_URL to run one replica with its own limiter',
      );
    }
    const selected = await selectedDatabase(client, database);
    if (selectError !== undefined || selected !== database)
      return fail(
        CHECK,
        `${address} answers PING but did not select database ${database} of REDIS_URL` +
          `${selectError !== undefined ? ` (${reasonOf(selectError)})` : ''}; the connection is in database ${selected ?? 'unknown'}`,
        'use a database the server has in the URL path (/0 to /15 with the default `databases 16`; a Redis Cluster has only /0), or raise `databases` in its configuration',
      );
    return pass(CHECK, `${address} answers PING, database ${database} selected`);
  } finally {
    // After a failed connection ioredis has ended already; disconnecting again would hold the process for seconds.
    if (client.status !== 'end') client.disconnect();
  }
}

/** The connection's database from CLIENT INFO (Redis 6.2+); else whether SELECTing it again succeeds. */
async function selectedDatabase(client: import('ioredis').default, database: number): Promise<number | undefined> {
  try {
    const info = String(await withTimeout(client.call('CLIENT', 'INFO')));
    const db = /(?:^|\s)db=(\d+)/.exec(info)?.[1];
    if (db !== undefined) return Number(db);
  } catch {
    // An older server, or an ACL that refuses CLIENT: ask with SELECT instead.
  }
  try {
    return (await withTimeout(client.select(database))) === 'OK' ? database : undefined;
  } catch {
    return undefined;
  }
}
