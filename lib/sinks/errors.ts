/**
 * Errors sinks throw so the shared wrapper knows what to do: retry (network errors, 5xx, 429
 * with Retry-After), split (payload too large), give up on some events (rejected), or retry
 * only part of a batch (Elasticsearch per-item errors).
 *
 * @module
 */
import type { SinkEvent } from "./sink.ts";

/** A failed send, classified. Errors that are not SinkErrors count as retryable. */
export class SinkError extends Error {
  /** Retrying the same batch may succeed (network error, 5xx, 429, 408). */
  readonly retryable: boolean;
  /** The server asked to wait this long (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  /** The batch is too large for the destination: send it in smaller pieces. */
  readonly tooLarge: boolean;
  /** HTTP status, when there was one. */
  readonly status: number | undefined;

  constructor(
    message: string,
    options: {
      retryable: boolean;
      retryAfterMs?: number;
      tooLarge?: boolean;
      status?: number;
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SinkError";
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.tooLarge = options.tooLarge ?? false;
    this.status = options.status;
  }
}

/** Part of a batch was delivered: `retry` must be sent again; `rejected` can never be. */
export class PartialFailure extends Error {
  readonly retry: readonly SinkEvent[];
  readonly rejected: number;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { retry: readonly SinkEvent[]; rejected: number; retryAfterMs?: number },
  ) {
    super(message);
    this.name = "PartialFailure";
    this.retry = options.retry;
    this.rejected = options.rejected;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True for HTTP statuses worth retrying: 408, 425, 429 and every 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait from a Retry-After header (seconds or an HTTP date), if it parses.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
