/**
 * S3 for every job that writes objects (logs, metrics push): a small client factory (endpoint,
 * region, path style, credentials from the config or the standard AWS chain) and the S3 sink,
 * which writes one NDJSON object (gzip by default) per source per batch.
 *
 * `@aws-sdk/client-s3` is heavy (~150 ms to import), so it is imported only when a client is made.
 * Bodies are sent as a `Uint8Array`: a Web `ReadableStream` body fails in the SDK under Deno.
 *
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { envOr } from "../config/paths.ts";
import type { S3SinkConfig, S3Target } from "./config.ts";
import { retryableStatus, SinkError } from "./errors.ts";
import { eventHost, eventJson, eventSource } from "./event.ts";
import { gzip } from "./gzip.ts";
import type { Sink, SinkEvent } from "./sink.ts";
import { compactTime, compileTemplate, type Template } from "./template.ts";

/** How to reach S3 or an S3-compatible server. */
export interface S3ClientOptions {
  /** Region; default `AWS_REGION`, `AWS_DEFAULT_REGION`, then `us-east-1`. */
  readonly region?: string;
  /** Endpoint URL of an S3-compatible server (MinIO, s3rver, ...). */
  readonly endpoint?: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key`. */
  readonly forcePathStyle?: boolean;
  /** Static credentials; without them the SDK's default chain is used. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** SDK-level attempts per request; default 1, since the sink wrapper does the retrying. */
  readonly maxAttempts?: number;
}

/**
 * Makes an S3 client, importing the SDK on first use.
 *
 * @example
 * ```ts
 * const s3 = await createS3Client({ endpoint: "http://127.0.0.1:4568", forcePathStyle: true });
 * ```
 */
export async function createS3Client(options: S3ClientOptions = {}): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const region = options.region ?? envOr("AWS_REGION") ?? envOr("AWS_DEFAULT_REGION") ??
    "us-east-1";
  return new S3Client({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** Client options from an S3 target (a sink's or a facts exporter's). */
export function s3ClientOptions(config: S3Target): S3ClientOptions {
  const credentials = config.access_key_id && config.secret_access_key
    ? {
      accessKeyId: config.access_key_id,
      secretAccessKey: config.secret_access_key,
      ...(config.session_token ? { sessionToken: config.session_token } : {}),
    }
    : undefined;
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.force_path_style !== undefined ? { forcePathStyle: config.force_path_style } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/**
 * Uploads one object; classifies failures for the retry wrapper (network errors, 5xx, 429 and
 * throttling are retryable; 413 means "too large").
 */
export async function putObject(
  client: S3Client,
  object: { bucket: string; key: string; body: Uint8Array },
  options: { contentType?: string; contentEncoding?: string; storageClass?: string } = {},
): Promise<void> {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: object.bucket,
        Key: object.key,
        Body: object.body,
        ContentLength: object.body.byteLength,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.contentEncoding ? { ContentEncoding: options.contentEncoding } : {}),
        // deno-lint-ignore no-explicit-any
        ...(options.storageClass ? { StorageClass: options.storageClass as any } : {}),
      }),
    );
  } catch (e) {
    throw classifyS3Error(e, `s3://${object.bucket}/${object.key}`);
  }
}

/** Turns an SDK error into a SinkError with the right retry decision. */
export function classifyS3Error(e: unknown, where: string): SinkError {
  const err = e as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const status = err.$metadata?.httpStatusCode;
  const throttled = /Throttl|SlowDown|RequestTimeout/i.test(err.name ?? "");
  const retryable = status === undefined || retryableStatus(status) || throttled ||
    err.$retryable !== undefined;
  const message = `PUT ${where} failed: ${err.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}${
    err.message && err.message !== err.name ? `: ${err.message}` : ""
  }`;
  return new SinkError(message, {
    retryable,
    tooLarge: status === 413 || err.name === "EntityTooLarge",
    ...(status !== undefined ? { status } : {}),
    cause: e,
  });
}

const KEY_NAMES = ["prefix", "host", "source", "sink", "time", "uuid"] as const;

/** The default object key: `prefix/host/source/YYYY/MM/DD/HH/<time>-<uuid>.ndjson.gz`. */
export const DEFAULT_S3_KEY = "{prefix}/{host}/{source}/%Y/%m/%d/%H/{time}-{uuid}.ndjson";

/** Writes each batch as NDJSON objects, one per source, gzipped unless `gzip: false`. */
export class S3Sink implements Sink {
  readonly name: string;
  readonly #config: S3SinkConfig;
  readonly #host: string;
  readonly #key: Template;
  readonly #gzip: boolean;
  #client: S3Client | undefined;
  /** Groups of a batch already stored, so a retry after a partial failure does not repeat them. */
  readonly #done = new WeakMap<readonly SinkEvent[], Set<string>>();

  constructor(config: S3SinkConfig, options: { host: string; client?: S3Client }) {
    this.name = config.name;
    this.#config = config;
    this.#host = options.host;
    this.#gzip = config.gzip ?? true;
    this.#key = compileTemplate(
      config.key ?? (DEFAULT_S3_KEY + (this.#gzip ? ".gz" : "")),
      KEY_NAMES,
    );
    this.#client = options.client;
  }

  async #s3(): Promise<S3Client> {
    return this.#client ??= await createS3Client(s3ClientOptions(this.#config));
  }

  /** Checks the bucket exists and is reachable with these credentials. */
  async check(): Promise<void> {
    const { HeadBucketCommand } = await import("@aws-sdk/client-s3");
    try {
      await (await this.#s3()).send(new HeadBucketCommand({ Bucket: this.#config.bucket }));
    } catch (e) {
      throw classifyS3Error(e, `s3://${this.#config.bucket}`);
    }
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const groups = new Map<string, SinkEvent[]>();
    for (const e of batch) {
      const group = `${eventSource(e, this.name)}\0${eventHost(e, this.#host)}`;
      let list = groups.get(group);
      if (!list) groups.set(group, list = []);
      list.push(e);
    }
    const done = this.#done.get(batch) ?? new Set<string>();
    this.#done.set(batch, done);
    const client = await this.#s3();
    const now = new Date();
    for (const [group, events] of groups) {
      if (done.has(group)) continue;
      const [source, host] = group.split("\0") as [string, string];
      const key = this.#key({
        prefix: this.#config.prefix ?? "logs",
        host,
        source,
        sink: this.name,
        time: compactTime(now),
        uuid: crypto.randomUUID(),
      }, now).replace(/^\/+/, "").replace(/\/{2,}/g, "/");
      const text = events.map(eventJson).join("\n") + "\n";
      const raw = new TextEncoder().encode(text);
      const body = this.#gzip ? await gzip(raw) : raw;
      await putObject(client, { bucket: this.#config.bucket, key, body }, {
        contentType: "application/x-ndjson",
        ...(this.#gzip ? { contentEncoding: "gzip" } : {}),
        ...(this.#config.storage_class ? { storageClass: this.#config.storage_class } : {}),
      });
      done.add(group);
    }
  }

  close(): Promise<void> {
    this.#client?.destroy();
    this.#client = undefined;
    return Promise.resolve();
  }
}
