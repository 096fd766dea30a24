/**
 * The HTTP sink: POSTs each batch as NDJSON, a JSON array, or an Elasticsearch `_bulk` request
 * (per-item errors: 429/5xx items are retried alone, others are rejected and counted), with
 * optional gzip, headers and basic or bearer auth (values from `${SECRETS}`, never printed).
 *
 * Status handling: 2xx delivered; 408, 425, 429 and 5xx retried (Retry-After honoured); 413
 * splits the batch; 400, 410, 415 and 422 reject the batch (retrying cannot help); other 4xx
 * (401, 403, 404, ...) are retried, since fixing the config or the server lets them through and
 * the lines are not lost meanwhile.
 *
 * @module
 */
import type { HttpSinkConfig } from "./config.ts";
import { parseRetryAfter, PartialFailure, retryableStatus, SinkError } from "./errors.ts";
import { eventJson, eventSource } from "./event.ts";
import { gzip } from "./gzip.ts";
import type { Sink, SinkEvent } from "./sink.ts";
import { compileTemplate, type Template } from "./template.ts";

const REJECT = new Set([400, 410, 415, 422]);

/** Sends batches to an HTTP endpoint. */
export class HttpSink implements Sink {
  readonly name: string;
  readonly #c: HttpSinkConfig;
  readonly #url: string;
  readonly #headers: Headers;
  readonly #index: Template | undefined;
  readonly #timeoutMs: number;
  #client: Deno.HttpClient | undefined;
  #clientReady = false;
  /** The body of the batch being retried: built once, not at every attempt of an outage. */
  #pending: { batch: readonly SinkEvent[]; body: Uint8Array } | undefined;

  constructor(config: HttpSinkConfig, options: { host: string }) {
    this.name = config.name;
    this.#c = config;
    const format = config.format ?? "ndjson";
    this.#url = format === "elasticsearch" && !/\/_bulk\/?(\?.*)?$/.test(config.url)
      ? config.url.replace(/\/?(\?.*)?$/, (_, q) => `/_bulk${q ?? ""}`)
      : config.url;
    this.#index = format === "elasticsearch"
      ? compileTemplate(config.index ?? "logs-{source}", ["source", "host", "sink"])
      : undefined;
    this.#timeoutMs = config.timeout ?? 30_000;
    const h = new Headers(config.headers ?? {});
    h.set(
      "content-type",
      format === "json_array" ? "application/json" : "application/x-ndjson",
    );
    if (config.gzip) h.set("content-encoding", "gzip");
    const auth = config.auth;
    if (auth && "basic" in auth) {
      const raw = new TextEncoder().encode(`${auth.basic.username}:${auth.basic.password}`);
      h.set("authorization", `Basic ${btoa(String.fromCharCode(...raw))}`);
    } else if (auth && "bearer" in auth) {
      h.set("authorization", `Bearer ${auth.bearer}`);
    }
    h.set("user-agent", "driftless");
    this.#headers = h;
    void options;
  }

  /** Checks the endpoint answers at all (any HTTP status counts: many refuse a bare HEAD). */
  async check(): Promise<void> {
    try {
      const r = await fetch(this.#url, {
        method: "HEAD",
        headers: this.#headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(await this.#clientOption()),
      });
      await r.body?.cancel();
    } catch (e) {
      throw new SinkError(`HTTP ${this.#safeUrl()}: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
  }

  /** The request body of a batch, before gzip. */
  body(batch: readonly SinkEvent[], now: Date): string {
    switch (this.#c.format ?? "ndjson") {
      case "json_array":
        return `[${batch.map(eventJson).join(",")}]`;
      case "elasticsearch": {
        let out = "";
        for (const e of batch) {
          const index = this.#index!({
            source: eventSource(e, this.name),
            host: "",
            sink: this.name,
          }, now);
          out += `{"create":{"_index":${JSON.stringify(index)}}}\n${eventJson(e)}\n`;
        }
        return out;
      }
      default: {
        let out = "";
        for (const e of batch) out += eventJson(e) + "\n";
        return out;
      }
    }
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    if (batch.length === 0) return;
    let body = this.#pending?.batch === batch ? this.#pending.body : undefined;
    if (!body) {
      const raw = new TextEncoder().encode(this.body(batch, new Date()));
      body = this.#c.gzip ? await gzip(raw) : raw;
      this.#pending = { batch, body };
    }
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: this.#c.method ?? "POST",
        headers: this.#headers,
        body: body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(await this.#clientOption()),
      });
    } catch (e) {
      throw new SinkError(`HTTP ${this.#safeUrl()}: ${(e as Error).message}`, {
        retryable: true,
        cause: e,
      });
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      this.#pending = undefined;
      if ((this.#c.format ?? "ndjson") === "elasticsearch") {
        const text = await response.text();
        this.#bulkResult(batch, text, parseRetryAfter(response.headers.get("retry-after")));
      } else {
        await response.body?.cancel();
      }
      return;
    }
    if (REJECT.has(status)) this.#pending = undefined;
    const detail = (await response.text().catch(() => "")).slice(0, 200).replace(/\s+/g, " ");
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    throw new SinkError(
      `HTTP ${this.#safeUrl()} answered ${status}${detail ? `: ${detail}` : ""}`,
      {
        status,
        retryable: !REJECT.has(status) && (retryableStatus(status) || status < 500),
        tooLarge: status === 413,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }

  /** Reads a `_bulk` answer: failed items with 429/5xx are retried, others rejected. */
  #bulkResult(batch: readonly SinkEvent[], text: string, retryAfterMs: number | undefined): void {
    let answer: {
      errors?: boolean;
      items?: Record<string, { status?: number; error?: unknown }>[];
    };
    try {
      answer = JSON.parse(text);
    } catch {
      throw new SinkError(`Elasticsearch ${this.#safeUrl()}: the _bulk answer is not JSON`, {
        retryable: true,
      });
    }
    if (!answer.errors) return;
    const items = answer.items ?? [];
    if (items.length !== batch.length) {
      throw new SinkError(
        `Elasticsearch ${this.#safeUrl()}: ${items.length} results for ${batch.length} events`,
        { retryable: true },
      );
    }
    const retry: SinkEvent[] = [];
    let rejected = 0;
    let reason = "";
    items.forEach((item, i) => {
      const result = Object.values(item)[0] ?? {};
      const s = result.status ?? 500;
      if (s >= 200 && s < 300) return;
      if (retryableStatus(s)) retry.push(batch[i]!);
      else {
        rejected++;
        reason ||= `${s} ${JSON.stringify(result.error ?? "").slice(0, 200)}`;
      }
    });
    if (retry.length === 0 && rejected === 0) return;
    throw new PartialFailure(
      `Elasticsearch bulk: ${retry.length} to retry, ${rejected} rejected${
        reason ? ` (${reason})` : ""
      }`,
      { retry, rejected, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    );
  }

  close(): Promise<void> {
    this.#client?.close();
    this.#client = undefined;
    this.#clientReady = false;
    return Promise.resolve();
  }

  /** The URL without credentials, for messages. */
  #safeUrl(): string {
    try {
      const u = new URL(this.#url);
      u.username = "";
      u.password = "";
      return u.toString();
    } catch {
      return this.#url;
    }
  }

  async #clientOption(): Promise<{ client?: Deno.HttpClient }> {
    if (!this.#clientReady) {
      const tls = this.#c.tls;
      if (tls && (tls.ca_file || tls.cert_file)) {
        const ca = tls.ca_file ? [await Deno.readTextFile(tls.ca_file)] : undefined;
        const cert = tls.cert_file ? await Deno.readTextFile(tls.cert_file) : undefined;
        const key = tls.key_file ? await Deno.readTextFile(tls.key_file) : undefined;
        this.#client = Deno.createHttpClient({
          ...(ca ? { caCerts: ca } : {}),
          ...(cert && key ? { cert, key } : {}),
        });
      }
      this.#clientReady = true;
    }
    return this.#client ? { client: this.#client } : {};
  }
}
