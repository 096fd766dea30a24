/**
 * A log event: one line (or one multiline group) with where it came from. It is kept small
 * (one object per line; the origin is shared by every line of a file) and shapes its JSON with
 * `toJSON` in an ECS-like layout: `@timestamp`, `message`, parsed fields, `log.file.path`,
 * `log.offset`, `host.name`, `event.dataset` (the source name), `error.message`.
 *
 * @module
 */

/** What every line of one file shares. */
export interface Origin {
  /** The source's name in the config. */
  readonly source: string;
  readonly host: string;
  /** The file's path when the line was read. */
  path: string;
}

/** Names filters and templates use for the metadata of an event. */
export const META_FIELDS = ["message", "source", "host", "path", "offset", "@timestamp"] as const;

/** Where a lazily made event finds its text. */
export interface TextSource {
  text(index: number): string;
}

/** One event. Parsed fields live in `fields`; metadata comes from the shared origin. */
export class LogEvent {
  #message: string | undefined;
  #source: TextSource | undefined;
  #index = 0;
  /** Byte offset of the line's first byte in its file. */
  readonly offset: number;
  /** Milliseconds since the epoch: a parsed timestamp, else when the line was read. */
  time: number;
  /** Fields set by the parser and filters. */
  fields: Record<string, unknown> | undefined;
  /** Why parsing failed (the raw line is kept in `message`). */
  error: string | undefined;
  readonly origin: Origin;

  constructor(message: string, offset: number, time: number, origin: Origin) {
    this.#message = message;
    this.offset = offset;
    this.time = time;
    this.fields = undefined;
    this.error = undefined;
    this.origin = origin;
  }

  /** An event whose text is read from `source` when first needed (see block.ts). */
  static lazy(
    source: TextSource,
    index: number,
    offset: number,
    time: number,
    origin: Origin,
  ): LogEvent {
    const e = new LogEvent(undefined as unknown as string, offset, time, origin);
    e.#source = source;
    e.#index = index;
    return e;
  }

  /** The line (multiline groups joined with "\n"); parsers may replace it. */
  get message(): string {
    return this.#message ?? this.#source!.text(this.#index);
  }

  set message(value: string) {
    this.#message = value;
  }

  /** The source's name. */
  get source(): string {
    return this.origin.source;
  }

  /** The host name. */
  get host(): string {
    return this.origin.host;
  }

  /** The file the line came from. */
  get path(): string {
    return this.origin.path;
  }

  /**
   * A field by name: `message`, `source`, `host`, `path`, `offset`, `@timestamp`, or a parsed
   * field (dotted paths walk nested objects: `http.request.method`).
   */
  field(name: string): unknown {
    if (this.fields !== undefined) {
      const direct = this.fields[name];
      if (direct !== undefined) return direct;
      if (name.includes(".")) {
        let cur: unknown = this.fields;
        for (const key of name.split(".")) {
          if (cur === null || typeof cur !== "object") {
            cur = undefined;
            break;
          }
          cur = (cur as Record<string, unknown>)[key];
        }
        if (cur !== undefined) return cur;
      }
    }
    switch (name) {
      case "message":
        return this.message;
      case "source":
        return this.origin.source;
      case "host":
        return this.origin.host;
      case "path":
        return this.origin.path;
      case "offset":
        return this.offset;
      case "@timestamp":
        return new Date(this.time).toISOString();
      case "error":
        return this.error;
    }
    return undefined;
  }

  /** Sets a parsed field (dotted names create nested objects). */
  setField(name: string, value: unknown): void {
    if (name === "message" && typeof value === "string") {
      this.message = value;
      return;
    }
    const fields = this.fields ??= {};
    if (!name.includes(".")) {
      fields[name] = value;
      return;
    }
    const keys = name.split(".");
    let cur = fields;
    for (const key of keys.slice(0, -1)) {
      const next = cur[key];
      if (next === null || typeof next !== "object" || Array.isArray(next)) cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
    cur[keys.at(-1)!] = value;
  }

  /** Removes a parsed field (dotted names reach into nested objects). */
  deleteField(name: string): void {
    if (!this.fields) return;
    if (name in this.fields) {
      delete this.fields[name];
      return;
    }
    const keys = name.split(".");
    let cur: unknown = this.fields;
    for (const key of keys.slice(0, -1)) {
      if (cur === null || typeof cur !== "object") return;
      cur = (cur as Record<string, unknown>)[key];
    }
    if (cur !== null && typeof cur === "object") {
      delete (cur as Record<string, unknown>)[keys.at(-1)!];
    }
  }

  /**
   * The JSON line sinks write, as text: a plain line (no parsed fields) is written without
   * building the object `toJSON` returns (the metadata part is made once per file).
   */
  json(): string {
    if (this.fields !== undefined || this.error !== undefined) return JSON.stringify(this);
    const o = originJson(this.origin);
    return `{"@timestamp":"${isoTime(this.time)}","message":${JSON.stringify(this.message)},` +
      `"log":{"file":{"path":${o.path}},"offset":${this.offset}},${o.rest}`;
  }

  /** The JSON shape sinks write; parsed fields win over metadata keys of the same name. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      "@timestamp": new Date(this.time).toISOString(),
      message: this.message,
    };
    if (this.fields) Object.assign(out, this.fields);
    if (out.log === undefined) out.log = { file: { path: this.origin.path }, offset: this.offset };
    if (out.host === undefined) out.host = { name: this.origin.host };
    if (out.event === undefined) out.event = { dataset: this.origin.source };
    if (this.error !== undefined && out.error === undefined) {
      out.error = { message: this.error, type: "parse" };
    }
    return out;
  }
}

/** The JSON text of an origin's parts, made once per origin (a renamed file gets a new one). */
const originTexts = new WeakMap<Origin, { path: string; rest: string }>();

function originJson(origin: Origin): { path: string; rest: string } {
  let t = originTexts.get(origin);
  if (!t) {
    t = {
      path: JSON.stringify(origin.path),
      rest: `"host":{"name":${JSON.stringify(origin.host)}},` +
        `"event":{"dataset":${JSON.stringify(origin.source)}}}`,
    };
    originTexts.set(origin, t);
  }
  return t;
}

let lastTime = NaN;
let lastIso = "";

/** ISO text of a time; lines of one read share theirs. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastTime = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
