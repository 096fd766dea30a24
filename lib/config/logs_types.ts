/**
 * The logs file (`logs.*`) as the loader returns it, as TypeScript types: durations in
 * milliseconds, sizes in bytes. `logs_schema.ts` validates it; `tests/lib/config/types_test.ts`
 * fails the type check when these types and the schema's `z.output` differ.
 *
 * @module
 */
import type { SinkConfig } from "../sinks/config_types.ts";

/** The top level of `logs.*`. */
export interface LogsConfig {
  /** Checkpoints (default `$DRIFTLESS_STATE_DIR/logs`, else `~/.local/state/driftless/logs`). */
  state_dir?: string | undefined;
  /** Host name in events and templates (default the system's). */
  host?: string | undefined;
  /** How long a stop (SIGTERM, SIGINT) may take to flush and save checkpoints, in ms (default 10s). */
  shutdown_timeout?: number | undefined;
  /** The files to tail and what to do with their lines. */
  sources?: SourceConfig[] | undefined;
  /** Where events go: the sinks sources name in their `outputs`. */
  outputs?: SinkConfig[] | undefined;
}

/** One source: files to tail and what to do with their lines. */
export interface SourceConfig {
  /** Unique name: checkpoints, metadata (`event.dataset`) and metrics use it. */
  name: string;
  /** Absolute globs: `*`, `?`, `[ab]`, `{a,b}`, and `**` for any depth. */
  paths: string[];
  /** Globs of files to skip (a pattern without "/" matches the file name). */
  exclude?: string[] | undefined;
  /** Where files found at the first start (no checkpoint yet) begin; later files always from the start. */
  start_at?: "beginning" | "end" | undefined;
  /** Files not modified for this long (ms) when first found start at their end. */
  ignore_older?: number | undefined;
  /** inotify (`Deno.watchFs`) wakes the reader at once; polling is the fallback either way. */
  watch?: boolean | undefined;
  /** How often (ms) open files are checked for new data when no event comes (default 1s). */
  poll_interval?: number | undefined;
  /** How often (ms) the globs are expanded again to find new files (default 10s). */
  scan_interval?: number | undefined;
  /** An idle file's descriptor is closed after this long, in ms (default 5m); reopened when it grows. */
  close_inactive?: number | undefined;
  /** A rotated or deleted file, read to its end, is released after it stayed unchanged this long, in ms (default 5s). */
  release_after?: number | undefined;
  /**
   * Most descriptors open at once (default 1024): past it, the least recently read file is
   * closed and opened again (by path, checked by its head) when it has new data.
   */
  max_open_files?: number | undefined;
  /** Bytes hashed from the head of a file for its identity (default 1024). */
  fingerprint_bytes?: number | undefined;
  /** Longest line in bytes (default 1 MiB); longer ones are split or truncated and counted. */
  max_line_bytes?: number | undefined;
  /** What happens to a line longer than `max_line_bytes` (default `split`). */
  long_lines?: "split" | "truncate" | undefined;
  /** Joins the lines of one event (a stack trace) into one. */
  multiline?: MultilineConfig | undefined;
  /** How lines become fields: a parser name, or a parser with options (default `plain`). */
  parser?: ParserConfig | undefined;
  /** Filters, in order. */
  filters?: FilterConfig[] | undefined;
  /** Names of the outputs every event of this source goes to. */
  outputs: string[];
}

/** Joins the lines of one event, as Filebeat's `multiline`. */
export interface MultilineConfig {
  /** A line is a continuation when this regex matches it (or, with `negate`, does not). */
  pattern: string;
  /** Lines that do not match `pattern` are the continuations. */
  negate?: boolean | undefined;
  /** `after` (default): continuations join the line before them; `before`: the line after them. */
  match?: "after" | "before" | undefined;
  /** Most lines in one event (default 500). */
  max_lines?: number | undefined;
  /** An event ends when no line arrived for this long, in ms (default 5s). */
  timeout?: number | undefined;
}

/** A parser by name, with its default options. */
export type ParserName = "plain" | "json" | "logfmt" | "syslog" | "nginx" | "apache";

/** Where an event's time comes from. */
export interface TimestampConfig {
  /** Field holding the time (default: the parser's own time field). */
  field?: string | undefined;
  /** `rfc3339`, `unix`, `unix_ms`, `common`, `rfc3164` or a strftime pattern. */
  format: string;
  /** Zone of times written without one: `UTC` (default), `local`, `+02:00`, `Europe/Berlin`. */
  timezone?: string | undefined;
}

/** Keys every parser takes. */
export interface ParserOptions {
  /** Put the parsed fields under this key instead of at the top level. */
  target?: string | undefined;
  /** Where the event's time comes from. */
  timestamp?: TimestampConfig | undefined;
}

/** The line as it is, in `message`. */
export interface PlainParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "plain";
}

/** A JSON object per line. */
export interface JsonParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "json";
}

/** `key=value` pairs. */
export interface LogfmtParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "logfmt";
}

/** Syslog lines. */
export interface SyslogParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "syslog";
  /** RFC 3164, RFC 5424, or whichever each line is (`auto`, the default). */
  format?: "auto" | "rfc3164" | "rfc5424" | undefined;
}

/** nginx access or error logs. */
export interface NginxParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "nginx";
  /** The log format (default `combined`). */
  format?: "combined" | "common" | "error" | undefined;
}

/** Apache access or error logs. */
export interface ApacheParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "apache";
  /** The log format (default `combined`). */
  format?: "combined" | "common" | "error" | undefined;
}

/** A regex with named groups (`(?<name>...)` or Python's `(?P<name>...)`): each group a field. */
export interface RegexParserConfig extends ParserOptions {
  /** Selects the parser. */
  type: "regex";
  /** The regex. */
  pattern: string;
}

/** A parser setting: a name, or a parser with options selected by `type`. */
export type ParserConfig =
  | ParserName
  | PlainParserConfig
  | JsonParserConfig
  | LogfmtParserConfig
  | SyslogParserConfig
  | NginxParserConfig
  | ApacheParserConfig
  | RegexParserConfig;

/** A rate limit on a source's events: a token bucket. */
export interface RateLimitConfig {
  /** Events let through per second. */
  events_per_second: number;
  /** Events allowed in a burst above the rate (default: one second's worth). */
  burst?: number | undefined;
}

/** A filter: exactly one of its kinds (include, exclude, equals, matches, drop/add fields, rate limit). */
export interface FilterConfig {
  /** Keep only events whose line (or `field`) matches. */
  include?: string | undefined;
  /** Drop events whose line (or `field`) matches. */
  exclude?: string | undefined;
  /** Keep only events whose `field` equals this value (with `negate`, drop them). */
  equals?: string | number | boolean | undefined;
  /** Keep only events whose `field` matches this regex (with `negate`, drop them). */
  matches?: string | undefined;
  /** With `equals` or `matches`: drop the events they match instead. */
  negate?: boolean | undefined;
  /** The field include/exclude/equals/matches look at (default `message`). */
  field?: string | undefined;
  /** Fields to remove from each event. */
  drop_fields?: string[] | undefined;
  /** Fields to add to each event. */
  add_fields?: Record<string, unknown> | undefined;
  /** Let through at most this many events per second. */
  rate_limit?: RateLimitConfig | undefined;
}
