/**
 * `getent`: reads a name service database (`passwd`, `group`, `hosts`, `services`, ...) with
 * the host's `getent`, as Ansible's getent module: the entries go to the fact
 * `getent_<database>`, keyed by their first field (`getent_passwd.alice` is
 * `[x, 1000, 1000, ..., /bin/bash]`). It never changes anything.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { bool } from "./_attrs.ts";
import { query } from "./_run.ts";

const schema = z.strictObject({
  database: z.string().min(1),
  key: z.string().optional(),
  split: z.string().optional(),
  fail_key: bool.default(true),
  service: z.string().optional(),
});

/** Databases whose fields are colon-separated; the others split on whitespace. */
const COLON = ["passwd", "shadow", "group", "gshadow"];

/** What getent's exit codes mean (its man page, as Ansible words them). */
const FAILURES: Record<number, string> = {
  1: "Missing arguments, or database unknown.",
  2: "One or more supplied key could not be found in the database.",
  3: "Enumeration not supported on this database.",
};

/** Ansible's parse of getent's output: first field → the rest (duplicate keys gather). */
export function parseGetent(text: string, split: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dups: Record<string, string[][]> = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const fields = split === undefined ? line.trim().split(/\s+/) : line.split(split);
    const [key, ...rest] = fields as [string, ...string[]];
    if (key in out) (dups[key] ??= [out[key] as string[]]).push(rest);
    else out[key] = rest;
  }
  for (const [key, list] of Object.entries(dups)) out[key] = list;
  return out;
}

/** The getent task. */
export const getent = defineTask({
  type: "getent",
  schema,
  mainParam: "database",
  async read(p, host) {
    const args = [
      ...(p.service ? ["-s", p.service] : []),
      p.database,
      ...(p.key ? p.key.split(",").map((k) => k.trim()) : []),
    ];
    const r = await query(host, "getent", args);
    const split = p.split ?? (COLON.includes(p.database) ? ":" : undefined);
    if (r.code === 0) {
      return { ansible_facts: { [`getent_${p.database}`]: parseGetent(r.stdout, split) } };
    }
    if (r.code === 2 && !p.fail_key) {
      // As Ansible: a key not found is None, and the run goes on.
      return { ansible_facts: { [`getent_${p.database}`]: { [p.key!]: null } }, msg: FAILURES[2] };
    }
    return { failed: true, msg: FAILURES[r.code] ?? `getent exited ${r.code}: ${r.stderr.trim()}` };
  },
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_p, current) => current,
});
