/**
 * What sinks read from an event, whatever produced it: a log event (its `message`, `source`,
 * `host` and `time` are properties), an audit entry or a metrics snapshot (plain objects).
 *
 * @module
 */
import type { SinkEvent } from "./sink.ts";

/** The event's text for raw output: its `message` string, else the event as JSON. */
export function eventText(event: SinkEvent): string {
  const m = event.message;
  return typeof m === "string" ? m : JSON.stringify(event);
}

/**
 * The event as one line of JSON. Log events write themselves (`json()`, the same text as
 * `toJSON` would give, without the intermediate object).
 */
export function eventJson(event: SinkEvent): string {
  const own = (event as { json?: unknown }).json;
  return typeof own === "function" ? own.call(event) : JSON.stringify(event);
}

/** The name of the source that produced the event, or the fallback (e.g. `audit`). */
export function eventSource(event: SinkEvent, fallback: string): string {
  const s = event.source;
  return typeof s === "string" && s !== "" ? s : fallback;
}

/** The host the event came from, or the fallback. */
export function eventHost(event: SinkEvent, fallback: string): string {
  const h = event.host;
  return typeof h === "string" && h !== "" ? h : fallback;
}

/** The event's time in ms since the epoch: `time` as a number or a date string; else now. */
export function eventTime(event: SinkEvent): number {
  const t = event.time ?? event["@timestamp"];
  if (typeof t === "number" && Number.isFinite(t)) return t;
  if (typeof t === "string") {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  return Date.now();
}

/**
 * A field of the event by dotted path (`http.status`). Events with a `field(path)` method (log
 * events) answer themselves; plain objects are walked.
 */
export function eventField(event: SinkEvent, path: string): unknown {
  const own = (event as { field?: unknown }).field;
  if (typeof own === "function") return own.call(event, path);
  let cur: unknown = event;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
