/**
 * The sink configs (logs `outputs[]`, `agent.audit.sinks[]`) as TypeScript types, in the two
 * forms they take: as written (durations like `"5s"`, sizes like `"64KiB"`) and as parsed by the
 * schemas in `config.ts` (milliseconds and bytes). `tests/lib/config/types_test.ts` fails the
 * type check when these and the schemas' `z.input`/`z.output` differ.
 *
 * @module
 */

/** How a sink config types its durations and sizes: {@linkcode ParsedUnits} or {@linkcode WrittenUnits}. */
export interface SinkUnits {
  /** The type of a duration. */
  readonly duration: unknown;
  /** The type of a size. */
  readonly size: unknown;
}

/** Durations in milliseconds and sizes in bytes: what the loader returns. */
export interface ParsedUnits extends SinkUnits {
  /** Milliseconds. */
  readonly duration: number;
  /** Bytes. */
  readonly size: number;
}

/** Durations and sizes as a config file (or a `createSink` call) writes them. */
export interface WrittenUnits extends SinkUnits {
  /** `"250ms"`, `"5s"`, `"1m"`, `"1h"`, `"1d"`, or a number of seconds. */
  readonly duration: number | string;
  /** `"64KiB"`, `"10MB"`, `"1G"` (KiB/MiB/GiB and K/M/G are powers of 1024), or a number of bytes. */
  readonly size: number | string;
}

/** When a batch is sent: whichever limit is reached first. */
export interface BatchOptions<U extends SinkUnits = ParsedUnits> {
  /** Events in one batch. */
  max_events?: number | undefined;
  /** Bytes of events (their text) in one batch. */
  max_bytes?: U["size"] | undefined;
  /** Longest an event waits for its batch to fill. */
  timeout?: U["duration"] | undefined;
}

/** Retries of a failed batch (network errors, 5xx, 429): capped exponential backoff with jitter. */
export interface RetryOptions<U extends SinkUnits = ParsedUnits> {
  /** Wait before the first retry (default 1s). */
  initial_backoff?: U["duration"] | undefined;
  /** Longest wait between retries (default 1m). */
  max_backoff?: U["duration"] | undefined;
  /** Attempts before the batch is given up; 0 (the default for logs) retries forever. */
  max_attempts?: number | undefined;
}

/** The bounded queue in front of a sink: when it is full, readers wait (backpressure). */
export interface QueueOptions<U extends SinkUnits = ParsedUnits> {
  /** Events queued at most. */
  max_events?: number | undefined;
  /** Bytes of events queued at most. */
  max_bytes?: U["size"] | undefined;
}

/** TLS of a syslog or HTTP sink. */
export interface SinkTlsOptions {
  /** PEM file of the CA that signed the server certificate (default: the system store). */
  ca_file?: string | undefined;
  /** PEM file of a client certificate, for mutual TLS. */
  cert_file?: string | undefined;
  /** PEM file of the client certificate's key, for mutual TLS. */
  key_file?: string | undefined;
}

/** Keys every sink takes. */
export interface SinkOptions<U extends SinkUnits = ParsedUnits> {
  /** Name used by `outputs:` lists, messages and metrics. */
  name: string;
  /** When a batch is sent. */
  batch?: BatchOptions<U> | undefined;
  /** Retries of a failed batch. */
  retry?: RetryOptions<U> | undefined;
  /** The bounded queue in front of the sink. */
  queue?: QueueOptions<U> | undefined;
}

/** When a file sink starts a new file. */
export interface FileRotation<U extends SinkUnits = ParsedUnits> {
  /** Rotate when the file reaches this size. */
  max_bytes?: U["size"] | undefined;
  /** Rotate after this long. */
  interval?: U["duration"] | undefined;
}

/** Local files: one per path template, rotated by size or time, closed files gzipped. */
export interface FileSinkConfig<U extends SinkUnits = ParsedUnits> extends SinkOptions<U> {
  /** Selects the sink. */
  type: "file";
  /** Path template: `{source}`, `{host}`, `{sink}`, `{date}` and strftime `%Y %m %d %H %M`. */
  path: string;
  /** Text of each event: the raw line (`message`), or the whole event as JSON. */
  format?: "raw" | "json" | undefined;
  /** When to start a new file. */
  rotate?: FileRotation<U> | undefined;
  /** Gzip a file when it is rotated. */
  compress?: boolean | undefined;
  /** Rotated files kept per path (oldest removed first); 0 keeps all. */
  max_files?: number | undefined;
  /** File mode of new files, as an octal string (`"0640"`). */
  mode?: string | undefined;
  /** fsync before acknowledging (default true: an ack means the lines are on disk). */
  fsync?: boolean | undefined;
}

/**
 * Where objects go in S3 or an S3-compatible server, and how to reach it (the S3 sink and the
 * facts S3 exporter read the same keys).
 */
export interface S3Target {
  /** The bucket. */
  bucket: string;
  /** Key prefix. */
  prefix?: string | undefined;
  /** The bucket's region. */
  region?: string | undefined;
  /** Endpoint of an S3-compatible server, e.g. `http://127.0.0.1:4568`. */
  endpoint?: string | undefined;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  force_path_style?: boolean | undefined;
  /** Static credentials; by default the standard AWS chain (env, shared files, instance role). */
  access_key_id?: string | undefined;
  /** The secret of `access_key_id`. */
  secret_access_key?: string | undefined;
  /** A session token that goes with temporary credentials. */
  session_token?: string | undefined;
}

/** S3 or an S3-compatible server: one object of NDJSON (gzip by default) per source per batch. */
export interface S3SinkConfig<U extends SinkUnits = ParsedUnits> extends SinkOptions<U>, S3Target {
  /** Selects the sink. */
  type: "s3";
  /** Key template: `{prefix}`, `{host}`, `{source}`, `{time}`, `{uuid}`, strftime `%Y %m %d %H`. */
  key?: string | undefined;
  /** Gzip each object (default true). */
  gzip?: boolean | undefined;
  /** The objects' storage class (`STANDARD_IA`, ...). */
  storage_class?: string | undefined;
}

/** Syslog over UDP, TCP (octet-counting framing), TLS or a unix stream socket. */
export interface SyslogSinkConfig<U extends SinkUnits = ParsedUnits> extends SinkOptions<U> {
  /** Selects the sink. */
  type: "syslog";
  /** Transport (default `udp`). */
  protocol?: "udp" | "tcp" | "tls" | "unix" | undefined;
  /** `host:port` for udp, tcp and tls (default port 514, or 6514 for tls). */
  address?: string | undefined;
  /** Socket path for `unix`. */
  path?: string | undefined;
  /** Message format (default `rfc5424`). */
  format?: "rfc5424" | "rfc3164" | undefined;
  /** Stream framing: RFC 6587 octet counting (default) or a newline after each message. */
  framing?: "octet_counting" | "newline" | undefined;
  /** Facility: a number 0 to 23 or a name (`local0`, `daemon`, ...). */
  facility?: number | string | undefined;
  /** Severity: a number 0 to 7 or a name (`err`, `warning`, `info`, ...). */
  severity?: number | string | undefined;
  /** Event field whose value (error, warn, info, ...) sets the severity per event. */
  severity_field?: string | undefined;
  /** APP-NAME template (default `{source}`). */
  app_name?: string | undefined;
  /** HOSTNAME of the messages (default the host's). */
  hostname?: string | undefined;
  /** Longer messages are truncated (UDP datagrams cannot be split). */
  max_message_bytes?: U["size"] | undefined;
  /** TLS for `protocol: tls`. */
  tls?: SinkTlsOptions | undefined;
}

/** HTTP basic authentication. */
export interface HttpBasicAuth {
  /** The user name and password. */
  basic: {
    /** The user name. */
    username: string;
    /** The password. */
    password: string;
  };
}

/** An HTTP bearer token (`Authorization: Bearer ...`). */
export interface HttpBearerAuth {
  /** The token. */
  bearer: string;
}

/** HTTP: NDJSON, a JSON array, or Elasticsearch `_bulk` with per-item error handling. */
export interface HttpSinkConfig<U extends SinkUnits = ParsedUnits> extends SinkOptions<U> {
  /** Selects the sink. */
  type: "http";
  /** Where batches are sent. */
  url: string;
  /** Request method (default `POST`). */
  method?: "POST" | "PUT" | undefined;
  /** Body format (default `ndjson`). */
  format?: "ndjson" | "json_array" | "elasticsearch" | undefined;
  /** Elasticsearch index template (strftime `%Y.%m.%d`, `{source}`); default `logs-{source}`. */
  index?: string | undefined;
  /** Gzip request bodies (default false). */
  gzip?: boolean | undefined;
  /** Extra request headers. */
  headers?: Record<string, string> | undefined;
  /** Basic auth or a bearer token. */
  auth?: HttpBasicAuth | HttpBearerAuth | undefined;
  /** Per-request timeout. */
  timeout?: U["duration"] | undefined;
  /** TLS options for `https:` URLs. */
  tls?: SinkTlsOptions | undefined;
}

/** The process's stdout or stderr. */
export interface ConsoleSinkConfig<U extends SinkUnits = ParsedUnits> extends SinkOptions<U> {
  /** Selects the sink. */
  type: "console";
  /** Which stream (default `stdout`). */
  stream?: "stdout" | "stderr" | undefined;
  /** Text of each event: the raw line (`message`), or the whole event as JSON. */
  format?: "raw" | "json" | undefined;
}

/** Any sink, selected by `type`; parsed (ms and bytes) unless `U` says otherwise. */
export type SinkConfig<U extends SinkUnits = ParsedUnits> =
  | FileSinkConfig<U>
  | S3SinkConfig<U>
  | SyslogSinkConfig<U>
  | HttpSinkConfig<U>
  | ConsoleSinkConfig<U>;

/** A sink config as written: `timeout: "5s"` (or 5, in seconds), `max_bytes: "1MiB"`. */
export type SinkInput = SinkConfig<WrittenUnits>;

/** A sink type name. */
export type SinkType = SinkConfig["type"];
