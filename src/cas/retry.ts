import { backOff } from 'exponential-backoff';
import { isCasError } from './errors';

export interface RetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  /** First backoff delay in milliseconds; doubles each attempt, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Narrows which retryable errors are retried (e.g. only throttling, for writes). */
  only?: (error: unknown) => boolean;
  /** Told of each retry, for logs and metrics. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Only throttling and transient failures are worth another attempt; 4xx answers never change. */
export function isRetryable(error: unknown): boolean {
  return isCasError(error) && error.retryable;
}

/**
 * Runs `attempt` (which itself waits for the rate limiter) until it succeeds, fails with a
 * non-retryable error, or runs out of attempts. Every retry goes back through the limiter
 * because `attempt` schedules a fresh limiter job each time.
 */
export function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  return backOff(attempt, {
    numOfAttempts: options.attempts,
    startingDelay: options.baseDelayMs ?? 200,
    timeMultiple: 2,
    maxDelay: options.maxDelayMs ?? 5_000,
    jitter: 'full',
    delayFirstAttempt: false,
    retry: (error, attemptNumber) => {
      if (!isRetryable(error) || (options.only && !options.only(error))) return false;
      options.onRetry?.(error, attemptNumber);
      return true;
    },
  });
}
