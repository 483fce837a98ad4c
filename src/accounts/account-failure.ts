import { isCasError } from '../cas/errors';

/**
 * Why one account could not be read, as answers show it beside the other accounts' results:
 * what failed and what to do (the CAS error's hint), the RAM action to grant, the RequestId.
 * Built from the error's own fields only, so no secret can reach a message.
 */
export interface AccountFailure {
  account: string;
  /** What to do about it, for a person (CasError.hint, or a generic line). */
  hint: string;
  code?: string;
  ramAction?: string;
  requestId?: string;
  /** It did not answer in the time the answer waits for any one account (accounts/fan-out). */
  slow?: boolean;
}

export function accountFailure(account: string, error: unknown): AccountFailure {
  // A failed sync wraps the CAS error that ended it.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (!isCasError(error) && isCasError(cause)) return accountFailure(account, cause);
  // accounts/fan-out's AccountTimeoutError, known by its name (this layer does not import that one).
  if ((error as { name?: unknown } | undefined)?.name === 'AccountTimeoutError')
    return { account, hint: (error as Error).message, slow: true };
  if (!isCasError(error)) return { account, hint: 'something went wrong inside the bot; the details are in its logs' };
  return {
    account,
    hint: error.hint,
    code: error.code,
    ...(error.ramAction ? { ramAction: error.ramAction } : {}),
    ...(error.requestId ? { requestId: error.requestId } : {}),
  };
}

/** One line per failing account: `staging: <hint> (Error Code, RequestId …)`, or "tarn did not answer within 4 s". */
export function describeAccountFailure(failure: AccountFailure): string {
  if (failure.slow) return failure.hint;
  const facts = [
    failure.code ? `error ${failure.code}` : undefined,
    failure.ramAction && !failure.hint.includes(failure.ramAction) ? `grant ${failure.ramAction}` : undefined,
    failure.requestId ? `RequestId ${failure.requestId}` : undefined,
  ].filter((fact): fact is string => fact !== undefined);
  return `${failure.account}: ${failure.hint.replace(/\.$/, '')}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}
