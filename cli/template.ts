/**
 * `driftless template FILE|- [--vars FILE] [-e key=value] [--search-path DIR] [--no-trim-blocks]
 * [--lstrip-blocks]`: render one template with vars and host facts and print exactly the result.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import { resolve } from "node:path";
import { ConfigError, ExitCode, UsageError } from "../lib/errors.ts";
import { formatOf, parseSource } from "../lib/config/source.ts";
import { error, printRaw } from "./_render.ts";

/** Options of the template command. */
export interface TemplateOptions {
  readonly vars: readonly string[];
  readonly extraVars: readonly string[];
  readonly searchPath: readonly string[];
  readonly trimBlocks: boolean;
  readonly lstripBlocks: boolean;
}

/** Reads a vars file (JSON, YAML or TOML by extension; YAML when unknown). */
async function readVars(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UsageError(`--vars: no such file: ${path}`);
    throw e;
  }
  const doc = parseSource(text, path, formatOf(path) ?? "yaml");
  const data = doc.data ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([{
      file: path,
      path: "",
      message: "expected a mapping of variable names to values",
    }]);
  }
  return data as Record<string, unknown>;
}

/** Ansible's `-e`: `@file`, a JSON/YAML mapping, or `key=value` pairs (values are strings). */
async function parseExtraVars(arg: string): Promise<Record<string, unknown>> {
  if (arg.startsWith("@")) return await readVars(arg.slice(1));
  const trimmed = arg.trim();
  if (trimmed.startsWith("{")) {
    const data = parseSource(trimmed, "-e", "yaml").data;
    if (data && typeof data === "object" && !Array.isArray(data)) {
      return data as Record<string, unknown>;
    }
    throw new UsageError(`-e: expected a mapping, got ${JSON.stringify(arg)}`);
  }
  const { shlexSplit } = await lazy<typeof import("../lib/template/lookups.ts")>(
    "../lib/template/lookups.ts",
    import.meta.url,
  );
  const out: Record<string, unknown> = {};
  for (const word of shlexSplit(arg)) {
    const eq = word.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        `-e: expected key=value, @file or a JSON mapping, got ${JSON.stringify(word)}`,
      );
    }
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of Deno.stdin.readable) chunks.push(chunk);
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Renders `file` (or stdin for `-`) and prints the text as it is. */
export async function template(file: string, options: TemplateOptions): Promise<number> {
  const vars: Record<string, unknown> = {};
  const { gatherFacts } = await lazy<typeof import("../lib/facts/host_facts.ts")>(
    "../lib/facts/host_facts.ts",
    import.meta.url,
  );
  const facts = await gatherFacts();
  for (const [k, v] of Object.entries(facts)) vars[`ansible_${k}`] = v;
  vars.ansible_facts = facts;
  vars.inventory_hostname ??= facts.hostname ?? "localhost";
  for (const path of options.vars) Object.assign(vars, await readVars(path));
  for (const arg of options.extraVars) Object.assign(vars, await parseExtraVars(arg));
  const engine = await lazy<typeof import("../lib/template/engine.ts")>(
    "../lib/template/engine.ts",
    import.meta.url,
  );
  const renderOptions = {
    searchPath: options.searchPath.map((d) => resolve(d)),
    trimBlocks: options.trimBlocks,
    lstripBlocks: options.lstripBlocks,
  };
  let text: string;
  try {
    if (file === "-") {
      const source = await readStdin();
      text = await engine.renderTemplate(source, vars, {
        ...renderOptions,
        searchPath: [...renderOptions.searchPath, Deno.cwd()],
        name: "<stdin>",
      });
    } else {
      try {
        await Deno.stat(file);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new UsageError(`no such template file: ${file}`);
        }
        throw e;
      }
      text = await engine.renderFile(file, vars, { ...renderOptions, name: file });
    }
  } catch (e) {
    if (e instanceof engine.TemplateError) {
      error(`template error: ${e.message}`);
      return ExitCode.failed;
    }
    throw e;
  }
  printRaw(text);
  return ExitCode.ok;
}
