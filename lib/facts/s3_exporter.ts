/**
 * Pushes snapshots to S3 or an S3-compatible server: one object per push at
 * `prefix/host/YYYY/MM/DD/HHMMSS.mmm-<random>.prom.gz` (or `.json.gz`): the random part keeps two
 * pushes of one millisecond (two processes on a host) from overwriting each other. The client and the upload come from
 * the shared S3 sink code (`lib/sinks/s3.ts`): endpoint, path style, region and credentials from
 * the config or the standard AWS chain; `@aws-sdk/client-s3` is imported on first use.
 *
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3ExporterConfig } from "../config/facts_schema.ts";
import { createS3Client, putObject, type S3ClientOptions, s3ClientOptions } from "../sinks/s3.ts";
import { datePath, encodeSnapshot, type Snapshot } from "./snapshot.ts";

/** The object key of a snapshot; `unique` tells apart pushes of the same millisecond. */
export function s3Key(
  prefix: string,
  host: string,
  time: Date,
  ext: string,
  unique: string = crypto.randomUUID().slice(0, 8),
): string {
  return [prefix.replace(/^\/+|\/+$/g, ""), host, `${datePath(time)}-${unique}${ext}`]
    .filter(Boolean).join("/");
}

/** Client options from an exporter config. */
export function s3ExporterClientOptions(c: S3ExporterConfig): S3ClientOptions {
  // The export loop pushes again at the next interval; let the SDK retry a few times first.
  return { ...s3ClientOptions(c), maxAttempts: 3 };
}

/** Pushes snapshots to one bucket. */
export class S3Exporter {
  readonly name: string;
  readonly #c: S3ExporterConfig;
  #client: S3Client | undefined;

  constructor(config: S3ExporterConfig, options: { client?: S3Client } = {}) {
    this.#c = config;
    this.name = `s3://${config.bucket}/${config.prefix ?? "metrics"}`;
    this.#client = options.client;
  }

  /** Uploads one snapshot; resolves with its key once S3 has stored it. */
  async push(s: Snapshot): Promise<string> {
    this.#client ??= await createS3Client(s3ExporterClientOptions(this.#c));
    const enc = await encodeSnapshot(s, {
      ...(this.#c.format ? { format: this.#c.format } : {}),
      ...(this.#c.gzip !== undefined ? { gzip: this.#c.gzip } : {}),
    });
    const key = s3Key(this.#c.prefix ?? "metrics", s.host, s.time, enc.ext);
    await putObject(this.#client, { bucket: this.#c.bucket, key, body: enc.body }, {
      contentType: enc.contentType,
      ...(enc.gzipped ? { contentEncoding: "gzip" } : {}),
    });
    return key;
  }

  /** Releases the client. */
  close(): void {
    this.#client?.destroy();
    this.#client = undefined;
  }
}
