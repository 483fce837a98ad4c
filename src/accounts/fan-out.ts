/**
 * Asking several accounts at once for one answer. A hanging account (CAS not answering for it,
 * retries and all) must not hold back the others: each account gets at most `timeoutMs`; one
 * that takes longer is left out of this answer, as `AccountTimeoutError`, and its work goes on
 * in the background (a cache may keep its result for the next answer).
 */

/** An account that did not answer within the time an answer waits for it. */
export class AccountTimeoutError extends Error {
  override readonly name = 'AccountTimeoutError';
  constructor(
    readonly account: string,
    readonly timeoutMs: number,
  ) {
    super(`${account} did not answer within ${describeWait(timeoutMs)}`);
  }
}

/** "4 s", "2.5 s", "300 ms": how long an answer waited. */
export function describeWait(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export type AccountAnswer<A, T> = { account: A; value: T } | { account: A; error: unknown };

/**
 * `work` for every account, side by side; each outcome (value, error, or AccountTimeoutError
 * after `timeoutMs`) in the accounts' order. Never rejects.
 */
export async function fanOut<A extends { name: string }, T>(
  accounts: readonly A[],
  work: (account: A) => Promise<T>,
  timeoutMs: number,
): Promise<Array<AccountAnswer<A, T>>> {
  return Promise.all(
    accounts.map((account) =>
      withinTime(account.name, () => work(account), timeoutMs).then(
        (value) => ({ account, value }),
        (error: unknown) => ({ account, error }),
      ),
    ),
  );
}

/** `work`'s result, or AccountTimeoutError when it takes longer than `timeoutMs` (Infinity: no limit). */
export async function withinTime<T>(account: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  if (!Number.isFinite(timeoutMs)) return work();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AccountTimeoutError(account, timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    // race() handles a rejection that comes after the timeout: it is not unhandled.
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first error of a fan-out where no account answered (the answer fails with it). */
export function firstError<A, T>(answers: ReadonlyArray<AccountAnswer<A, T>>): unknown {
  const failed = answers.find((a): a is { account: A; error: unknown } => 'error' in a);
  return failed?.error;
}
