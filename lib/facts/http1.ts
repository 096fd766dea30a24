/**
 * A small HTTP/1.1 server on `Deno.listen` / `Deno.listenTls`, for the metrics endpoint and the
 * agent's routes. `Deno.serve` has no header or idle timeout and no connection limit: idle
 * sockets pile up until the process runs out of file descriptors and exits. Here every
 * connection is bounded:
 *
 * - a request's head must arrive within `headerTimeoutMs` (slowloris), a keep-alive connection
 *   closes after `idleTimeoutMs`, and a response that the client does not read within
 *   `writeTimeoutMs` is abandoned;
 * - at most `maxConnections` are open (by default a quarter of the open-file limit, at most
 *   512); when full, the connection idle the longest is closed to make room, so a flood of idle
 *   sockets cannot lock out a scraper;
 * - heads are capped at `maxHeaderBytes` (431), bodies at `maxBodyBytes` (413), and chunked
 *   request bodies are refused (411): nothing on these routes needs them;
 * - a failed `accept()` (EMFILE) backs off and goes on instead of ending the process.
 *
 * Handlers get a standard `Request` (its URL is built on the listening address, never on the
 * client's Host header) and return a `Response`.
 *
 * @module
 */

/** Where a request came from. */
export interface ConnInfo {
  readonly remoteAddr: Deno.NetAddr;
}

/** A request handler. */
export type Http1Handler = (req: Request, info: ConnInfo) => Response | Promise<Response>;

/** Options of {@linkcode serveHttp1}. */
export interface Http1Options {
  readonly hostname: string;
  readonly port: number;
  /** PEM certificate (chain) and key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Closes the listener when aborted; requests in progress finish. */
  readonly signal?: AbortSignal;
  /** Connections open at once (default: a quarter of the open-file limit, 16 to 512). */
  readonly maxConnections?: number;
  /** Longest wait for a request head, from the connection or the previous response (10 s). */
  readonly headerTimeoutMs?: number;
  /** Longest a keep-alive connection waits for its next request (60 s). */
  readonly idleTimeoutMs?: number;
  /** Longest a response may take to be written to the client (30 s). */
  readonly writeTimeoutMs?: number;
  /** Largest request head (8 KiB). */
  readonly maxHeaderBytes?: number;
  /** Largest request body (64 KiB). */
  readonly maxBodyBytes?: number;
  /** Problems that do not stop the server (a failed accept, a handler that threw). */
  readonly onError?: (message: string) => void;
}

/** A running server. */
export interface Http1Server {
  readonly addr: Deno.NetAddr;
  /** Connections open now. */
  connections(): number;
  /** Resolves once the listener is closed and every connection has ended. */
  readonly finished: Promise<void>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  411: "Length Required",
  413: "Content Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The soft open-file limit of this process (1024 when it cannot be read). */
export function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(Deno.readTextFileSync("/proc/self/limits"));
    return m?.[1] === "unlimited" ? 1 << 20 : Number(m?.[1] ?? 1024);
  } catch {
    return 1024;
  }
}

/** The default connection cap: a quarter of the fd limit, leaving the rest to collectors. */
export function defaultMaxConnections(): number {
  return Math.max(16, Math.min(512, Math.floor(openFileLimit() / 4)));
}

/** One parsed request head. */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly version: "1.0" | "1.1";
  readonly headers: Headers;
}

/** Parses a request head (without the final blank line); throws a status and message. */
export function parseHead(text: string): RequestHead {
  const lines = text.split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0] ?? "");
  if (!m) {
    throw new HttpError(/^\S+ \S+ HTTP\/\d/.test(lines[0] ?? "") ? 505 : 400, "bad request line");
  }
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) throw new HttpError(400, "bad header line");
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new HttpError(400, `bad value for header ${name}`);
    }
  }
  return { method: m[1]!, target: m[2]!, version: m[3] === "0" ? "1.0" : "1.1", headers };
}

/** A request the server answers itself, with this status. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

type State = "idle" | "reading" | "busy";

interface Connection {
  readonly conn: Deno.Conn;
  state: State;
  since: number;
}

/** Starts the server; resolves once it listens. */
export function serveHttp1(options: Http1Options, handler: Http1Handler): Http1Server {
  const headerTimeout = options.headerTimeoutMs ?? 10_000;
  const idleTimeout = options.idleTimeoutMs ?? 60_000;
  const writeTimeout = options.writeTimeoutMs ?? 30_000;
  const maxHeader = options.maxHeaderBytes ?? 8192;
  const maxBody = options.maxBodyBytes ?? 65536;
  const maxConnections = options.maxConnections ?? defaultMaxConnections();
  const listener = options.tls
    ? Deno.listenTls({
      hostname: options.hostname,
      port: options.port,
      cert: options.tls.cert,
      key: options.tls.key,
    })
    : Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const base = `${options.tls ? "https" : "http"}://${host}:${addr.port}`;
  const open = new Map<Deno.Conn, Connection>();
  let closing = false;

  const close = (c: Connection) => {
    if (!open.delete(c.conn)) return;
    try {
      c.conn.close();
    } catch { /* already closed */ }
  };

  /** Makes room for a new connection: closes the one idle the longest, if any is. */
  const evict = (): boolean => {
    let oldest: Connection | undefined;
    for (const c of open.values()) {
      if (c.state !== "busy" && (!oldest || c.since < oldest.since)) oldest = c;
    }
    if (oldest) close(oldest);
    return oldest !== undefined;
  };

  const serveConn = async (c: Connection) => {
    // Unparsed bytes: buf[0, len). Grows by doubling, so a head sent a byte at a time costs
    // linear time, as does looking for its end (scanning resumes where it stopped).
    let buf = new Uint8Array(4096);
    let len = 0;
    let scanned = 0;
    const consume = (n: number) => {
      buf.copyWithin(0, n, len);
      len -= n;
      scanned = 0;
    };
    const headEnd = () => {
      for (let i = Math.max(0, scanned - 3); i + 3 < len; i++) {
        if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
      }
      scanned = len;
      return -1;
    };
    /** Reads more bytes before `deadline`; false on EOF, timeout or a closed connection. */
    const fill = async (deadline: number): Promise<boolean> => {
      const ms = deadline - Date.now();
      if (ms <= 0) return false;
      if (len === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
      // The read settles after a timeout too (the connection is then closed): never unhandled.
      const read = c.conn.read(buf.subarray(len)).catch(() => null);
      try {
        const n = await Promise.race([read, timeout]);
        if (n === null) return false;
        len += n;
        c.since = Date.now();
        return true;
      } finally {
        clearTimeout(timer);
      }
    };
    const write = async (bytes: Uint8Array): Promise<boolean> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), writeTimeout)));
      const all = (async () => {
        for (let off = 0; off < bytes.length;) off += await c.conn.write(bytes.subarray(off));
        return true;
      })().catch(() => false);
      try {
        return await Promise.race([all, timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    const respond = async (res: Response, head: boolean, keepAlive: boolean) => {
      const body = res.body ? new Uint8Array(await res.arrayBuffer()) : new Uint8Array(0);
      let text = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? "Unknown"}\r\n`;
      for (const [k, v] of res.headers) {
        if (k !== "content-length" && k !== "connection" && k !== "transfer-encoding") {
          text += `${k}: ${v}\r\n`;
        }
      }
      text += `content-length: ${body.length}\r\nconnection: ${
        keepAlive ? "keep-alive" : "close"
      }\r\n\r\n`;
      const headBytes = encoder.encode(text);
      if (head || body.length === 0) return await write(headBytes);
      const out = new Uint8Array(headBytes.length + body.length);
      out.set(headBytes);
      out.set(body, headBytes.length);
      return await write(out);
    };

    try {
      for (let first = true; !closing; first = false) {
        // Wait for a request: the idle limit until its first byte, then the head limit.
        c.state = "idle";
        if (len === 0 && !(await fill(Date.now() + (first ? headerTimeout : idleTimeout)))) {
          return;
        }
        c.state = "reading";
        const headDeadline = Date.now() + headerTimeout;
        let end = headEnd();
        while (end < 0) {
          if (len > maxHeader) {
            await respond(text(431, "request head too large\n"), false, false);
            return;
          }
          if (!(await fill(headDeadline))) return;
          end = headEnd();
        }
        if (end > maxHeader) {
          await respond(text(431, "request head too large\n"), false, false);
          return;
        }
        c.state = "busy";
        let head: RequestHead;
        let body: Uint8Array<ArrayBuffer> | undefined;
        try {
          head = parseHead(decoder.decode(buf.subarray(0, end)));
          consume(end + 4);
          if (head.headers.has("transfer-encoding")) {
            throw new HttpError(411, "chunked request bodies are not accepted");
          }
          const length = head.headers.get("content-length");
          if (length !== null) {
            if (!/^\d+$/.test(length)) throw new HttpError(400, "bad content-length");
            const n = Number(length);
            if (n > maxBody) throw new HttpError(413, "request body too large");
            while (len < n) {
              if (!(await fill(headDeadline + writeTimeout))) return;
            }
            body = buf.slice(0, n);
            consume(n);
          }
          if (!head.target.startsWith("/")) {
            throw new HttpError(400, "expected an origin-form target");
          }
        } catch (e) {
          const status = e instanceof HttpError ? e.status : 400;
          await respond(text(status, `${(e as Error).message}\n`), false, false);
          return;
        }
        const connHeader = (head.headers.get("connection") ?? "").toLowerCase();
        const keepAlive = !closing &&
          (head.version === "1.1"
            ? !connHeader.includes("close")
            : connHeader.includes("keep-alive"));
        const req = new Request(`${base}${head.target}`, {
          method: head.method,
          headers: head.headers,
          ...(body && head.method !== "GET" && head.method !== "HEAD" ? { body } : {}),
        });
        let res: Response;
        try {
          res = await handler(req, { remoteAddr: c.conn.remoteAddr as Deno.NetAddr });
        } catch (e) {
          options.onError?.(`request failed: ${e instanceof Error ? e.message : String(e)}`);
          res = text(500, "Internal Server Error\n");
        }
        if (!(await respond(res, head.method === "HEAD", keepAlive)) || !keepAlive) return;
      }
    } finally {
      close(c);
    }
  };

  const accepting = (async () => {
    let backoff = 5;
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
        backoff = 5;
      } catch (e) {
        if (closing || e instanceof Deno.errors.BadResource) break;
        // Out of file descriptors (or another transient failure): wait and keep serving.
        options.onError?.(`accept failed: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 1000);
        continue;
      }
      if (open.size >= maxConnections && !evict()) {
        try {
          conn.close();
        } catch { /* gone */ }
        continue;
      }
      const c: Connection = { conn, state: "idle", since: Date.now() };
      open.set(conn, c);
      serveConn(c).catch((e) => options.onError?.(`connection failed: ${String(e)}`));
    }
  })();

  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      closing = true;
      try {
        listener.close();
      } catch { /* closed */ }
      // Idle connections go now; busy ones end after their response.
      for (const c of [...open.values()]) if (c.state !== "busy") close(c);
      const wait = () => (open.size === 0 ? resolve() : setTimeout(wait, 10));
      wait();
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener("abort", stop, { once: true });
  });

  return {
    addr,
    connections: () => open.size,
    finished: options.signal ? Promise.all([accepting, stopped]).then(() => {}) : accepting,
  };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
