/**
 * The syslog sink: RFC 5424 or 3164 messages over UDP (one datagram each), TCP or TLS with
 * RFC 6587 octet-counting framing (or newline framing), or a unix stream socket.
 *
 * Delivery: a batch counts as delivered when the kernel accepted it (UDP sent, stream written).
 * Plain syslog has no application-level acknowledgement; a dead TCP peer is noticed by a
 * background read seeing EOF, and the next batch then reconnects.
 *
 * @module
 */
import type { Socket } from "node:dgram";
import type { SyslogSinkConfig } from "./config.ts";
import { SinkError } from "./errors.ts";
import { eventField, eventHost, eventSource, eventText, eventTime } from "./event.ts";
import type { Sink, SinkEvent } from "./sink.ts";
import {
  facilityOf,
  formatRfc3164,
  formatRfc5424,
  severityOf,
  truncateUtf8,
} from "./syslog_format.ts";
import { compileTemplate, type Template } from "./template.ts";

const encoder = new TextEncoder();

/** Splits `host:port` (IPv6 in brackets), with a default port. */
export function splitAddress(address: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!m) throw new RangeError(`expected "host:port", found ${JSON.stringify(address)}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

/** Sends events as syslog messages. */
export class SyslogSink implements Sink {
  readonly name: string;
  readonly #c: SyslogSinkConfig;
  readonly #host: string;
  readonly #protocol: "udp" | "tcp" | "tls" | "unix";
  readonly #facility: number;
  readonly #severity: number;
  readonly #appName: Template;
  readonly #max: number;
  readonly #format: (m: Parameters<typeof formatRfc5424>[0]) => string;
  #conn: Deno.Conn | undefined;
  #connDead = false;
  #udp: Socket | undefined;

  constructor(config: SyslogSinkConfig, options: { host: string }) {
    this.name = config.name;
    this.#c = config;
    this.#host = config.hostname ?? options.host;
    this.#protocol = config.protocol ?? "udp";
    this.#facility = facilityOf(config.facility);
    const sev = config.severity === undefined ? 6 : severityOf(config.severity);
    if (sev === undefined) throw new RangeError(`unknown syslog severity "${config.severity}"`);
    this.#severity = sev;
    this.#appName = compileTemplate(config.app_name ?? "{source}", ["source", "host", "sink"]);
    this.#max = config.max_message_bytes ?? 8192;
    this.#format = (config.format ?? "rfc5424") === "rfc5424" ? formatRfc5424 : formatRfc3164;
    if (this.#protocol === "unix" && !config.path) {
      throw new RangeError(`syslog sink "${config.name}": protocol unix needs "path"`);
    }
    if (this.#protocol !== "unix" && !config.address) {
      throw new RangeError(
        `syslog sink "${config.name}": protocol ${this.#protocol} needs "address"`,
      );
    }
  }

  /** Connects (streams) or opens the socket (UDP); throws when the peer is unreachable. */
  async check(): Promise<void> {
    if (this.#protocol === "udp") await this.#udpSocket();
    else await this.#stream();
  }

  /** The message bytes of one event, truncated to `max_message_bytes`. */
  encode(event: SinkEvent, now: Date): Uint8Array {
    const severity = this.#c.severity_field
      ? severityOf(eventField(event, this.#c.severity_field)) ?? this.#severity
      : this.#severity;
    let message = eventText(event);
    if (this.#protocol === "udp" || this.#c.framing === "newline") {
      // One line per message where the framing is a newline or a datagram reader expects one.
      if (message.includes("\n")) message = message.replaceAll("\n", "\\n");
    }
    const source = eventSource(event, this.name);
    const text = this.#format({
      facility: this.#facility,
      severity,
      time: eventTime(event),
      hostname: eventHost(event, this.#host),
      appName: this.#appName({ source, host: this.#host, sink: this.name }, now),
      message,
    });
    return truncateUtf8(encoder.encode(text), this.#max);
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    const now = new Date();
    if (this.#protocol === "udp") {
      const socket = await this.#udpSocket();
      const { host, port } = splitAddress(this.#c.address!, 514);
      for (const e of batch) {
        const msg = this.encode(e, now);
        await new Promise<void>((resolve, reject) => {
          socket.send(
            msg,
            port,
            host,
            (err) => err ? reject(networkError(err, this.#where())) : resolve(),
          );
        });
      }
      return;
    }
    const octet = (this.#c.framing ?? "octet_counting") === "octet_counting";
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const e of batch) {
      const msg = this.encode(e, now);
      const head = encoder.encode(octet ? `${msg.length} ` : "");
      parts.push(head, msg);
      total += head.length + msg.length;
      if (!octet) {
        parts.push(NEWLINE);
        total++;
      }
    }
    const buf = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      buf.set(p, off);
      off += p.length;
    }
    const conn = await this.#stream();
    try {
      let written = 0;
      while (written < buf.length) written += await conn.write(buf.subarray(written));
    } catch (e) {
      this.#drop();
      throw networkError(e, this.#where());
    }
  }

  close(): Promise<void> {
    this.#drop();
    const udp = this.#udp;
    this.#udp = undefined;
    if (!udp) return Promise.resolve();
    return new Promise((resolve) => udp.close(() => resolve()));
  }

  #where(): string {
    return this.#protocol === "unix"
      ? `syslog unix:${this.#c.path}`
      : `syslog ${this.#protocol}://${this.#c.address}`;
  }

  #drop(): void {
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#conn = undefined;
  }

  async #udpSocket(): Promise<Socket> {
    if (this.#udp) return this.#udp;
    const { createSocket } = await import("node:dgram");
    const { host } = splitAddress(this.#c.address!, 514);
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.on("error", () => {/* reported per send */});
    this.#udp = socket;
    return socket;
  }

  async #stream(): Promise<Deno.Conn> {
    if (this.#conn && !this.#connDead) return this.#conn;
    this.#drop();
    let conn: Deno.Conn;
    try {
      if (this.#protocol === "unix") {
        conn = await Deno.connect({ transport: "unix", path: this.#c.path! });
      } else {
        const { host, port } = splitAddress(
          this.#c.address!,
          this.#protocol === "tls" ? 6514 : 514,
        );
        if (this.#protocol === "tls") {
          const tls = this.#c.tls ?? {};
          const ca = tls.ca_file ? [await Deno.readTextFile(tls.ca_file)] : undefined;
          const cert = tls.cert_file ? await Deno.readTextFile(tls.cert_file) : undefined;
          const key = tls.key_file ? await Deno.readTextFile(tls.key_file) : undefined;
          conn = await Deno.connectTls({
            hostname: host,
            port,
            ...(ca ? { caCerts: ca } : {}),
            ...(cert && key ? { cert, key } : {}),
          });
        } else {
          conn = await Deno.connect({ hostname: host, port });
        }
      }
    } catch (e) {
      throw networkError(e, this.#where());
    }
    this.#conn = conn;
    this.#connDead = false;
    this.#watch(conn);
    return conn;
  }

  /** A syslog receiver never writes back: a read that ends means the peer closed. */
  #watch(conn: Deno.Conn): void {
    const buf = new Uint8Array(512);
    (async () => {
      try {
        while ((await conn.read(buf)) !== null) { /* ignore */ }
      } catch { /* reset or closed by us */ }
      if (this.#conn === conn) this.#connDead = true;
    })();
  }
}

const NEWLINE = new Uint8Array([10]);

function networkError(e: unknown, where: string): SinkError {
  const message = e instanceof Error ? e.message : String(e);
  return new SinkError(`${where}: ${message}`, { retryable: true, cause: e });
}
