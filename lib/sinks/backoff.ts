/**
 * Capped exponential backoff with jitter, shared by every sink's retries.
 *
 * @module
 */

/** Backoff settings, in ms. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The longest a Retry-After header can make us wait. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The delay before retry number `attempt` (1 = first retry): `initial * 2^(attempt-1)`, capped
 * at `max`, then jittered into its upper half so clients that failed together spread out. A
 * server's Retry-After wins when it asks for longer (up to ten minutes).
 *
 * @example
 * ```ts
 * backoffDelay(3, { initialMs: 100, maxMs: 1000 }, { random: () => 1 }); // 400
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  extra: { retryAfterMs?: number | undefined; random?: () => number } = {},
): number {
  const exp = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (extra.random ?? Math.random)() * (exp / 2);
  const after = Math.min(extra.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
  return Math.round(Math.max(jittered, after));
}
