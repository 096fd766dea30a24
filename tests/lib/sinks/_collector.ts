/**
 * A real HTTP server on 127.0.0.1 (Deno.serve, free port) that collects what sinks POST:
 * NDJSON, JSON arrays and Elasticsearch `_bulk` bodies, gzipped or not. A script of responses
 * makes the first requests fail (500, 429 with Retry-After, ...) or be down entirely.
 */
import { gunzip } from "../../../lib/sinks/gzip.ts";

/** How the server answers one request; past the script's end it answers 200. */
export type Reply =
  | { status: number; retryAfter?: string }
  | { bulkItems: (i: number) => number };

/** A running collector. */
export interface Collector {
  readonly url: string;
  /** Documents stored, in arrival order. */
  readonly docs: Record<string, unknown>[];
  /** Every request: status answered, headers seen. */
  readonly requests: { status: number; headers: Headers; docs: number }[];
  /** While true, requests are refused with 503 (the sink is "down"). */
  down: boolean;
  stop(): Promise<void>;
}

/** Starts a collector with a script of replies for the first requests (on `port`, default any). */
export function startCollector(script: Reply[] = [], port = 0): Promise<Collector> {
  const docs: Record<string, unknown>[] = [];
  const requests: Collector["requests"] = [];
  const state = { down: false };
  let n = 0;
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      onListen: ({ port }) => {
        resolve({
          url: `http://127.0.0.1:${port}`,
          docs,
          requests,
          get down() {
            return state.down;
          },
          set down(v: boolean) {
            state.down = v;
          },
          stop: () => server.shutdown(),
        });
      },
    }, async (req) => {
      let body: Uint8Array = new Uint8Array(await req.arrayBuffer());
      if (req.method === "HEAD") return new Response(null, { status: 200 });
      if (req.headers.get("content-encoding") === "gzip") body = await gunzip(body);
      const text = new TextDecoder().decode(body);
      const reply = script[n++];
      if (state.down) {
        requests.push({ status: 503, headers: req.headers, docs: 0 });
        return new Response("down", { status: 503 });
      }
      if (reply && "status" in reply) {
        requests.push({ status: reply.status, headers: req.headers, docs: 0 });
        const headers: Record<string, string> = reply.retryAfter
          ? { "retry-after": reply.retryAfter }
          : {};
        return new Response(`failing on purpose (${reply.status})`, {
          status: reply.status,
          headers,
        });
      }
      const url = new URL(req.url);
      if (url.pathname.endsWith("/_bulk")) {
        const lines = text.trimEnd().split("\n");
        const items = [];
        let errors = false;
        for (let i = 0; i < lines.length; i += 2) {
          const status = reply && "bulkItems" in reply ? reply.bulkItems(i / 2) : 201;
          if (status < 300) docs.push(JSON.parse(lines[i + 1]!));
          else errors = true;
          items.push({
            create: {
              status,
              ...(status >= 300
                ? {
                  error: {
                    type: status === 429
                      ? "es_rejected_execution_exception"
                      : "mapper_parsing_exception",
                  },
                }
                : {}),
            },
          });
        }
        requests.push({ status: 200, headers: req.headers, docs: items.length });
        return Response.json({ took: 1, errors, items });
      }
      const parsed = text.trimStart().startsWith("[")
        ? JSON.parse(text) as Record<string, unknown>[]
        : text.trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l));
      docs.push(...parsed);
      requests.push({ status: 200, headers: req.headers, docs: parsed.length });
      return new Response("ok");
    });
  });
}
