/**
 * The agent's endpoints beside `/metrics`, on the same listener and behind the same TLS and
 * basic auth: `/healthz` (the process answers), `/readyz` (started and not stopping),
 * `/status` (JSON) and `POST /run` (when `agent.apply.http_trigger` allows it).
 *
 * @module
 */
import type { AgentStatus } from "./status.ts";

/** What the routes ask of the agent. */
export interface RouteTarget {
  ready(): boolean;
  status(): AgentStatus;
  /** Whether `POST /run` is allowed. */
  httpTrigger(): boolean;
  triggerApply(reason: string): boolean;
  /** Redacts secrets from a body. */
  redact(text: string): string;
}

/** A router: a response for the agent's paths, undefined for the rest. */
export function agentRoutes(t: RouteTarget): (req: Request, url: URL) => Response | undefined {
  const json = (body: unknown, status = 200) =>
    new Response(`${t.redact(JSON.stringify(body, null, 2))}\n`, {
      status,
      headers: { "content-type": "application/json" },
    });
  return (req, url) => {
    switch (url.pathname) {
      case "/healthz":
        return new Response("ok\n");
      case "/readyz":
        return t.ready() ? new Response("ready\n") : new Response("not ready\n", { status: 503 });
      case "/status":
        return json(t.status());
      case "/run":
        if (!t.httpTrigger()) {
          return new Response("POST /run is off; set agent.apply.http_trigger: true\n", {
            status: 403,
          });
        }
        if (req.method !== "POST") {
          return new Response("Method Not Allowed\n", { status: 405, headers: { allow: "POST" } });
        }
        return json({ triggered: t.triggerApply("http") }, 202);
    }
    return undefined;
  };
}
