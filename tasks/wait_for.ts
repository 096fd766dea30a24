/**
 * `wait_for`: waits for a TCP port to accept connections (or to stop), for a file to appear
 * (optionally holding a regex match) or go, or just for a time — Ansible's wait_for (host,
 * port, path, search_regex, state, timeout, delay, sleep, connect_timeout, msg). It acts: one
 * change that waits; a timeout fails the task.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { int, num } from "./_ansible_params.ts";
import { readOptional } from "./_run.ts";

const schema = z.strictObject({
  host: z.string().default("127.0.0.1"),
  port: int().optional(),
  path: z.string().optional(),
  search_regex: z.string().optional(),
  state: z.enum(["started", "present", "stopped", "absent"]).default("started"),
  timeout: num().default(300),
  delay: num().default(0),
  sleep: num().default(1),
  connect_timeout: num().default(5),
  msg: z.string().optional(),
}).refine((p) => !(p.port !== undefined && p.path !== undefined), {
  message: "port and path are mutually exclusive",
});
type Params = z.output<typeof schema>;

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One probe: the condition holds, with the regex groups when one matched. */
async function probe(p: Params, host: Host): Promise<{ ok: boolean; groups?: string[] }> {
  const up = p.state === "started" || p.state === "present";
  if (p.port !== undefined) {
    let conn: Deno.TcpConn | undefined;
    try {
      conn = await Promise.race([
        Deno.connect({ hostname: p.host, port: p.port }),
        sleepMs(p.connect_timeout * 1000).then(() => {
          throw new Error("connect timeout");
        }),
      ]);
    } catch {
      return { ok: !up };
    }
    try {
      if (!up) return { ok: false };
      if (!p.search_regex) return { ok: true };
      const re = new RegExp(p.search_regex, "m");
      const buf = new Uint8Array(4096);
      let text = "";
      const deadline = Date.now() + p.connect_timeout * 1000;
      while (Date.now() < deadline) {
        const n = await Promise.race([conn.read(buf), sleepMs(200).then(() => 0 as const)]);
        if (n === null) break;
        if (n > 0) text += new TextDecoder().decode(buf.subarray(0, n));
        const m = re.exec(text);
        if (m) return { ok: true, groups: m.slice(1) };
      }
      return { ok: false };
    } finally {
      conn.close();
    }
  }
  if (p.path !== undefined) {
    const text = await readOptional(host, p.path).catch(() => undefined);
    const exists = text !== undefined || (await host.stat(p.path)) !== undefined;
    if (!up) return { ok: !exists };
    if (!exists) return { ok: false };
    if (!p.search_regex) return { ok: true };
    const m = new RegExp(p.search_regex, "m").exec(text ?? "");
    return m ? { ok: true, groups: m.slice(1) } : { ok: false };
  }
  return { ok: false };
}

function target(p: Params): string {
  return p.port !== undefined ? `${p.host}:${p.port}` : p.path ?? `${p.timeout}s`;
}

/** The wait_for task. */
export const waitFor = defineTask({
  type: "wait_for",
  schema,
  mainParam: "port",
  acts: true,
  read: () => Promise.resolve({}),
  plan(p): Change<Params>[] {
    return [{
      op: p,
      summary: p.port === undefined && p.path === undefined
        ? `wait ${p.timeout}s`
        : `wait for ${target(p)} to be ${p.state} (timeout ${p.timeout}s)`,
    }];
  },
  async apply(p, host) {
    const start = performance.now();
    if (p.delay > 0) await sleepMs(p.delay * 1000);
    const elapsed = () => Math.round((performance.now() - start) / 10) / 100;
    if (p.port === undefined && p.path === undefined) {
      await sleepMs(p.timeout * 1000);
      return { elapsed: elapsed(), state: p.state };
    }
    const deadline = start + (p.delay + p.timeout) * 1000;
    for (;;) {
      const r = await probe(p, host);
      if (r.ok) {
        return {
          elapsed: elapsed(),
          state: p.state,
          ...(p.port !== undefined ? { port: p.port } : { path: p.path }),
          ...(r.groups ? { match_groups: r.groups } : {}),
        };
      }
      if (performance.now() + p.sleep * 1000 > deadline) break;
      await sleepMs(p.sleep * 1000);
    }
    return {
      failed: true,
      elapsed: elapsed(),
      msg: p.msg ?? `Timeout when waiting for ${target(p)} to be ${p.state}`,
    };
  },
});
