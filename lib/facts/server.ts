/**
 * The /metrics endpoint on `Deno.serve`, behaving like node_exporter: collection at scrape
 * time, gzip when the client asks, `collect[]` / `exclude[]` filters (an unknown collector is a
 * 400), a limit on concurrent scrapes (503 beyond it), a landing page at `/`, optional TLS and
 * basic auth checked against bcrypt hashes (bcryptjs, imported when auth is configured), and a
 * graceful stop on an abort signal.
 *
 * @module
 */
import { type Selection, UnknownCollectorError } from "./scraper.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./exposition.ts";

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
  /** Scrapes served at once (0 = unlimited). */
  readonly maxRequests?: number;
  /** Renders the exposition for a selection; throws UnknownCollectorError for a bad name. */
  readonly render: (select: Selection) => Promise<string>;
  /** Stops the server when aborted. */
  readonly signal?: AbortSignal;
  /** Other endpoints on the same listener (the agent's /healthz, /status...), behind the same auth; undefined: not theirs. */
  readonly routes?: (
    req: Request,
    url: URL,
  ) => Promise<Response | undefined> | Response | undefined;
  /** Called for requests that fail inside the server (render errors). */
  readonly onError?: (message: string) => void;
}

/** A running server. */
export interface MetricsServer {
  /** The bound address, e.g. `127.0.0.1:8000` (the real port when 0 was asked for). */
  readonly addr: string;
  readonly url: string;
  /** Resolves when the server has stopped. */
  readonly finished: Promise<void>;
}

/** Splits `host:port` (or `[v6]:port`) for Deno.serve. */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) throw new RangeError(`expected host:port, found ${JSON.stringify(listen)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new RangeError(`port out of range in ${JSON.stringify(listen)}`);
  return { hostname: m[1] ?? (m[2] || "0.0.0.0"), port };
}

/** Checks `Authorization: Basic` against bcrypt hashes; remembers credentials that passed. */
export class BasicAuth {
  readonly #users: Readonly<Record<string, string>>;
  /** SHA-256 of "user:password" that matched (bcrypt costs ~50 ms; scrapes come every 15 s). */
  readonly #ok = new Set<string>();
  #bcrypt: Promise<typeof import("bcryptjs")> | undefined;

  constructor(users: Readonly<Record<string, string>>) {
    this.#users = users;
  }

  /** True when the header carries a known user and the right password. */
  async check(header: string | null): Promise<boolean> {
    if (!header?.startsWith("Basic ")) return false;
    let decoded: string;
    try {
      decoded = new TextDecoder().decode(
        Uint8Array.from(atob(header.slice(6).trim()), (c) => c.charCodeAt(0)),
      );
    } catch {
      return false;
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const hash = Object.hasOwn(this.#users, user) ? this.#users[user] : undefined;
    if (hash === undefined) return false;
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${hash}\0${decoded}`)),
    );
    const key = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    if (this.#ok.has(key)) return true;
    this.#bcrypt ??= import("bcryptjs");
    const { compare } = await this.#bcrypt;
    const ok = await compare(decoded.slice(colon + 1), hash);
    if (ok) this.#ok.add(key);
    return ok;
  }
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

/** Starts the server; resolves once it listens. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { hostname, port } = parseListen(options.listen);
  const auth = options.basicAuthUsers && Object.keys(options.basicAuthUsers).length > 0
    ? new BasicAuth(options.basicAuthUsers)
    : undefined;
  const maxRequests = options.maxRequests ?? 40;
  let inFlight = 0;

  const handler = async (req: Request): Promise<Response> => {
    if (auth && !(await auth.check(req.headers.get("authorization")))) {
      return new Response("Unauthorized\n", {
        status: 401,
        headers: {
          "www-authenticate": 'Basic realm="driftless"',
          "content-type": "text/plain; charset=utf-8",
        },
      });
    }
    const url = new URL(req.url);
    const routed = await options.routes?.(req, url);
    if (routed) return routed;
    if (url.pathname === "/" && options.path !== "/") {
      return new Response(LANDING(options.path), {
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (url.pathname !== options.path) return new Response("404 page not found\n", { status: 404 });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (maxRequests > 0 && inFlight >= maxRequests) {
      return new Response(
        `Limit of concurrent requests reached (${maxRequests}), try again later.\n`,
        { status: 503 },
      );
    }
    inFlight++;
    try {
      const select = {
        collect: url.searchParams.getAll("collect[]"),
        exclude: url.searchParams.getAll("exclude[]"),
      };
      let text: string;
      try {
        text = await options.render(select);
      } catch (e) {
        if (
          e instanceof UnknownCollectorError ||
          (e instanceof Error && /cannot be combined/.test(e.message))
        ) {
          return new Response(`couldn't create filtered metrics handler: ${e.message}\n`, {
            status: 400,
          });
        }
        options.onError?.(`scrape failed: ${e instanceof Error ? e.message : String(e)}`);
        return new Response("An error has occurred while serving metrics.\n", { status: 500 });
      }
      const headers = new Headers({ "content-type": PROMETHEUS_CONTENT_TYPE });
      const gzip = /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");
      if (!gzip) return new Response(req.method === "HEAD" ? null : text, { headers });
      headers.set("content-encoding", "gzip");
      headers.set("vary", "Accept-Encoding");
      const body = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
      return new Response(req.method === "HEAD" ? null : body, { headers });
    } finally {
      inFlight--;
    }
  };

  let resolveListen!: (addr: Deno.NetAddr) => void;
  const listening = new Promise<Deno.NetAddr>((r) => (resolveListen = r));
  const server = Deno.serve({
    hostname,
    port,
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onListen: (addr) => resolveListen(addr as Deno.NetAddr),
    onError: (e) => {
      options.onError?.(`request failed: ${e instanceof Error ? e.message : String(e)}`);
      return new Response("Internal Server Error\n", { status: 500 });
    },
  }, handler);
  const addr = await listening;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const scheme = options.tls ? "https" : "http";
  return {
    addr: `${host}:${addr.port}`,
    url: `${scheme}://${host}:${addr.port}${options.path}`,
    finished: server.finished,
  };
}
