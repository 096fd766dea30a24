/**
 * The logs file (issue 6): sources (files to tail, multiline, parser, filters, outputs they
 * route to), outputs (sinks), and where checkpoints live. Strict: a typo is an error with a
 * suggestion. Durations parse to ms and sizes to bytes; regexes are checked here, so a bad
 * pattern is a config error with its location, not a crash later.
 *
 * @module
 */
import * as z from "zod";
import { sinkSchema } from "../sinks/config.ts";
import { compileTimeFormat } from "../logs/parse/timestamp.ts";
import { durationSchema, sizeSchema } from "../sinks/units.ts";
import { outputLoops } from "../logs/output_loop.ts";

/** A regex (Python's `(?P<name>...)` accepted), checked when the config is loaded. */
const regex = z.string().min(1).superRefine((value, ctx) => {
  const source = value.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/^\(\?[imsu]+\)/, "");
  try {
    new RegExp(source);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: `invalid regex: ${(e as Error).message}` });
  }
});

const path = z.string().min(1).refine((p) => p.startsWith("/") || p.startsWith("~/"), {
  message: 'expected an absolute path (or one starting with "~/")',
});

const timestampSchema = z.strictObject({
  /** Field holding the time (default: the parser's own time field). */
  field: z.string().optional(),
  /** `rfc3339`, `unix`, `unix_ms`, `common`, `rfc3164` or a strftime pattern. */
  format: z.string().min(1),
  /** Zone of times written without one: `UTC` (default), `local`, `+02:00`, `Europe/Berlin`. */
  timezone: z.string().optional(),
}).superRefine((t, ctx) => {
  try {
    compileTimeFormat(t.format, t.timezone !== undefined ? { timezone: t.timezone } : {});
  } catch (e) {
    const message = (e as Error).message;
    ctx.addIssue({
      code: "custom",
      message,
      path: [/timezone/.test(message) ? "timezone" : "format"],
    });
  }
});

const parserCommon = {
  /** Put the parsed fields under this key instead of at the top level. */
  target: z.string().min(1).optional(),
  timestamp: timestampSchema.optional(),
};

const parserSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("plain"), ...parserCommon }),
  z.strictObject({ type: z.literal("json"), ...parserCommon }),
  z.strictObject({ type: z.literal("logfmt"), ...parserCommon }),
  z.strictObject({
    type: z.literal("syslog"),
    ...parserCommon,
    format: z.enum(["auto", "rfc3164", "rfc5424"]).optional(),
  }),
  z.strictObject({
    type: z.literal("nginx"),
    ...parserCommon,
    format: z.enum(["combined", "common", "error"]).optional(),
  }),
  z.strictObject({
    type: z.literal("apache"),
    ...parserCommon,
    format: z.enum(["combined", "common", "error"]).optional(),
  }),
  z.strictObject({ type: z.literal("regex"), ...parserCommon, pattern: regex }),
]);

const PARSER_TYPES = ["plain", "json", "logfmt", "syslog", "nginx", "apache"] as const;

/** A filter: exactly one of its kinds (include, exclude, equals, matches, drop/add fields, rate limit). */
export const filterSchema = z.strictObject({
  /** Keep only events whose line (or `field`) matches. */
  include: regex.optional(),
  /** Drop events whose line (or `field`) matches. */
  exclude: regex.optional(),
  /** Keep only events whose `field` equals this value (with `negate`, drop them). */
  equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Keep only events whose `field` matches this regex (with `negate`, drop them). */
  matches: regex.optional(),
  negate: z.boolean().optional(),
  /** The field include/exclude/equals/matches look at (default `message`). */
  field: z.string().min(1).optional(),
  drop_fields: z.array(z.string().min(1)).min(1).optional(),
  add_fields: z.record(z.string(), z.unknown()).optional(),
  rate_limit: z.strictObject({
    events_per_second: z.number().positive(),
    /** Events allowed in a burst above the rate (default: one second's worth). */
    burst: z.number().int().positive().optional(),
  }).optional(),
}).superRefine((f, ctx) => {
  const kinds = (
    ["include", "exclude", "equals", "matches", "drop_fields", "add_fields", "rate_limit"] as const
  ).filter((k) => f[k] !== undefined);
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: kinds.length === 0
        ? "a filter needs one of include, exclude, equals, matches, drop_fields, add_fields, rate_limit"
        : `a filter has one kind, found ${kinds.join(" and ")}: use one list entry each`,
    });
  }
  if ((f.equals !== undefined || f.matches !== undefined) && f.field === undefined) {
    ctx.addIssue({ code: "custom", message: "equals and matches need `field`", path: ["field"] });
  }
  if (f.negate !== undefined && f.equals === undefined && f.matches === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "negate goes with equals or matches",
      path: ["negate"],
    });
  }
});

/** One source: files to tail and what to do with their lines. */
export const sourceSchema = z.strictObject({
  /** Unique name: checkpoints, metadata (`event.dataset`) and metrics use it. */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected a name of letters, digits, _ . -"),
  /** Absolute globs: `*`, `?`, `[ab]`, `{a,b}`, and `**` for any depth. */
  paths: z.array(path).min(1),
  /** Globs of files to skip (a pattern without "/" matches the file name). */
  exclude: z.array(z.string().min(1)).optional(),
  /** Where files found at the first start (no checkpoint yet) begin; later files always from the start. */
  start_at: z.enum(["beginning", "end"]).optional(),
  /** Files not modified for this long when first found start at their end. */
  ignore_older: durationSchema.optional(),
  /** inotify (`Deno.watchFs`) wakes the reader at once; polling is the fallback either way. */
  watch: z.boolean().optional(),
  /** How often open files are checked for new data when no event comes (default 1s). */
  poll_interval: durationSchema.optional(),
  /** How often the globs are expanded again to find new files (default 10s). */
  scan_interval: durationSchema.optional(),
  /** An idle file's descriptor is closed after this long (default 5m); reopened when it grows. */
  close_inactive: durationSchema.optional(),
  /** A rotated or deleted file, read to its end, is released after it stayed unchanged this long (default 5s). */
  release_after: durationSchema.optional(),
  /**
   * Most descriptors open at once (default 1024): past it, the least recently read file is
   * closed and opened again (by path, checked by its head) when it has new data.
   */
  max_open_files: z.number().int().min(1).optional(),
  /** Bytes hashed from the head of a file for its identity (default 1024). */
  fingerprint_bytes: z.number().int().min(16).max(65536).optional(),
  /** Longest line in bytes (default 1 MiB); longer ones are split or truncated and counted. */
  max_line_bytes: sizeSchema.optional(),
  long_lines: z.enum(["split", "truncate"]).optional(),
  multiline: z.strictObject({
    pattern: regex,
    negate: z.boolean().optional(),
    match: z.enum(["after", "before"]).optional(),
    max_lines: z.number().int().positive().optional(),
    timeout: durationSchema.optional(),
  }).optional(),
  parser: z.union([z.enum(PARSER_TYPES), parserSchema]).optional(),
  filters: z.array(filterSchema).optional(),
  /** Names of the outputs every event of this source goes to. */
  outputs: z.array(z.string().min(1)).min(1),
});

/** The top level of `logs.*`. */
export const logsSchema = z.strictObject({
  /** Checkpoints (default `$DRIFTLESS_STATE_DIR/logs`, else `~/.local/state/driftless/logs`). */
  state_dir: z.string().optional(),
  /** Host name in events and templates (default the system's). */
  host: z.string().optional(),
  /** How long a stop (SIGTERM, SIGINT) may take to flush and save checkpoints (default 10s). */
  shutdown_timeout: durationSchema.optional(),
  sources: z.array(sourceSchema).optional(),
  outputs: z.array(sinkSchema).optional(),
}).superRefine((logs, ctx) => {
  const outputs = new Map<string, number>();
  (logs.outputs ?? []).forEach((o, i) => {
    if (outputs.has(o.name)) {
      ctx.addIssue({
        code: "custom",
        message: `output name "${o.name}" is used twice (also outputs[${outputs.get(o.name)}])`,
        path: ["outputs", i, "name"],
      });
    }
    outputs.set(o.name, i);
  });
  const sources = new Map<string, number>();
  (logs.sources ?? []).forEach((s, i) => {
    if (sources.has(s.name)) {
      ctx.addIssue({
        code: "custom",
        message: `source name "${s.name}" is used twice (also sources[${sources.get(s.name)}])`,
        path: ["sources", i, "name"],
      });
    }
    sources.set(s.name, i);
    s.outputs.forEach((name, j) => {
      if (!outputs.has(name)) {
        const close = [...outputs.keys()].find((n) => n.toLowerCase() === name.toLowerCase());
        ctx.addIssue({
          code: "custom",
          message: `unknown output "${name}" (defined: ${
            [...outputs.keys()].join(", ") || "none"
          })${close ? `; did you mean "${close}"?` : ""}`,
          path: ["sources", i, "outputs", j],
        });
      }
    });
  });
  for (const loop of outputLoops(logs, logs.host ?? "localhost")) {
    ctx.addIssue({
      code: "custom",
      message: loop.message,
      path: ["outputs", loop.output, "path"],
    });
  }
}).meta({ title: "driftless logs config" });

// What these schemas parse to, written out (tests/lib/config/types_test.ts keeps them equal).
export type { FilterConfig, LogsConfig, ParserConfig, SourceConfig } from "./logs_types.ts";
