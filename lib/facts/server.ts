/**
 * The /metrics endpoint, behaving like node_exporter: collection at scrape time, gzip when the
 * client asks, `collect[]` / `exclude[]` filters (an unknown `collect[]` name is a 400, an
 * unknown `exclude[]` name is ignored, as in node_exporter 1.10), a limit on concurrent scrapes
 * (503 beyond it), a landing page at `/`, other routes on the same listener (the agent's),
 * optional TLS and basic auth against bcrypt hashes. It runs on the bounded HTTP/1.1 server of
 * http1.ts (header and idle timeouts, connection cap).
 *
 * @module
 */
import type { ServeConfig } from "../config/facts_schema.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";
import { type ConnInfo, serveHttp1 } from "./http1.ts";
import { type Selection, UnknownCollectorError } from "./scraper.ts";

/** What the server needs from the rest of the agent. */
export interface MetricsServerOptions {
  /** `host:port`; `[::]:port` for IPv6. */
  readonly listen: string;
  /** Path of the metrics, e.g. `/metrics`. */
  readonly path: string;
  /** PEM certificate (chain) and key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** user → bcrypt hash; every request then needs basic auth. */
  readonly basicAuthUsers?: Readonly<Record<string, string>>;
  /** Scrapes served at once (default 40, like node_exporter; 0 = unlimited). */
  readonly maxRequests?: number;
  /** Connections open at once (default: a quarter of the open-file limit, 16 to 512). */
  readonly maxConnections?: number;
  /** Longest wait for a request head (default 10 s). */
  readonly headerTimeoutMs?: number;
  /** Longest a keep-alive connection stays open without a request (default 60 s). */
  readonly idleTimeoutMs?: number;
  /**
   * Renders the exposition for a selection; throws UnknownCollectorError for an unknown
   * `collect[]` name. The families of a scrape are whatever this returns, so a caller adds its
   * own (the agent's self-metrics) here.
   */
  readonly render: (select: Selection) => Promise<string>;
  /**
   * Other endpoints on the same listener (the agent's /healthz, /status...), behind the same
   * auth: a response for their paths, undefined for the rest.
   */
  readonly routes?: (
    req: Request,
    url: URL,
  ) => Promise<Response | undefined> | Response | undefined;
  /** Stops the server when aborted. */
  readonly signal?: AbortSignal;
  /** Called for requests that fail inside the server (render errors, accept failures). */
  readonly onError?: (message: string) => void;
}

/** A running server. */
export interface MetricsServer {
  /** The bound address, e.g. `127.0.0.1:8000` (the real port when 0 was asked for). */
  readonly addr: string;
  readonly url: string;
  /** Connections open now. */
  connections(): number;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

/** Splits `host:port` (or `[v6]:port`). */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) throw new RangeError(`expected host:port, found ${JSON.stringify(listen)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new RangeError(`port out of range in ${JSON.stringify(listen)}`);
  return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/**
 * The server options of a `facts.serve` block (the TLS files are read here), for
 * `facts --serve` and the agent alike.
 */
export async function serveOptions(
  s: ServeConfig | undefined,
): Promise<
  Pick<
    MetricsServerOptions,
    | "listen"
    | "path"
    | "tls"
    | "basicAuthUsers"
    | "maxRequests"
    | "maxConnections"
    | "headerTimeoutMs"
    | "idleTimeoutMs"
  >
> {
  return {
    listen: s?.listen ?? "0.0.0.0:8000",
    path: s?.path ?? "/metrics",
    ...(s?.tls
      ? {
        tls: {
          cert: await Deno.readTextFile(s.tls.cert_file),
          key: await Deno.readTextFile(s.tls.key_file),
        },
      }
      : {}),
    ...(s?.basic_auth_users ? { basicAuthUsers: s.basic_auth_users } : {}),
    ...(s?.max_requests !== undefined ? { maxRequests: s.max_requests } : {}),
    ...(s?.max_connections !== undefined ? { maxConnections: s.max_connections } : {}),
    ...(s?.header_timeout !== undefined ? { headerTimeoutMs: s.header_timeout } : {}),
    ...(s?.idle_timeout !== undefined ? { idleTimeoutMs: s.idle_timeout } : {}),
  };
}

/** What a basic-auth check decided. */
export type AuthResult = "ok" | "denied" | "limited";

/** Limits of {@linkcode BasicAuth}. */
export interface BasicAuthLimits {
  /** Failed attempts a client may make before it must wait (default 10). */
  readonly burst?: number;
  /** Milliseconds to earn back one attempt (default 6000: 10 a minute). */
  readonly refillMs?: number;
  /** bcrypt checks waiting at once, over all clients (default 16); more are refused. */
  readonly maxPending?: number;
}

const sha256Hex = async (text: string) =>
  Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");

/**
 * Checks `Authorization: Basic` against bcrypt hashes without letting attackers probe user
 * names or starve good scrapes:
 *
 * - an unknown user is checked against a dummy hash of the same cost, so both take as long;
 * - each outcome is cached per credential (a digest of user and password), as node_exporter
 *   does, so a scraper pays for bcrypt once and a repeated guess costs nothing;
 * - bcrypt runs one check at a time, each client has at most one waiting, a bounded number
 *   wait in all, and a client that keeps failing gets `limited` (429) without any bcrypt work.
 */
export class BasicAuth {
  readonly #users: Readonly<Record<string, string>>;
  readonly #cache = new Map<string, boolean>();
  readonly #clients = new Map<string, { tokens: number; at: number; pending: boolean }>();
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #maxPending: number;
  #pending = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #dummy: Promise<string> | undefined;
  #bcrypt: Promise<typeof import("bcryptjs")> | undefined;

  constructor(users: Readonly<Record<string, string>>, limits: BasicAuthLimits = {}) {
    this.#users = users;
    this.#burst = limits.burst ?? 10;
    this.#refillMs = limits.refillMs ?? 6000;
    this.#maxPending = limits.maxPending ?? 16;
  }

  /** Loads bcrypt and makes the dummy hash (one bcrypt run); the server does this at start. */
  prepare(): Promise<string> {
    this.#bcrypt ??= import("bcryptjs");
    return this.#dummy ??= this.#bcrypt.then(async ({ hash, getRounds }) => {
      const costs = Object.values(this.#users).map((h) => getRounds(h));
      return await hash(crypto.randomUUID(), Math.max(4, ...costs));
    });
  }

  /** Decides on the header of a request from `client` (an address). */
  async check(header: string | null, client = ""): Promise<AuthResult> {
    const cred = decodeBasic(header);
    if (!cred) return "denied";
    const known = Object.hasOwn(this.#users, cred.user);
    const hash = known ? this.#users[cred.user]! : await this.prepare();
    const key = await sha256Hex(`${hash}\0${cred.user}\0${cred.password}`);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached ? "ok" : this.#fail(client);
    const c = this.#client(client);
    if (c.tokens < 1 || c.pending || this.#pending >= this.#maxPending) return "limited";
    c.pending = true;
    this.#pending++;
    try {
      const { compare } = await (this.#bcrypt ??= import("bcryptjs"));
      const run = this.#queue.then(() => compare(cred.password, hash));
      this.#queue = run.catch(() => {});
      const ok = (await run) && known;
      this.#remember(key, ok);
      return ok ? "ok" : this.#fail(client);
    } finally {
      c.pending = false;
      this.#pending--;
    }
  }

  #client(client: string) {
    const now = Date.now();
    let c = this.#clients.get(client);
    if (c) {
      c.tokens = Math.min(this.#burst, c.tokens + (now - c.at) / this.#refillMs);
      c.at = now;
      this.#clients.delete(client);
    } else {
      c = { tokens: this.#burst, at: now, pending: false };
      // Bounded: the client seen longest ago goes first.
      if (this.#clients.size >= 4096) this.#clients.delete(this.#clients.keys().next().value!);
    }
    this.#clients.set(client, c);
    return c;
  }

  #fail(client: string): AuthResult {
    const c = this.#client(client);
    c.tokens = Math.max(0, c.tokens - 1);
    return "denied";
  }

  #remember(key: string, ok: boolean) {
    if (this.#cache.size >= 1024) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, ok);
  }
}

/** User and password of an `Authorization: Basic` header; undefined when malformed. */
export function decodeBasic(
  header: string | null,
): { user: string; password: string } | undefined {
  if (!header?.startsWith("Basic ")) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(
      Uint8Array.from(atob(header.slice(6).trim()), (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const LANDING = (path: string) =>
  `<html>
<head><title>Driftless Node Exporter</title></head>
<body>
<h1>Driftless Node Exporter</h1>
<p><a href="${path}">Metrics</a></p>
</body>
</html>
`;

const plain = (body: string, status: number, headers: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });

/** Starts the server; resolves once it listens. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { hostname, port } = parseListen(options.listen);
  const auth = options.basicAuthUsers && Object.keys(options.basicAuthUsers).length > 0
    ? new BasicAuth(options.basicAuthUsers)
    : undefined;
  // Unknown users must cost what known ones cost from the first request on.
  await auth?.prepare();
  const maxRequests = options.maxRequests ?? 40;
  let inFlight = 0;

  const handler = async (req: Request, info: ConnInfo): Promise<Response> => {
    if (auth) {
      const result = await auth.check(req.headers.get("authorization"), info.remoteAddr.hostname);
      if (result === "limited") {
        return plain("Too many failed attempts, try again later.\n", 429, { "retry-after": "6" });
      }
      if (result !== "ok") {
        return plain("Unauthorized\n", 401, { "www-authenticate": 'Basic realm="driftless"' });
      }
    }
    const url = new URL(req.url);
    const routed = await options.routes?.(req, url);
    if (routed) return routed;
    if (url.pathname === "/" && options.path !== "/") {
      return new Response(LANDING(options.path), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (url.pathname !== options.path) return plain("404 page not found\n", 404);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return plain("Method Not Allowed\n", 405, { allow: "GET, HEAD" });
    }
    if (maxRequests > 0 && inFlight >= maxRequests) {
      return plain(
        `Limit of concurrent requests reached (${maxRequests}), try again later.\n`,
        503,
      );
    }
    inFlight++;
    try {
      let text: string;
      try {
        text = await options.render({
          collect: url.searchParams.getAll("collect[]"),
          exclude: url.searchParams.getAll("exclude[]"),
        });
      } catch (e) {
        if (
          e instanceof UnknownCollectorError ||
          (e instanceof Error && /cannot be combined/.test(e.message))
        ) {
          return plain(`couldn't create filtered metrics handler: ${e.message}\n`, 400);
        }
        options.onError?.(`scrape failed: ${e instanceof Error ? e.message : String(e)}`);
        return plain("An error has occurred while serving metrics.\n", 500);
      }
      const headers = new Headers({ "content-type": PROMETHEUS_CONTENT_TYPE });
      if (!/\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")) {
        return new Response(text, { headers });
      }
      headers.set("content-encoding", "gzip");
      headers.set("vary", "Accept-Encoding");
      return new Response(
        new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
        { headers },
      );
    } finally {
      inFlight--;
    }
  };

  const server = serveHttp1({
    hostname,
    port,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.headerTimeoutMs !== undefined ? { headerTimeoutMs: options.headerTimeoutMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  }, handler);
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  const scheme = options.tls ? "https" : "http";
  return {
    addr: `${host}:${server.addr.port}`,
    url: `${scheme}://${host}:${server.addr.port}${options.path}`,
    connections: server.connections,
    finished: server.finished,
  };
}
