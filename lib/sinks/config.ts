/**
 * The config of every sink type (logs `outputs[]`, `agent.audit.sinks[]`, metrics push), strict
 * so a typo is an error with a suggestion. Durations and sizes parse to ms and bytes here.
 *
 * @module
 */
import * as z from "zod";
import { facilityOf, severityOf } from "./syslog_format.ts";
import { compileTemplate } from "./template.ts";
import { durationSchema, sizeSchema } from "./units.ts";

/** A template setting: its placeholders are checked when the config is loaded. */
function checkTemplate(
  value: string | undefined,
  names: readonly string[],
  path: string,
  ctx: z.RefinementCtx,
): void {
  if (value === undefined) return;
  try {
    compileTemplate(value, names);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message, path: [path] });
  }
}

/** When a batch is sent: whichever limit is reached first. */
export const batchSchema = z.strictObject({
  /** Events in one batch. */
  max_events: z.number().int().positive().optional(),
  /** Bytes of events (their text) in one batch. */
  max_bytes: sizeSchema.optional(),
  /** Longest an event waits for its batch to fill. */
  timeout: durationSchema.optional(),
}).meta({ description: "batching: a batch is sent when any limit is reached" });

/** Retries of a failed batch: capped exponential backoff with jitter. */
export const retrySchema = z.strictObject({
  initial_backoff: durationSchema.optional(),
  max_backoff: durationSchema.optional(),
  /** Attempts before the batch is given up; 0 (the default for logs) retries forever. */
  max_attempts: z.number().int().nonnegative().optional(),
}).meta({ description: "retries on network errors, 5xx and 429 (Retry-After honoured)" });

/** The bounded queue in front of a sink: when full, readers wait (backpressure). */
export const queueSchema = z.strictObject({
  max_events: z.number().int().positive().optional(),
  max_bytes: sizeSchema.optional(),
}).meta({ description: "bounded queue: when it is full, reading pauses" });

const tlsSchema = z.strictObject({
  /** PEM file of the CA that signed the server certificate (default: the system store). */
  ca_file: z.string().optional(),
  /** PEM files of a client certificate and key, for mutual TLS. */
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
});

const common = {
  /** Name used by `outputs:` lists, messages and metrics. */
  name: z.string().min(1),
  batch: batchSchema.optional(),
  retry: retrySchema.optional(),
  queue: queueSchema.optional(),
};

/** Text of each event: the raw line (`message`), or the whole event as JSON. */
const lineFormat = z.enum(["raw", "json"]);

/** Local files: one per path template, rotated by size or time, closed files gzipped. */
export const fileSinkSchema = z.strictObject({
  ...common,
  type: z.literal("file"),
  /** Path template: `{source}`, `{host}`, `{sink}`, `{date}` and strftime `%Y %m %d %H %M`. */
  path: z.string().min(1),
  format: lineFormat.optional(),
  rotate: z.strictObject({
    max_bytes: sizeSchema.optional(),
    interval: durationSchema.optional(),
  }).optional(),
  /** Gzip a file when it is rotated. */
  compress: z.boolean().optional(),
  /** Rotated files kept per path (oldest removed first); 0 keeps all. */
  max_files: z.number().int().nonnegative().optional(),
  /** File mode of new files, as an octal string. */
  mode: z.string().regex(/^0?[0-7]{3}$/, 'expected an octal mode like "0640"').optional(),
  /** fsync before acknowledging (default true: an ack means the lines are on disk). */
  fsync: z.boolean().optional(),
}).superRefine((c, ctx) => checkTemplate(c.path, ["source", "host", "sink"], "path", ctx));

/**
 * Where objects go in S3 or an S3-compatible server, and how to reach it: shared by the S3 sink
 * and the facts S3 exporter, so both read the same keys the same way.
 */
export const s3TargetShape = {
  bucket: z.string().min(1),
  /** Key prefix. */
  prefix: z.string().optional(),
  region: z.string().optional(),
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:4568`. */
  endpoint: z.url().optional(),
  /** Path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  force_path_style: z.boolean().optional(),
  /** Static credentials; by default the standard AWS chain (env, shared files, instance role). */
  access_key_id: z.string().optional(),
  secret_access_key: z.string().optional(),
  session_token: z.string().optional(),
};

/** S3 or an S3-compatible server: one object of NDJSON (gzip by default) per source per batch. */
export const s3SinkSchema = z.strictObject({
  ...common,
  type: z.literal("s3"),
  ...s3TargetShape,
  /** Key template: `{prefix}`, `{host}`, `{source}`, `{time}`, `{uuid}`, strftime `%Y %m %d %H`. */
  key: z.string().optional(),
  gzip: z.boolean().optional(),
  storage_class: z.string().optional(),
}).superRefine((c, ctx) =>
  checkTemplate(c.key, ["prefix", "host", "source", "sink", "time", "uuid"], "key", ctx)
);

/** Syslog over UDP, TCP (octet-counting framing), TLS or a unix stream socket. */
export const syslogSinkSchema = z.strictObject({
  ...common,
  type: z.literal("syslog"),
  protocol: z.enum(["udp", "tcp", "tls", "unix"]).optional(),
  /** `host:port` for udp, tcp and tls (default port 514, or 6514 for tls). */
  address: z.string().optional(),
  /** Socket path for `unix`. */
  path: z.string().optional(),
  format: z.enum(["rfc5424", "rfc3164"]).optional(),
  /** Stream framing: RFC 6587 octet counting (default) or a newline after each message. */
  framing: z.enum(["octet_counting", "newline"]).optional(),
  facility: z.union([z.number().int().min(0).max(23), z.string()]).optional(),
  severity: z.union([z.number().int().min(0).max(7), z.string()]).optional(),
  /** Event field whose value (error, warn, info, ...) sets the severity per event. */
  severity_field: z.string().optional(),
  /** APP-NAME template (default `{source}`). */
  app_name: z.string().optional(),
  hostname: z.string().optional(),
  /** Longer messages are truncated (UDP datagrams cannot be split). */
  max_message_bytes: sizeSchema.optional(),
  tls: tlsSchema.optional(),
}).superRefine((c, ctx) => {
  checkTemplate(c.app_name, ["source", "host", "sink"], "app_name", ctx);
  const protocol = c.protocol ?? "udp";
  if (protocol === "unix" && !c.path) {
    ctx.addIssue({ code: "custom", message: "protocol unix needs `path`", path: ["path"] });
  }
  if (protocol !== "unix" && !c.address) {
    ctx.addIssue({
      code: "custom",
      message: `protocol ${protocol} needs \`address\` ("host:port")`,
      path: ["address"],
    });
  }
  try {
    facilityOf(c.facility);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message, path: ["facility"] });
  }
  if (c.severity !== undefined && severityOf(c.severity) === undefined) {
    ctx.addIssue({
      code: "custom",
      message:
        `unknown severity "${c.severity}" (emerg, alert, crit, err, warning, notice, info, debug)`,
      path: ["severity"],
    });
  }
});

/** HTTP: NDJSON, a JSON array, or Elasticsearch `_bulk` with per-item error handling. */
export const httpSinkSchema = z.strictObject({
  ...common,
  type: z.literal("http"),
  url: z.url(),
  method: z.enum(["POST", "PUT"]).optional(),
  format: z.enum(["ndjson", "json_array", "elasticsearch"]).optional(),
  /** Elasticsearch index template (strftime `%Y.%m.%d`, `{source}`); default `logs-{source}`. */
  index: z.string().optional(),
  gzip: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  auth: z.union([
    z.strictObject({ basic: z.strictObject({ username: z.string(), password: z.string() }) }),
    z.strictObject({ bearer: z.string().min(1) }),
  ]).optional(),
  /** Per-request timeout. */
  timeout: durationSchema.optional(),
  tls: tlsSchema.optional(),
}).superRefine((c, ctx) => checkTemplate(c.index, ["source", "host", "sink"], "index", ctx));

/** The process's stdout or stderr. */
export const consoleSinkSchema = z.strictObject({
  ...common,
  type: z.literal("console"),
  stream: z.enum(["stdout", "stderr"]).optional(),
  format: lineFormat.optional(),
});

/** Any sink, selected by `type`. */
export const sinkSchema = z.discriminatedUnion("type", [
  fileSinkSchema,
  s3SinkSchema,
  syslogSinkSchema,
  httpSinkSchema,
  consoleSinkSchema,
]);

// What these schemas parse to, written out (tests/lib/config/types_test.ts keeps them equal).
export type {
  ConsoleSinkConfig,
  FileSinkConfig,
  HttpSinkConfig,
  S3SinkConfig,
  S3Target,
  SinkConfig,
  SinkType,
  SyslogSinkConfig,
} from "./config_types.ts";
