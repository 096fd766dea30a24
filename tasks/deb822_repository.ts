/**
 * `deb822_repository`: an APT source in deb822 format, `/etc/apt/sources.list.d/<slug>.sources`,
 * as ansible-core's module (2.15+) writes it: one `Field: value` line per given option, in the
 * options' alphabetical order (`name` as `X-Repolib-Name`, `uris` as `URIs`), lists joined with
 * spaces, booleans as yes/no. `signed_by` is a key file on the host, a key's armored text
 * (written inline), or a URL whose key is saved as `/etc/apt/keyrings/<slug>.asc` (or `.gpg`).
 * `state: absent` removes the sources file and the saved key.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, list, mode } from "./_ansible_params.ts";
import { contentDiff, sameBytes } from "./_files.ts";
import { proxyFetch } from "./_http.ts";

const schema = z.strictObject({
  name: z.string().min(1),
  state: z.enum(["present", "absent"]).default("present"),
  types: z.array(z.enum(["deb", "deb-src"])).or(z.enum(["deb", "deb-src"]).transform((t) => [t]))
    .default(["deb"]),
  uris: list().optional(),
  suites: list().optional(),
  components: list().optional(),
  signed_by: z.string().optional(),
  architectures: list().optional(),
  languages: list().optional(),
  targets: list().optional(),
  allow_downgrade_to_insecure: bool().optional(),
  allow_insecure: bool().optional(),
  allow_weak: bool().optional(),
  by_hash: bool().optional(),
  check_date: bool().optional(),
  check_valid_until: bool().optional(),
  date_max_future: z.number().int().optional(),
  enabled: bool().optional(),
  inrelease_path: z.string().optional(),
  pdiffs: bool().optional(),
  trusted: bool().optional(),
  mode: mode().default(0o644),
  /** Accepted: driftless needs no Python library to write the file. */
  install_python_debian: bool().optional(),
});
type Params = z.output<typeof schema>;

const SOURCES = "/etc/apt/sources.list.d";
const KEYRINGS = "/etc/apt/keyrings";

/** The module's file name: lower case, spaces and `_` as `-`, other characters dropped. */
export function slugOf(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, "-").replace(/[^a-z0-9-]+/g, "");
}

function fieldName(key: string): string {
  if (key === "name") return "X-Repolib-Name";
  if (key === "uris") return "URIs";
  return key.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("-");
}

/** A multi-line value: each line indented, empty lines as ".". */
function multiline(v: string): string {
  return "\n" + v.trim().split("\n").map((l) => `    ${l.trim() || "."}`).join("\n");
}

/** The deb822 text of the params; `signedBy` is the value Signed-By gets. */
export function deb822Text(p: Params, signedBy: string | undefined): string {
  const skip = new Set(["state", "mode", "install_python_debian"]);
  const keys = Object.keys(p).filter((k) => !skip.has(k)).sort();
  let out = "";
  for (const key of keys) {
    let value: unknown = key === "signed_by" ? signedBy : p[key as keyof Params];
    if (value === undefined || value === null) continue;
    if (typeof value === "boolean") value = value ? "yes" : "no";
    else if (Array.isArray(value)) value = value.join(" ");
    let text = String(value);
    if (text.includes("\n")) text = multiline(text);
    out += text.startsWith("\n") ? `${fieldName(key)}:${text}\n` : `${fieldName(key)}: ${text}\n`;
  }
  return out;
}

interface Current {
  readonly sources?: Uint8Array;
  readonly sourcesMode?: number;
  /** A key downloaded from `signed_by`'s URL, and the file it belongs in. */
  readonly key?: {
    readonly path: string;
    readonly data: Uint8Array;
    readonly current?: Uint8Array;
  };
  /** Whether signed_by names a file on the host. */
  readonly signedBy?: string;
  /** Saved keys (for absent). */
  readonly keys: readonly string[];
}

type Op =
  | { kind: "write"; path: string; data: Uint8Array; mode: number; dir?: string }
  | { kind: "chmod"; path: string; mode: number }
  | { kind: "remove"; path: string };

async function fetchKey(url: string, env: Readonly<Record<string, string>> | undefined) {
  const res = await proxyFetch(url, { signal: AbortSignal.timeout(60_000) }, env);
  if (!res.ok) throw new Error(`Could not fetch signed_by key: ${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function bytes(host: Host, path: string): Promise<Uint8Array | undefined> {
  return await host.readBytes(path).catch(() => undefined);
}

/** The deb822_repository task. */
export const deb822Repository = defineTask({
  type: "deb822_repository",
  schema,
  mainParam: "name",
  async read(p, host, ctx): Promise<Current> {
    const slug = slugOf(p.name);
    const path = `${SOURCES}/${slug}.sources`;
    const sources = await bytes(host, path);
    const st = sources ? await host.stat(path) : undefined;
    const keys = [];
    for (const ext of ["asc", "gpg"]) {
      if (await host.stat(`${KEYRINGS}/${slug}.${ext}`)) keys.push(`${KEYRINGS}/${slug}.${ext}`);
    }
    const base = { ...(sources ? { sources, sourcesMode: st!.mode } : {}), keys };
    if (p.state === "absent" || p.signed_by === undefined) return base;
    if ((await host.stat(p.signed_by))?.isFile) return { ...base, signedBy: p.signed_by };
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(p.signed_by)) return { ...base, signedBy: p.signed_by };
    const data = await fetchKey(p.signed_by, ctx.environment);
    const armored = new TextDecoder().decode(data).includes("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    const keyPath = `${KEYRINGS}/${slug}.${armored ? "asc" : "gpg"}`;
    const current = await bytes(host, keyPath);
    return {
      ...base,
      signedBy: keyPath,
      key: { path: keyPath, data, ...(current ? { current } : {}) },
    };
  },
  plan(p, cur): Change<Op>[] {
    const path = `${SOURCES}/${slugOf(p.name)}.sources`;
    const enc = (t: string) => new TextEncoder().encode(t);
    if (p.state === "absent") {
      return [...(cur.sources ? [path] : []), ...cur.keys].map((f) => ({
        op: { kind: "remove", path: f },
        summary: `remove ${f}`,
      }));
    }
    const out: Change<Op>[] = [];
    if (cur.key && !(cur.key.current && sameBytes(cur.key.current, cur.key.data))) {
      out.push({
        op: { kind: "write", path: cur.key.path, data: cur.key.data, mode: 0o644, dir: KEYRINGS },
        summary: `${cur.key.current ? "update" : "create"} ${cur.key.path}`,
      });
    }
    const text = enc(deb822Text(p, cur.signedBy));
    if (!cur.sources || !sameBytes(cur.sources, text)) {
      out.push({
        op: { kind: "write", path, data: text, mode: p.mode },
        summary: `${cur.sources ? "update" : "create"} ${path}`,
        diff: contentDiff(path, cur.sources ?? null, text),
      });
    } else if ((cur.sourcesMode ?? 0) !== p.mode) {
      out.push({
        op: { kind: "chmod", path, mode: p.mode },
        summary: `chmod ${(cur.sourcesMode ?? 0).toString(8)} -> ${p.mode.toString(8)} ${path}`,
      });
    }
    return out;
  },
  async apply(op, host) {
    if (op.kind === "remove") return await host.remove(op.path);
    if (op.kind === "chmod") return await host.chmod(op.path, op.mode);
    if (op.dir && !(await host.stat(op.dir))) await host.mkdir(op.dir, { mode: 0o755 });
    await host.writeAtomic(op.path, op.data, { mode: op.mode });
  },
  result: (p, cur) => ({
    dest: `${SOURCES}/${slugOf(p.name)}.sources`,
    repo: p.state === "absent" ? null : deb822Text(p, cur.signedBy),
    key_filename: cur.key?.path ?? null,
  }),
});
