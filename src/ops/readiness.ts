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
  /** A CAS call, made only when none succeeded recently. */
  cas(): Promise<void>;
  /** Slack auth.test, made until it has passed once. */
  slack(): Promise<void>;
}

export interface Readiness {
  check(): Promise<{
    ready: boolean;
    checks: Record<'store' | 'cas' | 'slack', CheckResult> & { inventory?: CheckResult };
  }>;
  /** Told of every CAS call that succeeded, so readiness need not call CAS itself. */
  casSucceeded(): void;
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

export function createReadiness(checks: ReadinessChecks, now: () => number = Date.now): Readiness {
  let lastCasOk = Number.NEGATIVE_INFINITY;
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
    casSucceeded() {
      lastCasOk = now();
    },
    async check() {
      const [store, cas, slack] = await Promise.all([
        run(checks.store, 'the store'),
        now() - lastCasOk < CAS_FRESH_MS
          ? Promise.resolve<CheckResult>({ ok: true, detail: 'recent call succeeded' })
          : run(checks.cas, 'CAS'),
        slackOk
          ? Promise.resolve<CheckResult>({ ok: true })
          : run(checks.slack, 'Slack auth.test').then((result) => {
              slackOk = result.ok;
              return result;
            }),
      ]);
      if (cas.ok && !cas.detail) lastCasOk = now();
      const inventory = checks.inventory
        ? await checks
            .inventory()
            .then((detail): CheckResult => ({ ok: true, detail }))
            .catch((error: unknown): CheckResult => ({ ok: true, detail: `unknown: ${summary(error)}` }))
        : undefined;
      return {
        ready: store.ok && cas.ok && slack.ok,
        checks: { store, cas, slack, ...(inventory ? { inventory } : {}) },
      };
    },
  };
}
