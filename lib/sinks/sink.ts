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
}
