/**
 * Loads a config dir (DESIGN §4): finds the files, parses them, substitutes secrets, merges the
 * files of each schema, validates, and normalises apply tasks. Every problem in every file is
 * collected and thrown at once as a ConfigError.
 *
 * @module
 */
import { basename, dirname, extname, join, relative } from "node:path";
import type * as z from "zod";
import {
  ConfigError,
  type ConfigIssue,
  didYouMean,
  formatPath,
  type KeyPath,
  sortIssues,
} from "../errors.ts";
import { type Redactor, type SecretSource, secretSource, substitute } from "../secrets.ts";
import { describeIssue, type TaskCatalog, type TaskSpec } from "./apply_schema.ts";
import { readEnvFile } from "./env_file.ts";
import { type Merged, mergeDocs } from "./merge.ts";
import { SCHEMA_NAMES, type SchemaName, SCHEMAS } from "./schemas.ts";
import type { AgentConfig } from "./agent_schema.ts";
import type { FactsConfig } from "./facts_schema.ts";
import type { LogsConfig } from "./logs_schema.ts";
import { formatOf, parseSource, type SourceDoc } from "./source.ts";
import { expandHome } from "./paths.ts";
import { type Locator, shapeKeysAt } from "./task_list.ts";
import { TaskLoader } from "./task_loader.ts";

/** Folders of the config dir that hold sources, not config. */
export const SOURCE_DIRS: readonly string[] = ["templates", "files", "tasks", "roles"];

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

/**
 * The apply part of a loaded config: a play, as in Ansible. It runs `pre_tasks`, then `roles`
 * and `tasks`, then `post_tasks`, with notified handlers run after each of the three.
 */
export interface ApplyConfig {
  /** Play vars (apply.yml `vars:`), above global vars. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Tasks before the roles (their handlers run before the roles start). */
  readonly pre_tasks?: readonly TaskSpec[];
  /** The `roles:` entries, each a block that applies the role. */
  readonly roles?: readonly TaskSpec[];
  /** Tasks, in order. */
  readonly tasks: readonly TaskSpec[];
  /** Tasks after the tasks and their handlers. */
  readonly post_tasks?: readonly TaskSpec[];
  /** Handlers, in definition order (roles bring their own). */
  readonly handlers: readonly TaskSpec[];
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
  const source = secretSource(env.values, { path: env.path, unreadable: env.unreadable });

  const found = await findFiles(root, issues);
  warnings.push(...splitFormats(root, found));
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
      issues.push({
        file: rel,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        path: formatPath(m.path),
        ...source.missing(m.name),
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
      const loader = new TaskLoader(root, {
        ...(options.catalog ? { catalog: options.catalog } : {}),
        ...(options.redactor ? { redactor: options.redactor } : {}),
        secrets: source,
      });
      result.apply = await normaliseApply(top, merged, loader, issues);
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

/** Normalises and validates the task lists and roles of the merged apply document. */
async function normaliseApply(
  top: z.output<typeof SCHEMAS.apply>,
  merged: Merged,
  loader: TaskLoader,
  issues: ConfigIssue[],
): Promise<ApplyConfig> {
  const locate: Locator = (p, k) => merged.locate(p, k);
  const list = (key: "pre_tasks" | "tasks" | "post_tasks" | "handlers") =>
    loader.tasks(top[key] ?? [], { base: [key], locate, from: {} }, issues);
  return {
    vars: top.vars ?? {},
    pre_tasks: await list("pre_tasks"),
    roles: await loader.roles(top.roles ?? [], { base: ["roles"], locate }, issues),
    tasks: await list("tasks"),
    post_tasks: await list("post_tasks"),
    handlers: await list("handlers"),
  };
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

/**
 * A warning per folder where one schema's files come in more than one format (`apply.yml` and
 * `apply.json` side by side): they merge silently, which is rarely what was meant.
 */
function splitFormats(root: string, found: readonly FoundFile[]): string[] {
  const groups = new Map<string, { schema: SchemaName; files: string[]; formats: Set<string> }>();
  for (const f of found) {
    const key = `${f.schema}\0${dirname(f.path)}`;
    const group = groups.get(key) ?? { schema: f.schema, files: [], formats: new Set() };
    group.files.push(relative(root, f.path));
    group.formats.add(formatOf(f.path)!);
    groups.set(key, group);
  }
  return [...groups.values()].filter((g) => g.formats.size > 1).map((g) =>
    `${g.schema} is split across formats (${[...g.formats].join(", ")}): ${
      g.files.join(", ")
    } merge into one; keep one format so each setting has one obvious place`
  );
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
