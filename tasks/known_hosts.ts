/**
 * `known_hosts`: a host's key in an SSH known_hosts file, with Ansible's parameters (name, key,
 * path, hash_host, state). Plain and hashed (`|1|salt|hmac`) entries are both recognised; a
 * changed key replaces the host's entry of that key type (other types stay), as Ansible does.
 *
 * @module
 */
import * as z from "zod";
import { dirname } from "node:path";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool } from "./_ansible_params.ts";
import { readAccounts } from "./_passwd.ts";
import { readOptional } from "./_run.ts";
import { hashHost, hostFieldMatches, isKeyType, tokens } from "./_ssh_keys.ts";

const schema = z.strictObject({
  /** The host, or `[host]:port`. */
  name: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  /** The known_hosts line: `<name> <type> <key>` (required with state present). */
  key: z.string().optional(),
  /** Default: ~/.ssh/known_hosts of the user Driftless runs as. */
  path: z.string().optional(),
  hash_host: bool().default(false),
  state: z.enum(["present", "absent"]).default("present"),
}).refine((p) => (p.name ?? p.host) !== undefined, { message: "name is required" })
  .refine((p) => p.state === "absent" || p.key !== undefined, {
    message: "key is required with state: present",
  });
type Params = z.output<typeof schema>;

interface KnownCurrent {
  readonly path: string;
  readonly text?: string;
  /** Indices of the lines whose host field names this host. */
  readonly hostLines: readonly number[];
  /** The host name as it will be written (hashed with a fresh salt when hash_host). */
  readonly writtenName: string;
}

type KnownOp = { path: string; text: string };

const nameOf = (p: Params) => (p.name ?? p.host)!;

/** Splits `host type blob [comment]`, checking the host part names the host. */
function parseWanted(p: Params): { type: string; blob: string; rest: string } {
  const words = tokens(p.key!.trim());
  const at = words.findIndex(isKeyType);
  if (at !== 1 || !words[2]) {
    throw new Error(`key: expected "${nameOf(p)} <type> <key>", got "${p.key!.slice(0, 60)}"`);
  }
  const hosts = words[0]!;
  if (!hosts.startsWith("|1|") && !hosts.split(",").includes(nameOf(p))) {
    throw new Error(`key: the host part "${hosts}" does not name "${nameOf(p)}"`);
  }
  return { type: words[1]!, blob: words[2]!, rest: words.slice(3).join(" ") };
}

/** The known_hosts task. */
export const knownHosts = defineTask({
  type: "known_hosts",
  schema,
  mainParam: "name",
  async read(p, host): Promise<KnownCurrent> {
    let path = p.path;
    if (!path) {
      const uid = Deno.uid() ?? 0;
      const me = (await readAccounts(host)).passwd.find((u) => u.uid === uid);
      path = `${me?.home ?? "/root"}/.ssh/known_hosts`;
    }
    const text = await readOptional(host, path);
    const hostLines: number[] = [];
    const lines = (text ?? "").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const field = lines[i]!.trim().split(/\s+/)[0] ?? "";
      if (field === "" || field.startsWith("#") || field.startsWith("@")) continue;
      if (await hostFieldMatches(field, nameOf(p))) hostLines.push(i);
    }
    const writtenName = p.hash_host
      ? await hashHost(nameOf(p), crypto.getRandomValues(new Uint8Array(20)))
      : nameOf(p);
    return { path, ...(text !== undefined ? { text } : {}), hostLines, writtenName };
  },
  plan(p, cur): Change<KnownOp>[] {
    const before = cur.text ?? "";
    const lines = before === "" ? [] : before.replace(/\n$/, "").split("\n");
    const ofHost = new Set(cur.hostLines);
    let keep = lines.filter((_, i) => !ofHost.has(i));
    if (p.state === "present") {
      // As Ansible: only an entry of the same key type is replaced; other types stay.
      const want = parseWanted(p);
      const words = (i: number) => lines[i]!.trim().split(/\s+/);
      const has = cur.hostLines.some((i) => words(i)[1] === want.type && words(i)[2] === want.blob);
      const stale = new Set(
        cur.hostLines.filter((i) => words(i)[1] === want.type && words(i)[2] !== want.blob),
      );
      if (has && stale.size === 0) return [];
      keep = lines.filter((_, i) => !stale.has(i));
      if (!has) {
        keep.push([cur.writtenName, want.type, want.blob, want.rest].filter(Boolean).join(" "));
      }
    } else if (cur.hostLines.length === 0) return [];
    const after = keep.length > 0 ? `${keep.join("\n")}\n` : "";
    return [{
      op: { path: cur.path, text: after },
      summary: `${p.state === "absent" ? "remove" : "set"} the key${
        p.state === "absent" ? "s" : ""
      } of ${nameOf(p)} in ${cur.path}`,
      diff: { before, after, path: cur.path },
    }];
  },
  async apply(op, host) {
    const dir = dirname(op.path);
    if (!(await host.stat(dir))) await host.mkdir(dir, { mode: 0o700, recursive: true });
    await host.writeAtomic(op.path, op.text);
  },
});
