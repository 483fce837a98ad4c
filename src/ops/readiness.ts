export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export interface ReadinessChecks {
  /**
   * How old the inventory is, for the report only: answers still come while it is stale
   * (from the last inventory, or live from CAS), so it never makes the bot unready.
   */
  inventory?(): Promise<string>;
  /** A cheap round trip to the store. */
  store(): Promise<void>;
  /** Per account: a CAS call, made only when none of that account's succeeded recently. */
  cas: ReadonlyArray<{ account: string; check(): Promise<void> }>;
  /** Slack auth.test, made until it has passed once. */
  slack(): Promise<void>;
}

export interface Readiness {
  check(): Promise<{
    ready: boolean;
    /**
     * `cas` is ok when any account answers (the bot still serves the others); with several
     * accounts `accounts` reports each one.
     */
    checks: Record<'store' | 'cas' | 'slack', CheckResult> & {
      inventory?: CheckResult;
      accounts?: Record<string, CheckResult>;
    };
  }>;
}

/**
 * When each account's last CAS call succeeded. The CAS clients report to it and readiness reads
 * it, so it is built before both: readiness then need not call CAS itself while calls succeed,
 * and the clients need not know readiness (which checks them).
 */
export interface CasSuccesses {
  /** A call of `account` succeeded now. */
  succeeded(account: string): void;
  /** When one last did (the clock's milliseconds), if ever. */
  lastAt(account: string): number | undefined;
}

export function createCasSuccesses(now: () => number = Date.now): CasSuccesses {
  const last = new Map<string, number>();
  return {
    succeeded(account) {
      last.set(account, now());
    },
    lastAt: (account) => last.get(account),
  };
}

/** How recent a successful CAS call must be to count without asking CAS again. */
export const CAS_FRESH_MS = 5 * 60 * 1000;
const CHECK_TIMEOUT_MS = 3_000;

function withTimeout(work: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** What an error says about itself, without anything that might be a secret. */
function summary(error: unknown): string {
  const e = error as { code?: unknown; kind?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return `${e.kind ? `${String(e.kind)}: ` : ''}${e.code}`;
  return typeof e?.message === 'string' ? e.message.split('\n')[0].slice(0, 200) : 'failed';
}

export function createReadiness(
  checks: ReadinessChecks,
  now: () => number = Date.now,
  casSuccesses: CasSuccesses = createCasSuccesses(now),
): Readiness {
  let slackOk = false;
  const run = async (work: () => Promise<void>, what: string): Promise<CheckResult> => {
    try {
      await withTimeout(work(), what);
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: summary(error) };
    }
  };
  return {
    async check() {
      const casCheck = async ({ account, check }: { account: string; check(): Promise<void> }) => {
        if (now() - (casSuccesses.lastAt(account) ?? Number.NEGATIVE_INFINITY) < CAS_FRESH_MS)
          return { ok: true, detail: 'recent call succeeded' };
        const result = await run(check, checks.cas.length > 1 ? `CAS (${account})` : 'CAS');
        if (result.ok) casSuccesses.succeeded(account);
        return result;
      };
      const [store, perAccount, slack] = await Promise.all([
        run(checks.store, 'the store'),
        Promise.all(checks.cas.map(casCheck)),
        slackOk
          ? Promise.resolve<CheckResult>({ ok: true })
          : run(checks.slack, 'Slack auth.test').then((result) => {
              slackOk = result.ok;
              return result;
            }),
      ]);
      const accounts = Object.fromEntries(checks.cas.map(({ account }, i) => [account, perAccount[i]]));
      const failing = checks.cas.filter((_, i) => !perAccount[i].ok).map(({ account }) => account);
      const cas: CheckResult =
        checks.cas.length === 1
          ? perAccount[0]
          : {
              ok: failing.length < checks.cas.length,
              detail:
                failing.length === 0
                  ? `${checks.cas.length} accounts answer`
                  : `failing: ${failing.map((a) => `${a} (${accounts[a].detail ?? 'failed'})`).join(', ')}`,
            };
      const inventory = checks.inventory
        ? await checks
            .inventory()
            .then((detail): CheckResult => ({ ok: true, detail }))
            .catch((error: unknown): CheckResult => ({ ok: true, detail: `unknown: ${summary(error)}` }))
        : undefined;
      return {
        ready: store.ok && cas.ok && slack.ok,
        checks: {
          store,
          cas,
          slack,
          ...(inventory ? { inventory } : {}),
          ...(checks.cas.length > 1 ? { accounts } : {}),
        },
      };
    },
  };
}
