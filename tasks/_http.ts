/**
 * HTTP for `get_url` and `uri`: Ansible's request parameters (headers, basic auth, timeout,
 * redirects, validate_certs) mapped onto `fetch`. Requests are made by Driftless itself, on the
 * machine it runs on, which is the managed host (or holds the chroot).
 *
 * @module
 */
import * as z from "zod";
import { bool, dict, int } from "./_ansible_params.ts";

/** Request parameters shared by get_url and uri. */
export const requestShape = {
  url: z.string().url(),
  headers: dict().optional(),
  timeout: int().optional(),
  url_username: z.string().optional(),
  url_password: z.string().optional(),
  force_basic_auth: bool().default(false),
  validate_certs: bool().default(true),
  http_agent: z.string().default("driftless"),
};

/** The request parameters as parsed. */
export interface RequestParams {
  readonly url: string;
  readonly headers?: Record<string, string> | undefined;
  readonly timeout?: number | undefined;
  readonly url_username?: string | undefined;
  readonly url_password?: string | undefined;
  readonly force_basic_auth: boolean;
  readonly validate_certs: boolean;
  readonly http_agent: string;
}

/**
 * `fetch` through the proxy a task's `environment` names (`https_proxy`/`http_proxy`, honouring
 * `no_proxy`; either case), as Ansible's modules take them from their environment.
 */
export async function proxyFetch(
  url: string,
  init: RequestInit,
  env: Readonly<Record<string, string>> | undefined,
): Promise<Response> {
  const proxy = env && proxyFor(url, env);
  if (!proxy) return await fetch(url, init);
  const client = Deno.createHttpClient({ proxy: { url: proxy } });
  try {
    return await fetch(url, { ...init, client });
  } finally {
    client.close();
  }
}

/** The proxy URL the environment gives for a URL, if any. */
export function proxyFor(url: string, env: Readonly<Record<string, string>>): string | undefined {
  const get = (name: string) => env[name] ?? env[name.toUpperCase()];
  const { protocol, hostname } = new URL(url);
  const proxy = protocol === "https:" ? get("https_proxy") : get("http_proxy");
  if (!proxy) return undefined;
  const bypass = (get("no_proxy") ?? "").split(",").map((h) => h.trim().replace(/^\./, ""));
  const skip = bypass.some((h) =>
    h === "*" || (h && (hostname === h || hostname.endsWith(`.${h}`)))
  );
  return skip ? undefined : proxy;
}

/** Makes the request; `redirect` follows fetch's modes. */
export async function request(
  p: RequestParams,
  init: {
    method?: string;
    body?: BodyInit;
    redirect?: RequestRedirect;
    defaultTimeout: number;
    /** The task's environment, for proxies. */
    env?: Readonly<Record<string, string>> | undefined;
  },
): Promise<Response> {
  if (!p.validate_certs && p.url.startsWith("https:")) {
    throw new Error(
      "validate_certs: false is not supported (Deno verifies TLS); trust the server's CA instead",
    );
  }
  const headers = new Headers(p.headers ?? {});
  if (!headers.has("user-agent")) headers.set("user-agent", p.http_agent);
  if (p.url_username !== undefined) {
    headers.set("authorization", `Basic ${btoa(`${p.url_username}:${p.url_password ?? ""}`)}`);
  }
  const seconds = p.timeout ?? init.defaultTimeout;
  try {
    return await proxyFetch(p.url, {
      method: init.method ?? "GET",
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: init.redirect ?? "follow",
      signal: AbortSignal.timeout(seconds * 1000),
    }, init.env);
  } catch (e) {
    if (e instanceof DOMException && e.name === "TimeoutError") {
      throw new Error(`${init.method ?? "GET"} ${p.url}: timed out after ${seconds}s`);
    }
    throw new Error(`${init.method ?? "GET"} ${p.url}: ${e instanceof Error ? e.message : e}`);
  }
}
