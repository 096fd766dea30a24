/**
 * `apt_repository`: an APT source line in /etc/apt/sources.list.d (Ansible's apt_repository:
 * repo, state, filename, mode, update_cache), and — instead of the deprecated apt-key — an
 * optional `signed_by` key (ASCII-armored text or an http(s) URL) written to
 * /etc/apt/keyrings/<filename>.asc and named in the line's `[signed-by=...]` option.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, mode } from "./_ansible_params.ts";
import { type Cmd, readOptional, runAll } from "./_run.ts";

const LIST_DIR = "/etc/apt/sources.list.d";
const KEYRINGS = "/etc/apt/keyrings";

const schema = z.strictObject({
  repo: z.string().regex(
    /^deb(-src)?\s+\S/,
    'expected a one-line source: "deb [options] uri suite [components]"',
  ),
  state: z.enum(["present", "absent"]).default("present"),
  /** File name in sources.list.d without `.list` (default: derived from the URI, as Ansible). */
  filename: z.string().regex(/^[\w.-]+$/).optional(),
  mode: mode().default(0o644),
  update_cache: bool().default(true),
  "update-cache": bool().optional(),
  /** The repository's signing key: ASCII-armored text or an http(s) URL serving it. */
  signed_by: z.string().optional(),
});
type Params = z.output<typeof schema>;

/** Ansible's file name for a repo line: the URI's host and path, non-alphanumerics as `_`. */
export function suggestFilename(repo: string): string {
  const line = repo.replace(/\[[^\]]+\]/, "").replace(/\w+:\/\//, "");
  const parts = line.split(/\s+/).filter((w) => w && w !== "deb" && w !== "deb-src");
  const first = (parts[0] ?? "repo").replace(/^[^@/]*@/, "");
  return first.replace(/[^a-zA-Z0-9]/g, " ").trim().split(/\s+/).join("_");
}

/** The line with `signed-by=<path>` among its options. */
export function withSignedBy(repo: string, keyPath: string): string {
  const m = /^(deb(?:-src)?)\s+(?:\[([^\]]*)\]\s+)?(.*)$/.exec(repo.trim())!;
  const opts = (m[2] ?? "").split(/\s+/).filter((o) => o && !o.startsWith("signed-by="));
  return `${m[1]} [${[...opts, `signed-by=${keyPath}`].join(" ")}] ${m[3]}`;
}

const norm = (line: string) => line.trim().replace(/\s+/g, " ");

interface RepoCurrent {
  /** Every sources file and its text. */
  readonly files: Readonly<Record<string, string>>;
  readonly key?: string;
  readonly keyText?: string;
}

type RepoOp = {
  writes: readonly { path: string; text: string; mode: number }[];
  removes: readonly string[];
  cmds: readonly Cmd[];
};

async function keyMaterial(p: Params): Promise<string | undefined> {
  if (!p.signed_by) return undefined;
  if (/^https?:\/\//.test(p.signed_by)) {
    const res = await fetch(p.signed_by, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`signed_by: GET ${p.signed_by} answered ${res.status}`);
    return await res.text();
  }
  if (!p.signed_by.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
    throw new Error("signed_by: expected an ASCII-armored key or an http(s) URL");
  }
  return p.signed_by.endsWith("\n") ? p.signed_by : `${p.signed_by}\n`;
}

async function sourceFiles(host: Host): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const main = await readOptional(host, "/etc/apt/sources.list");
  if (main !== undefined) out["/etc/apt/sources.list"] = main;
  for (const name of await host.readDir(LIST_DIR).catch(() => [] as string[])) {
    if (!name.endsWith(".list")) continue;
    const text = await readOptional(host, `${LIST_DIR}/${name}`);
    if (text !== undefined) out[`${LIST_DIR}/${name}`] = text;
  }
  return out;
}

/** The apt_repository task. */
export const aptRepository = defineTask({
  type: "apt_repository",
  schema,
  mainParam: "repo",
  async read(p, host): Promise<RepoCurrent> {
    const files = await sourceFiles(host);
    const name = p.filename ?? suggestFilename(p.repo);
    const key = await keyMaterial(p);
    const keyText = key ? await readOptional(host, `${KEYRINGS}/${name}.asc`) : undefined;
    return {
      files,
      ...(key ? { key } : {}),
      ...(keyText !== undefined ? { keyText } : {}),
    };
  },
  plan(p, cur): Change<RepoOp>[] {
    const name = p.filename ?? suggestFilename(p.repo);
    const keyPath = `${KEYRINGS}/${name}.asc`;
    const line = p.signed_by ? withSignedBy(p.repo, keyPath) : norm(p.repo);
    const target = `${LIST_DIR}/${name}.list`;
    const update = (p["update-cache"] ?? p.update_cache)
      ? [{ cmd: "apt-get", args: ["update", "-q"], env: { LC_ALL: "C" } }]
      : [];
    const has = (text: string) => text.split("\n").some((l) => norm(l) === norm(line));
    const changes: Change<RepoOp>[] = [];
    if (p.state === "absent") {
      const writes: RepoOp["writes"][number][] = [];
      const removes: string[] = [];
      for (const [path, text] of Object.entries(cur.files)) {
        if (!has(text)) continue;
        const kept = text.split("\n").filter((l) => norm(l) !== norm(line)).join("\n");
        if (kept.trim() === "" && path !== "/etc/apt/sources.list") removes.push(path);
        else writes.push({ path, text: kept, mode: 0o644 });
        changes.push({
          op: { writes: [], removes: [], cmds: [] },
          summary: `remove "${norm(line)}" from ${path}`,
          diff: { before: text, after: kept.trim() === "" ? "" : kept, path },
        });
      }
      if (changes.length === 0) return [];
      // One op does the whole edit; the per-file changes above carry the diffs.
      changes[changes.length - 1] = {
        ...changes[changes.length - 1]!,
        op: { writes, removes, cmds: update },
      };
      return changes;
    }
    const keyStale = cur.key !== undefined && cur.keyText !== cur.key;
    const present = Object.values(cur.files).some(has);
    if (present && !keyStale) return [];
    const writes: { path: string; text: string; mode: number }[] = [];
    if (keyStale) {
      writes.push({ path: keyPath, text: cur.key!, mode: 0o644 });
      changes.push({
        op: { writes: [], removes: [], cmds: [] },
        summary: `write the signing key ${keyPath}`,
        diff: { before: cur.keyText ?? "", after: cur.key!, path: keyPath },
      });
    }
    if (!present) {
      const before = cur.files[target] ?? "";
      const after = `${before}${before && !before.endsWith("\n") ? "\n" : ""}${line}\n`;
      writes.push({ path: target, text: after, mode: p.mode });
      changes.push({
        op: { writes: [], removes: [], cmds: [] },
        summary: `add "${line}" to ${target}`,
        diff: { before, after, path: target },
      });
    }
    changes[changes.length - 1] = {
      ...changes[changes.length - 1]!,
      op: { writes, removes: [], cmds: update },
    };
    return changes;
  },
  async apply(op, host) {
    for (const w of op.writes) {
      const dir = w.path.slice(0, w.path.lastIndexOf("/"));
      if (!(await host.stat(dir))) await host.mkdir(dir, { recursive: true, mode: 0o755 });
      await host.writeAtomic(w.path, w.text, { mode: w.mode });
    }
    for (const r of op.removes) await host.remove(r);
    await runAll(host, op.cmds);
  },
});
