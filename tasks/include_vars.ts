/**
 * `include_vars`: loads variables from a YAML/JSON file (`file`, or the free-form name) or from
 * every file of a dir (`dir`, with `depth`, `files_matching`, `ignore_files`, `extensions`),
 * found as Ansible finds it: the role's `vars/`, then beside the task file, then the config
 * dir (each with `vars/` first). The vars rank above play, role and task vars and below
 * set_fact; with `name` they are one dict under that name.
 *
 * @module
 */
import { join, relative } from "node:path";
import * as z from "zod";
import { defineRunnerTask, type Scope } from "../lib/apply/task.ts";
import { pyRegex } from "../lib/pyregex.ts";
import { bool } from "./_attrs.ts";
import { findSource } from "./_source.ts";

const schema = z.strictObject({
  file: z.string().min(1).optional(),
  dir: z.string().min(1).optional(),
  name: z.string().regex(/^[A-Za-z_]\w*$/, "expected a variable name").optional(),
  depth: z.number().int().nonnegative().default(0),
  files_matching: z.string().optional(),
  ignore_files: z.union([z.string(), z.array(z.string())]).optional(),
  extensions: z.array(z.string()).default(["yaml", "yml", "json"]),
  ignore_unknown_extensions: bool.default(false),
  hash_behaviour: z.enum(["replace", "merge"]).default("replace"),
}).refine((p) => (p.file === undefined) !== (p.dir === undefined), {
  message: "give file (or the file name as free-form text) or dir, not both",
});

type Params = z.output<typeof schema>;

/** The files of a dir Ansible's include_vars loads, sorted, as paths. */
async function dirFiles(top: string, p: Params): Promise<string[]> {
  const ignore = [p.ignore_files ?? []].flat();
  const matching = p.files_matching === undefined ? undefined : pyRegex(p.files_matching);
  const out: string[] = [];
  const walk = async (dir: string, level: number) => {
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) {
        if (p.depth === 0 || level < p.depth) await walk(path, level + 1);
        continue;
      }
      if (ignore.includes(e.name)) continue;
      if (matching && !matching.search(e.name)) continue;
      const ext = e.name.includes(".") ? e.name.slice(e.name.lastIndexOf(".") + 1) : "";
      if (!p.extensions.includes(ext)) {
        if (p.ignore_unknown_extensions) continue;
        throw new Error(
          `${relative(top, path)} does not have a valid extension: ${p.extensions.join(", ")}`,
        );
      }
      out.push(path);
    }
  };
  await walk(top, 1);
  return out;
}

function merge(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  deep: boolean,
): Record<string, unknown> {
  if (!deep) return { ...a, ...b };
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const both = [prev, v].every((x) => x !== null && typeof x === "object" && !Array.isArray(x));
    out[k] = both ? merge(prev as Record<string, unknown>, v as Record<string, unknown>, true) : v;
  }
  return out;
}

async function load(p: Params, scope: Scope): Promise<[string[], Record<string, unknown>]> {
  if (p.file !== undefined) {
    const path = await findSource(scope, p.file, "vars");
    return [[path], await scope.readVars(path)];
  }
  const dir = await findSource(scope, p.dir!, "vars");
  const files = await dirFiles(dir, p);
  let vars: Record<string, unknown> = {};
  for (const f of files) vars = merge(vars, await scope.readVars(f), p.hash_behaviour === "merge");
  return [files, vars];
}

/** The include_vars task. */
export const includeVars = defineRunnerTask({
  type: "include_vars",
  schema,
  freeForm: "file",
  mainParam: ["file", "dir"],
  async evaluate(p, scope) {
    const [files, vars] = await load(p, scope);
    const facts = p.name === undefined ? vars : { [p.name]: vars };
    return {
      includeVars: facts,
      result: { ansible_facts: facts, ansible_included_var_files: files },
    };
  },
});
