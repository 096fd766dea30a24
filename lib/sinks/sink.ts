/**
 * The sink contract shared by logs, metrics push and the audit log (DESIGN §6).
 *
 * @module
 */

/** One event: a JSON-like record (a log line, an audit entry, a metrics snapshot). */
export type SinkEvent = Readonly<Record<string, unknown>>;

/** A destination for events. `send` resolves only when the batch is durable there. */
export interface Sink {
  /** The name the config gives it, for messages and metrics. */
  readonly name: string;
  /** Checks the destination is reachable and writable; throws with a clear message if not. */
  check(): Promise<void>;
  /** Delivers a batch; resolves when it is durable (written and synced, acknowledged). */
  send(batch: readonly SinkEvent[]): Promise<void>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
  /**
   * Optional: delivers a batch given as runs of event lists, so a sink that can write lines
   * straight from their bytes (the file sink, raw format) never makes event objects. Same
   * contract as `send`; the shared wrapper prefers it when present.
   */
  sendRuns?(runs: readonly EventRun[]): Promise<void>;
}

/**
 * A list of events that may make its elements only when asked (the logs pipeline queues lines
 * as bytes and makes events when a batch is sent). Arrays are event lists.
 */
export interface EventList {
  /** How many events the list holds. */
  readonly length: number;
  /** Events `[from, to)`, as objects. */
  slice(from: number, to: number): SinkEvent[];
  /**
   * Optional: writes the raw text of events `[from, to)`, each followed by "\n", into `out` at
   * `at`; returns the end position, or -1 when the raw bytes cannot be used (not UTF-8).
   * `out` must have room for `rawBytes(from, to)`.
   */
  copyRaw?(from: number, to: number, out: Uint8Array, at: number): number;
  /** Optional: bytes `copyRaw` needs for events `[from, to)`. */
  rawBytes?(from: number, to: number): number;
  /**
   * Optional: the raw text of events `[from, to)` (each followed by "\n") as one view of bytes
   * the list already holds, when it has them that way; else undefined (use `copyRaw`).
   */
  rawView?(from: number, to: number): Uint8Array | undefined;
}

/** Events `[from, to)` of a list. */
export interface EventRun {
  /** The list. */
  readonly list: EventList;
  /** The first event's index. */
  readonly from: number;
  /** The index after the last event. */
  readonly to: number;
}
