/**
 * `uri`: an HTTP request (Ansible's uri: method, body, body_format json/form-urlencoded/raw,
 * headers, status_code, return_content, timeout, follow_redirects, creates/removes). It acts
 * rather than converges: one change that makes the request, skipped when `creates` exists or
 * `removes` does not. A status outside `status_code` fails the task with the fields registered.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, int } from "./_ansible_params.ts";
import { request, type RequestParams, requestShape } from "./_http.ts";

const schema = z.strictObject({
  ...requestShape,
  method: z.string().regex(/^[A-Z]+$/, "expected an HTTP method in capitals").default("GET"),
  body: z.unknown().optional(),
  body_format: z.enum(["raw", "json", "form-urlencoded"]).default("raw"),
  status_code: z.union([int(), z.array(int())]).default(200),
  return_content: bool().default(false),
  follow_redirects: z.union([bool(), z.enum(["all", "safe", "none", "urllib2"])]).default("safe"),
  creates: z.string().optional(),
  removes: z.string().optional(),
});
type Params = z.output<typeof schema>;

interface UriOp {
  readonly request: RequestParams;
  readonly method: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly statusCodes: readonly number[];
  readonly returnContent: boolean;
  readonly redirect: RequestRedirect;
}

function encodeBody(p: Params): { body?: string; contentType?: string } {
  if (p.body === undefined) return {};
  if (p.body_format === "json") {
    return {
      body: typeof p.body === "string" ? p.body : JSON.stringify(p.body),
      contentType: "application/json",
    };
  }
  if (p.body_format === "form-urlencoded") {
    const entries = typeof p.body === "object" && p.body !== null
      ? Object.entries(p.body as Record<string, unknown>).map(([k, v]) => [k, String(v)])
      : [];
    return {
      body: typeof p.body === "string" ? p.body : new URLSearchParams(entries).toString(),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  return { body: typeof p.body === "string" ? p.body : JSON.stringify(p.body) };
}

/** The uri task. */
export const uri = defineTask({
  type: "uri",
  schema,
  mainParam: "url",
  acts: true,
  async read(p, host): Promise<{ skip?: string }> {
    if (p.creates && (await host.stat(p.creates))) return { skip: `${p.creates} exists` };
    if (p.removes && !(await host.stat(p.removes))) return { skip: `${p.removes} does not exist` };
    return {};
  },
  plan(p, cur): Change<UriOp>[] {
    if (cur.skip) return [];
    const { body, contentType } = encodeBody(p);
    const f = p.follow_redirects;
    const redirect: RequestRedirect = f === false || f === "none" ? "manual" : "follow";
    return [{
      op: {
        request: p,
        method: p.method,
        ...(body !== undefined ? { body } : {}),
        ...(contentType ? { contentType } : {}),
        statusCodes: Array.isArray(p.status_code) ? p.status_code : [p.status_code],
        returnContent: p.return_content,
        redirect,
      },
      summary: `${p.method} ${p.url}`,
    }];
  },
  async apply(op, _host, ctx) {
    const headers = { ...op.request.headers };
    if (op.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = op.contentType;
    }
    const res = await request({ ...op.request, headers }, {
      method: op.method,
      ...(op.body !== undefined ? { body: op.body } : {}),
      redirect: op.redirect,
      defaultTimeout: 30,
      env: ctx.environment,
    });
    const text = await res.text();
    const type = res.headers.get("content-type") ?? "";
    let json: unknown;
    if (/[/+]json\b/.test(type)) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const ok = op.statusCodes.includes(res.status);
    return {
      status: res.status,
      url: res.url || op.request.url,
      redirected: res.redirected,
      content_type: type,
      content_length: text.length,
      ...Object.fromEntries([...res.headers].map(([k, v]) => [k.replaceAll("-", "_"), v])),
      ...(op.returnContent || !ok ? { content: text } : {}),
      ...(json !== undefined ? { json } : {}),
      ...(ok ? { msg: `OK (${text.length} bytes)` } : {
        failed: true,
        msg: `Status code was ${res.status} and not [${op.statusCodes.join(", ")}]`,
      }),
    };
  },
});
