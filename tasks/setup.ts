/**
 * `setup`: gathers the host facts again (after a task changed the host: a package installed,
 * a hostname set) and makes them the run's facts, as Ansible's setup module; `filter` keeps
 * the facts whose names match its globs (`ansible_distribution*`). Facts come from the
 * managed host (under `--root`, from the root). `fact_path` local facts (`*.fact` files, JSON
 * or INI) become `ansible_local`. `gather_subset` and `gather_timeout` are accepted: the
 * built-in facts are cheap, so all of them are gathered.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { defineTask } from "../lib/apply/task.ts";
import { fnmatchRegex } from "../lib/fnmatch.ts";
import { gatherFacts } from "../lib/facts/host_facts.ts";

const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  [v].flat().flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean)
);

const schema = z.strictObject({
  gather_subset: list.optional(),
  gather_timeout: z.number().int().positive().optional(),
  filter: list.default([]),
  fact_path: z.string().default("/etc/ansible/facts.d"),
});

/** Parses an INI `.fact` file the way Ansible's local facts do: sections of key = value. */
export function parseIniFact(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) section = out[head[1]!] = {};
    else if (section) {
      const i = line.search(/[=:]/);
      if (i > 0) section[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
  }
  return out;
}

async function localFacts(host: Host, dir: string): Promise<Record<string, unknown>> {
  const names = await host.readDir(dir).catch(() => [] as string[]);
  const out: Record<string, unknown> = {};
  for (const name of names.filter((n) => n.endsWith(".fact"))) {
    const text = await host.readText(`${dir}/${name}`).catch(() => "");
    const key = name.slice(0, -".fact".length);
    try {
      out[key] = JSON.parse(text);
    } catch {
      out[key] = parseIniFact(text);
    }
  }
  return out;
}

/** The setup task. */
export const setup = defineTask({
  type: "setup",
  schema,
  async read(p, host) {
    const root = host.realPath("/");
    const facts: Record<string, unknown> = Object.fromEntries(
      Object.entries(await gatherFacts(root === "/" ? {} : { root })).map((
        [k, v],
      ) => [`ansible_${k}`, v]),
    );
    const local = await localFacts(host, p.fact_path);
    if (Object.keys(local).length > 0) facts.ansible_local = local;
    const globs = p.filter.map(fnmatchRegex);
    const kept = globs.length === 0
      ? facts
      : Object.fromEntries(Object.entries(facts).filter(([k]) => globs.some((re) => re.test(k))));
    return { ansible_facts: kept };
  },
  plan: () => [],
  apply: () => Promise.resolve(),
  result: (_p, current) => current,
});
