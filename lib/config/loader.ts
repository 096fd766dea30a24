/**
 * Loads a config dir (DESIGN §4): finds the files, parses them, substitutes secrets, merges the
 * files of each schema, validates, and normalises apply tasks. Every problem in every file is
 * collected and thrown at once as a ConfigError.
 *
 * @module
 */
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import type * as z from "zod";
import { ConfigError, type ConfigIssue, didYouMean, formatPath, type KeyPath } from "../errors.ts";
import { type Redactor, type SecretSource, secretSource, substitute } from "../secrets.ts";
import {
  describeIssue,
  normaliseTask,
  referencedTypes,
  type TaskCatalog,
  type TaskSpec,
} from "./apply_schema.ts";
import { readEnvFile } from "./env_file.ts";
import { type Merged, mergeDocs } from "./merge.ts";
import { SCHEMA_NAMES, type SchemaName, SCHEMAS } from "./schemas.ts";
import type { AgentConfig } from "./agent_schema.ts";
import type { FactsConfig } from "./facts_schema.ts";
import type { LogsConfig } from "./logs_schema.ts";
import { formatOf, parseSource, type SourceDoc } from "./source.ts";
import { expandHome } from "./paths.ts";

/** Folders of the config dir that hold sources, not config. */
export const SOURCE_DIRS: readonly string[] = ["templates", "files", "tasks"];

/** Schemas whose files users bring from Ansible: read as YAML 1.1, as Ansible reads them. */
const ANSIBLE_SCHEMAS: ReadonlySet<SchemaName> = new Set(["apply", "vars"]);

/** Options for {@linkcode loadConfig}. */
export interface LoadOptions {
  /** Path of the env file; `~` is expanded. */
  readonly envFile?: string;
  /** True when the user named the env file, so a missing one is an error. */
  readonly envFileRequired?: boolean;
  /** Task types, for normalising and validating apply tasks. */
  readonly catalog?: TaskCatalog;
  /** Receives every substituted secret value. */
  readonly redactor?: Redactor;
}

/** The apply part of a loaded config. */
export interface ApplyConfig {
  /** Variables (apply vars, or global vars from `vars.*`). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Tasks, in order. */
  readonly tasks: readonly TaskSpec[];
  /** Handlers, in definition order. */
  readonly handlers: readonly TaskSpec[];
}

/** Where a task was defined. */
export interface TaskOrigin {
  /** The file, relative to the config dir. */
  readonly file: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
  /** Key path in the merged document, e.g. `tasks[3]`. */
  readonly path: string;
}

/**
 * A loaded, validated config dir as the library API (`mod.ts`) shows it. JSR's no-slow-types
 * rule keeps the zod-derived section types out of the public API, so sections are plain records
 * here; {@linkcode LoadedConfig} narrows them.
 */
export interface LoadedConfigBase {
  /** The config dir, absolute. */
  readonly dir: string;
  /** Config files read, relative to `dir`, in merge order. */
  readonly files: readonly string[];
  /** Variables (apply vars, or global vars from `vars.*`). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The apply schema, when there are apply files. */
  readonly apply?: ApplyConfig;
  /** The facts schema, validated. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** The logs schema, validated. */
  readonly logs?: Readonly<Record<string, unknown>>;
  /** The agent schema, validated. */
  readonly agent?: Readonly<Record<string, unknown>>;
  /** The env file that was read, if any. */
  readonly envFile?: string;
  /** Non-fatal notes for the user. */
  readonly warnings: readonly string[];
  /** Where `${NAME}` values come from (env, then env file), for files loaded later. */
  readonly secrets: SecretSource;
  /** Where a key of a schema's merged document is written (file, line, column). */
  locate(schema: SchemaName, path: KeyPath): ConfigIssueLocation | undefined;
}

/** A place in a config file. */
export interface ConfigIssueLocation {
  /** The file, relative to the config dir. */
  readonly file: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
}

/** A loaded, validated config dir, each section typed by its schema. */
export interface LoadedConfig extends LoadedConfigBase {
  /** The facts schema, validated. */
  readonly facts?: FactsConfig;
  /** The logs schema, validated. */
  readonly logs?: LogsConfig;
  /** The agent schema, validated. */
  readonly agent?: AgentConfig;
}

const origins = new WeakMap<TaskSpec, TaskOrigin>();

/** Where a task came from, for run-time error messages. */
export function originOf(task: TaskSpec): TaskOrigin | undefined {
  return origins.get(task);
}

/** Loads and validates every file of a config dir; throws ConfigError listing all problems. */
export async function loadConfig(dir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const root = expandHome(dir);
  try {
    if (!(await Deno.stat(root)).isDirectory) {
      throw new ConfigError([{ file: dir, path: "", message: "expected a directory" }]);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError([{
        file: dir,
        path: "",
        message: "config dir not found",
        hint: "pass --config DIR or set DRIFTLESS_CONFIG",
      }]);
    }
    throw e;
  }

  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const env = options.envFile
    ? await readEnvFile(expandHome(options.envFile), {
      configDir: root,
      required: options.envFileRequired ?? false,
    })
    : { values: {}, warnings: [] as string[] };
  warnings.push(...env.warnings);
  const source = secretSource(env.values);

  const found = await findFiles(root, issues);
  const bySchema = new Map<SchemaName, SourceDoc[]>();
  for (const { path, schema } of found) {
    const rel = relative(root, path);
    let doc: SourceDoc;
    try {
      doc = parseSource(await Deno.readTextFile(path), rel, formatOf(path)!, {
        yaml11: ANSIBLE_SCHEMAS.has(schema),
      });
    } catch (e) {
      if (e instanceof ConfigError) {
        issues.push(...e.issues);
        continue;
      }
      throw e;
    }
    const { value, missing } = substitute(doc.data, source, options.redactor);
    for (const m of missing) {
      const pos = doc.locate(m.path);
      const denied = source.denied.has(m.name);
      issues.push({
        file: rel,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        path: formatPath(m.path),
        message: `\${${m.name}} is not set in the environment${
          env.path ? ` or in the env file ${env.path}` : " and there is no env file"
        }`,
        hint: denied
          ? `it may be set but not visible: allow it with --allow-env=${m.name}`
          : env.unreadable
          ? `the env file ${env.unreadable} was not read: allow it with --allow-read=${env.unreadable}`
          : `set it, or give a default: \${${m.name}:-value}`,
      });
    }
    const list = bySchema.get(schema) ?? [];
    list.push({ ...doc, data: value ?? {} });
    bySchema.set(schema, list);
  }

  const mergedBySchema = new Map<SchemaName, Merged>();
  const result: {
    -readonly [K in keyof LoadedConfig]: LoadedConfig[K];
  } = {
    dir: root,
    files: found.map((f) => relative(root, f.path)),
    vars: {},
    warnings,
    secrets: source,
    ...(env.path ? { envFile: env.path } : {}),
    locate(schema, path) {
      const at = mergedBySchema.get(schema)?.locate(path);
      if (!at) return undefined;
      return {
        file: at.file,
        ...(at.position ? { line: at.position.line, column: at.position.column } : {}),
      };
    },
  };
  for (const schema of SCHEMA_NAMES) {
    const docs = bySchema.get(schema);
    if (!docs) continue;
    const merged = mergeDocs(docs, issues);
    mergedBySchema.set(schema, merged);
    if (schema === "apply") {
      const top = validate(SCHEMAS.apply, merged, issues);
      if (top === undefined) continue;
      await options.catalog?.load?.(
        referencedTypes([...(top.tasks ?? []), ...(top.handlers ?? [])], options.catalog.names),
      );
      result.apply = normaliseApply(top, merged, options.catalog, issues);
    } else if (schema === "vars") {
      result.vars = validate(SCHEMAS.vars, merged, issues) ?? result.vars;
    } else if (schema === "facts") {
      const facts = validate(SCHEMAS.facts, merged, issues);
      if (facts) result.facts = facts;
    } else if (schema === "logs") {
      const logs = validate(SCHEMAS.logs, merged, issues);
      if (logs) result.logs = logs;
    } else {
      const agent = validate(SCHEMAS.agent, merged, issues);
      if (agent) result.agent = agent;
    }
  }
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return result;
}

type ApplyTop = z.output<typeof SCHEMAS.apply>;

/** Validates data with a schema; issues are located through the merged origins. */
function validate<S extends z.ZodType>(
  schema: S,
  merged: Merged,
  issues: ConfigIssue[],
): z.output<S> | undefined {
  const parsed = schema.safeParse(merged.value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const path = issue.path as KeyPath;
    if (issue.code === "unrecognized_keys") {
      const known = shapeKeysAt(schema, path);
      for (const key of issue.keys) {
        issues.push(
          locatedIssue(
            merged,
            [...path, key],
            `unknown key "${key}"`,
            didYouMean(key, known),
            true,
          ),
        );
      }
    } else {
      issues.push(locatedIssue(merged, path, describeIssue(issue, merged.value)));
    }
  }
  return undefined;
}

/** The keys a (possibly nested) object schema allows at a path, for did-you-mean hints. */
export function shapeKeysAt(schema: z.ZodType, path: KeyPath): string[] {
  let cur: unknown = schema;
  const unwrap = () => {
    while (cur && typeof cur === "object" && "unwrap" in cur && typeof cur.unwrap === "function") {
      cur = cur.unwrap();
    }
  };
  for (const key of path) {
    unwrap();
    if (typeof key === "number" && cur && typeof cur === "object" && "element" in cur) {
      cur = cur.element;
    } else if (cur && typeof cur === "object" && "shape" in cur) {
      cur = (cur.shape as Record<string, unknown>)[key];
    } else return [];
  }
  unwrap();
  return cur && typeof cur === "object" && "shape" in cur ? Object.keys(cur.shape as object) : [];
}

function locatedIssue(
  merged: Merged,
  path: KeyPath,
  message: string,
  hint?: string,
  key = false,
): ConfigIssue {
  const at = merged.locate(path, key);
  return {
    file: at.file,
    ...(at.position ? { line: at.position.line, column: at.position.column } : {}),
    path: formatPath(path),
    message,
    ...(hint ? { hint } : {}),
  };
}

/** Normalises and validates the task lists of the merged apply document. */
function normaliseApply(
  top: ApplyTop,
  merged: Merged,
  catalog: TaskCatalog | undefined,
  issues: ConfigIssue[],
): ApplyConfig {
  const lists = (key: "tasks" | "handlers") =>
    normaliseTasks(top[key] ?? [], [key], catalog, issues, (p, k) => merged.locate(p, k));
  return { vars: top.vars ?? {}, tasks: lists("tasks"), handlers: lists("handlers") };
}

/** Locates a key path in some document (merged, or a single include file). */
export type Locator = (
  path: KeyPath,
  key?: boolean,
) => { file: string; position?: { line: number; column: number } };

/** Normalises a task list and validates each task's params against the catalog. */
export function normaliseTasks(
  list: unknown,
  base: KeyPath,
  catalog: TaskCatalog | undefined,
  issues: ConfigIssue[],
  locate: Locator,
): TaskSpec[] {
  const push = (path: KeyPath, message: string, hint?: string, key?: boolean) => {
    const at = locate(path, key);
    issues.push({
      file: at.file,
      ...(at.position ? { line: at.position.line, column: at.position.column } : {}),
      path: formatPath(path),
      message,
      ...(hint ? { hint } : {}),
    });
  };
  if (!Array.isArray(list)) {
    push(base, "expected a list of tasks");
    return [];
  }
  const out: TaskSpec[] = [];
  list.forEach((entry, i) => {
    const at = [...base, i];
    const names = catalog?.names ?? [];
    const n = normaliseTask(
      entry,
      catalog ?? emptyCatalog,
      (child, key) => normaliseTasks(child, [...at, key], catalog, issues, locate),
    );
    for (const p of n.problems) push([...at, ...n.sourcePath(p.path)], p.message, p.hint, p.key);
    if (!n.task) return;
    const where = locate(at);
    origins.set(n.task, {
      file: where.file,
      ...(where.position ? { line: where.position.line, column: where.position.column } : {}),
      path: formatPath(at),
    });
    out.push(n.task);
    if (!catalog || n.task.type === "block") return;
    const schema = catalog.params(n.task.type);
    if (!schema) {
      const typePath = n.sourcePath(["type"]);
      push([...at, ...typePath], `unknown task "${n.task.type}"`, didYouMean(n.task.type, names));
      return;
    }
    for (const issue of checkParams(schema, n.task.params)) {
      push([...at, ...n.sourcePath(issue.path)], issue.message, issue.hint, issue.key);
    }
  });
  return out;
}

const emptyCatalog: TaskCatalog = { names: [], params: () => undefined, freeForm: () => undefined };

/** A template marker: such strings are only known after rendering, so their check waits. */
const TEMPLATE = /\{\{|\{%/;

/**
 * Checks task params against their schema. Values that are templates are checked after they
 * are rendered, at run time, so issues at (or under) a templated path are left out here.
 */
export function checkParams(
  schema: z.ZodType,
  params: Readonly<Record<string, unknown>>,
): { path: KeyPath; message: string; hint?: string; key?: boolean }[] {
  const parsed = schema.safeParse(params);
  if (parsed.success) return [];
  const templated = templatedPaths(params, []);
  const out: { path: KeyPath; message: string; hint?: string; key?: boolean }[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path as KeyPath;
    if (templated.some((t) => startsWith(path, t))) continue;
    if (issue.code === "unrecognized_keys") {
      const known = shapeKeysAt(schema, path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, known);
        out.push({
          path: [...path, key],
          message: `unknown parameter "${key}"`,
          ...(hint ? { hint } : {}),
          key: true,
        });
      }
      continue;
    }
    out.push({ path, message: describeIssue(issue, params) });
  }
  return out;
}

function templatedPaths(value: unknown, path: (string | number)[]): KeyPath[] {
  if (typeof value === "string") return TEMPLATE.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => templatedPaths(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => templatedPaths(v, [...path, k]));
  }
  return [];
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.every((k, i) => path[i] === k);
}

/** A config file found in the dir and the schema its name selects. */
interface FoundFile {
  readonly path: string;
  readonly schema: SchemaName;
}

/** Lists the config files of a dir in merge order; unknown names become issues. */
async function findFiles(root: string, issues: ConfigIssue[]): Promise<FoundFile[]> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(root)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: FoundFile[] = [];
  const schemaNames = SCHEMA_NAMES as readonly string[];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) {
      if (SOURCE_DIRS.includes(entry.name)) continue;
      if (schemaNames.includes(entry.name)) {
        for (const path of await walk(join(root, entry.name))) {
          if (formatOf(path)) found.push({ path, schema: entry.name as SchemaName });
          else {
            issues.push({
              file: relative(root, path),
              path: "",
              message: `not a config file (expected .yml, .yaml, .json or .toml)`,
            });
          }
        }
        continue;
      }
      issues.push({
        file: `${entry.name}/`,
        path: "",
        message: "unknown folder in the config dir",
        hint: didYouMean(entry.name, [...schemaNames, ...SOURCE_DIRS]) ??
          `expected one of ${[...schemaNames, ...SOURCE_DIRS].join(", ")}`,
      });
      continue;
    }
    const format = formatOf(entry.name);
    if (!format) continue; // README.md, LICENSE and the like
    const stem = basename(entry.name, extname(entry.name));
    if (schemaNames.includes(stem)) {
      found.push({ path: join(root, entry.name), schema: stem as SchemaName });
    } else {
      const close = didYouMean(stem, schemaNames);
      issues.push({
        file: entry.name,
        path: "",
        message: "unknown config file: the file name selects the schema",
        hint: close
          ? close.replace(/"(\w+)"/, `"$1${extname(entry.name)}"`)
          : `name it after one of ${schemaNames.join(", ")}`,
      });
    }
  }
  return found;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/**
 * The path of a task file inside the config dir, or a ConfigError: an include names a file of
 * the config repo, never one elsewhere on the machine (`../x.yml`, `/etc/x.yml`, or a symlink
 * out of the repo).
 */
async function insideDir(dir: string, path: string): Promise<string> {
  const outside = () =>
    new ConfigError([{
      file: path,
      path: "",
      message: "the task file is outside the config dir",
      hint: "include_tasks names a file of the config repo, relative to the config dir",
    }]);
  const full = resolve(dir, path);
  if (isAbsolute(path) || !isInside(dir, full)) throw outside();
  try {
    if (!isInside(await Deno.realPath(dir), await Deno.realPath(full))) throw outside();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return full;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) =>
    a.file === b.file
      ? (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
      : a.file < b.file
      ? -1
      : 1
  );
}

/**
 * Loads a task file for `include_tasks` (a list of tasks, path relative to the config dir),
 * with secrets substituted and every task normalised and validated.
 */
export async function loadTaskFile(
  dir: string,
  path: string,
  options: { catalog?: TaskCatalog; redactor?: Redactor; secrets?: SecretSource } = {},
): Promise<TaskSpec[]> {
  const full = await insideDir(dir, path);
  const format = formatOf(full);
  if (!format) {
    throw new ConfigError([{
      file: path,
      path: "",
      message: "expected a .yml, .yaml, .json or .toml task file",
    }]);
  }
  let text: string;
  try {
    text = await Deno.readTextFile(full);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError([{
        file: path,
        path: "",
        message: "task file not found (paths are relative to the config dir)",
      }]);
    }
    throw e;
  }
  const doc = parseSource(text, path, format, { yaml11: true });
  const issues: ConfigIssue[] = [];
  const { value, missing } = substitute(
    doc.data,
    options.secrets ?? secretSource({}),
    options.redactor,
  );
  for (const m of missing) {
    const pos = doc.locate(m.path);
    issues.push({
      file: path,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      path: formatPath(m.path),
      message: `\${${m.name}} is not set`,
    });
  }
  if (options.catalog) await options.catalog.load?.(referencedTypes(value, options.catalog.names));
  const tasks = normaliseTasks(value, [], options.catalog, issues, (p, key) => {
    const position = doc.locate(p, key);
    return { file: path, ...(position ? { position } : {}) };
  });
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return tasks;
}
