import { wholeAtLeastOne } from './whole-option';

/**
 * How long to wait before trying again what a store could not do (the process manager's reactions, a
 * projection runner stopped by its stores): the wait doubles from `firstDelayMs` after each failure in a row,
 * up to `maxDelayMs`, and attempts go on until one gets through or the caller stops.
 */
export interface RetryPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { firstDelayMs: 50, maxDelayMs: 5_000 };

/**
 * A policy from a host's partial options: each delay a whole number of milliseconds of at least 1 (a
 * default where the option is missing or not a finite number), and the cap never below the first delay.
 */
export const retryPolicyOf = (options: Partial<RetryPolicy> = {}): RetryPolicy => {
  const firstDelayMs = wholeAtLeastOne(options.firstDelayMs, DEFAULT_RETRY_POLICY.firstDelayMs);
  return { firstDelayMs, maxDelayMs: Math.max(firstDelayMs, wholeAtLeastOne(options.maxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs)) };
};

/** The wait after the `failedAttempts`-th failure in a row (counting from 1). */
export const delayAfter = (policy: RetryPolicy, failedAttempts: number): number =>
  Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(failedAttempts - 1, 30));
