/**
 * Turns files of the config repo into task lists: task files (YAML 1.1, secrets substituted),
 * static imports expanded in place (`import_tasks`, `import_role`), roles with their defaults,
 * vars, handlers and meta dependencies, and the files `include_tasks`, `include_role` and
 * `include_vars` name at run time, found where Ansible looks for them.
 *
 * Every file stays inside the config dir: a path that leaves it (`../x.yml`, an absolute path,
 * a symlink out of the repo) is refused.
 *
 * @module
 */
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import { ConfigError, type ConfigIssue, formatPath, type KeyPath, sortIssues } from "../errors.ts";
import { type Redactor, type SecretSource, secretSource, substitute } from "../secrets.ts";
import { normaliseTask, referencedTypes, type TaskCatalog, type TaskSpec } from "./apply_schema.ts";
import {
  parseRoleRef,
  type Role,
  type RoleCall,
  roleFileCandidates,
  type RoleFiles,
  type RoleRef,
} from "./roles.ts";
import { formatOf, parseSource, type SourceDoc } from "./source.ts";
import { type Locator, normaliseTasks, originOf, setOrigin, type TaskOrigin } from "./task_list.ts";

/** Options for {@linkcode TaskLoader}. */
export interface TaskLoaderOptions {
  /** Task types, for normalising and validating tasks. */
  readonly catalog?: TaskCatalog;
  /** Receives every substituted secret value. */
  readonly redactor?: Redactor;
  /** Where `${NAME}` values come from. */
  readonly secrets?: SecretSource;
}

/** Where an include is written: its file (relative to the config dir) and the role it is in. */
export interface IncludeFrom {
  readonly file?: string;
  readonly role?: Role;
}

/** How a role is applied: visible to the play, run once, which of its files. */
export interface RoleOptions {
  readonly public: boolean;
  readonly once: boolean;
  readonly files?: RoleFiles;
}

/** What the runner loads at run time: the files includes name. */
export interface TaskSource {
  /** The tasks of the file `include_tasks` names, found as Ansible finds it. */
  includeTasks(target: string, from: IncludeFrom): Promise<TaskSpec[]>;
  /** A block that applies a role (`include_role`). */
  roleBlock(ref: RoleRef, options: RoleOptions, origin: TaskOrigin): Promise<TaskSpec>;
  /** A vars file of the config repo (`include_vars`). */
  varsFile(path: string): Promise<Record<string, unknown>>;
}

/** Static imports nest at most this deep (an import cycle stops here). */
const MAX_DEPTH = 32;

/** Reads task files, roles and vars files of one config dir, each file once. */
export class TaskLoader implements TaskSource {
  /** The config dir, absolute. */
  readonly dir: string;
  readonly #o: TaskLoaderOptions;
  readonly #docs = new Map<string, Promise<SourceDoc>>();
  readonly #roles = new Map<string, Promise<Role>>();

  constructor(dir: string, options: TaskLoaderOptions = {}) {
    this.dir = resolve(dir);
    this.#o = options;
  }

  /**
   * Normalises a task list (of any document) and expands its static imports; problems go to
   * `issues`. `from` says where the list is written, for resolving what it imports.
   */
  async tasks(
    list: unknown,
    where: { base: KeyPath; locate: Locator; from: IncludeFrom },
    issues: ConfigIssue[],
    depth = 0,
  ): Promise<TaskSpec[]> {
    const catalog = this.#o.catalog;
    if (catalog) await catalog.load?.(referencedTypes(list, catalog.names));
    const specs = normaliseTasks(list, where.base, catalog, issues, where.locate);
    return await this.#expand(specs, where.from, issues, depth);
  }

  /**
   * The tasks of a file `include_tasks` names, found as Ansible finds it: in a role, the role's
   * `tasks/` first, then beside the including file; elsewhere beside the including file, then
   * in the config dir. Throws a ConfigError.
   */
  async includeTasks(target: string, from: IncludeFrom): Promise<TaskSpec[]> {
    const issues: ConfigIssue[] = [];
    const file = await this.#findTaskFile(target, from, true);
    const tasks = await this.#taskFile(file, from.role, issues, 0);
    if (issues.length > 0) throw new ConfigError(sortIssues(issues));
    return tasks;
  }

  /** A block that applies a role (`roles:`, `include_role`); throws a ConfigError. */
  async roleBlock(ref: RoleRef, options: RoleOptions, origin: TaskOrigin): Promise<TaskSpec> {
    const issues: ConfigIssue[] = [];
    const block = await this.#roleBlock(ref, options, origin, issues, []);
    if (!block || issues.length > 0) throw new ConfigError(sortIssues(issues));
    return block;
  }

  /**
   * The `roles:` entries of a play as role blocks. Problems go to `issues`, located through
   * `locate` (the key path of the list is `base`).
   */
  async roles(
    list: readonly unknown[],
    where: { base: KeyPath; locate: Locator },
    issues: ConfigIssue[],
  ): Promise<TaskSpec[]> {
    const out: TaskSpec[] = [];
    for (const [i, entry] of list.entries()) {
      const at = [...where.base, i];
      const { ref, problems } = parseRoleRef(entry);
      for (const p of problems) issues.push(located(where.locate, [...at, ...p.path], p.message));
      if (!ref) continue;
      const pos = where.locate(at);
      const origin: TaskOrigin = {
        file: pos.file,
        ...(pos.position ? { line: pos.position.line, column: pos.position.column } : {}),
        path: formatPath(at),
      };
      const block = await this.#roleBlock(ref, { public: true, once: true }, origin, issues, []);
      if (block) out.push(block);
    }
    return out;
  }

  /** Reads a vars file of the config repo (absolute, or relative to the config dir). */
  async varsFile(path: string): Promise<Record<string, unknown>> {
    const issues: ConfigIssue[] = [];
    const rel = isAbsolute(path) ? relative(this.dir, path) : path;
    const vars = await this.#varsFile(rel, issues);
    if (issues.length > 0) throw new ConfigError(sortIssues(issues));
    return vars;
  }

  // ------------------------------------------------------------------ files

  /** A document of the config repo, read once, secrets substituted. */
  #doc(rel: string, issues: ConfigIssue[]): Promise<SourceDoc | undefined> {
    let doc = this.#docs.get(rel);
    if (!doc) {
      doc = this.#read(rel);
      this.#docs.set(rel, doc);
    }
    return doc.catch((e) => {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues);
      return undefined;
    });
  }

  async #read(rel: string): Promise<SourceDoc> {
    const full = await insideDir(this.dir, rel);
    const format = formatOf(full) ?? "yaml";
    let text: string;
    try {
      text = await Deno.readTextFile(full);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ConfigError([{ file: rel, path: "", message: "file not found" }]);
      }
      throw e;
    }
    const doc = parseSource(text, rel, format, { yaml11: true });
    const source = this.#o.secrets ?? secretSource({});
    const { value, missing } = substitute(doc.data, source, this.#o.redactor);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((m) => {
        const pos = doc.locate(m.path);
        return {
          file: rel,
          ...(pos ? { line: pos.line, column: pos.column } : {}),
          path: formatPath(m.path),
          ...source.missing(m.name),
        };
      }));
    }
    return { ...doc, data: value ?? null };
  }

  async #exists(rel: string): Promise<boolean> {
    try {
      return (await Deno.stat(join(this.dir, rel))).isFile;
    } catch {
      return false;
    }
  }

  async #firstExisting(candidates: readonly string[]): Promise<string | undefined> {
    for (const c of candidates) if (await this.#exists(c)) return c;
    return undefined;
  }

  /** A task file: a list of tasks, with its imports expanded. */
  async #taskFile(
    rel: string,
    role: Role | undefined,
    issues: ConfigIssue[],
    depth: number,
  ): Promise<TaskSpec[]> {
    const doc = await this.#doc(rel, issues);
    if (!doc) return [];
    if (doc.data === null) return []; // an empty file is an empty list, as in Ansible
    const locate: Locator = (p, key) => {
      const position = doc.locate(p, key);
      return { file: rel, ...(position ? { position } : {}) };
    };
    return await this.tasks(
      doc.data,
      { base: [], locate, from: { file: rel, ...(role ? { role } : {}) } },
      issues,
      depth,
    );
  }

  /** A vars file: a mapping (an empty file is an empty one). */
  async #varsFile(rel: string, issues: ConfigIssue[]): Promise<Record<string, unknown>> {
    const doc = await this.#doc(rel, issues);
    if (!doc || doc.data === null) return {};
    if (typeof doc.data !== "object" || Array.isArray(doc.data)) {
      issues.push({
        file: rel,
        line: 1,
        column: 1,
        path: "",
        message: "expected a mapping of vars",
      });
      return {};
    }
    return doc.data as Record<string, unknown>;
  }

  /**
   * Finds a task file named by an include or import, as Ansible looks for it; throws an Error
   * saying where it looked when it is not there, or when the name leaves the config dir.
   */
  async #findTaskFile(target: string, from: IncludeFrom, dynamic: boolean): Promise<string> {
    if (isAbsolute(target)) {
      throw new Error("a task file is named relative to the config dir, which it may not leave");
    }
    const here = from.file ? posix.dirname(from.file) : ".";
    const role = from.role?.dir;
    // The folder of the role the include is written in (tasks/ or handlers/).
    const folder = role && from.file?.startsWith(`${role}/`)
      ? from.file.slice(role.length + 1).split("/")[0]!
      : "tasks";
    const inRole = role ? [posix.join(role, folder, target), posix.join(role, target)] : [];
    const list = dynamic
      ? [...inRole.slice(0, 1), posix.join(here, target), ...inRole.slice(1), target]
      : [posix.join(here, target), ...inRole, target];
    const candidates = [...new Set(list.map((c) => posix.normalize(c)))];
    for (const c of candidates) {
      try {
        await insideDir(this.dir, c);
      } catch {
        throw new Error("the task file is outside the config dir, which it may not leave");
      }
    }
    const found = await this.#firstExisting(candidates);
    if (found === undefined) {
      throw new Error(`task file not found (looked for ${candidates.join(", ")})`);
    }
    return found;
  }

  // ------------------------------------------------------------------ imports

  /** Replaces `import_tasks` and `import_role` with blocks of what they import, recursively. */
  async #expand(
    specs: readonly TaskSpec[],
    from: IncludeFrom,
    issues: ConfigIssue[],
    depth: number,
  ): Promise<TaskSpec[]> {
    const out: TaskSpec[] = [];
    for (const spec of specs) {
      const origin = originOf(spec);
      const fail = (message: string, hint?: string) =>
        issues.push({
          file: origin?.file ?? from.file ?? "apply",
          ...(origin?.line ? { line: origin.line } : {}),
          ...(origin?.column ? { column: origin.column } : {}),
          path: origin?.path ?? "",
          message,
          ...(hint ? { hint } : {}),
        });
      const here = origin?.file ? { ...from, file: origin.file } : from;
      let next: TaskSpec | undefined = spec;
      if (spec.type === "block" && !spec.role) {
        next = {
          ...spec,
          block: await this.#expand(spec.block ?? [], here, issues, depth),
          rescue: await this.#expand(spec.rescue ?? [], here, issues, depth),
          always: await this.#expand(spec.always ?? [], here, issues, depth),
        };
      } else if (spec.type === "import_tasks" || spec.type === "import_role") {
        if (spec.loop !== undefined) {
          fail(
            `${spec.type} is static and cannot loop`,
            `use ${spec.type.replace("import", "include")}`,
          );
          continue;
        }
        if (depth >= MAX_DEPTH) {
          fail(`imports nest deeper than ${MAX_DEPTH} (an import cycle?)`);
          continue;
        }
        next = spec.type === "import_tasks"
          ? await this.#importTasks(spec, here, issues, depth, fail)
          : await this.#importRole(spec, here, issues, fail);
      }
      if (!next) continue;
      if (next !== spec && origin) setOrigin(next, origin);
      out.push(next);
    }
    return out;
  }

  async #importTasks(
    spec: TaskSpec,
    from: IncludeFrom,
    issues: ConfigIssue[],
    depth: number,
    fail: (message: string, hint?: string) => void,
  ): Promise<TaskSpec | undefined> {
    const target = spec.params.file ?? spec.params._raw_params;
    if (typeof target !== "string" || /\{\{|\{%/.test(target)) {
      fail(
        "import_tasks is static: it names one file, without variables",
        "use include_tasks to choose the file at run time",
      );
      return undefined;
    }
    let file: string;
    try {
      file = await this.#findTaskFile(target, from, false);
    } catch (e) {
      fail(`import_tasks ${target}: ${(e as Error).message}`);
      return undefined;
    }
    const tasks = await this.#taskFile(file, from.role, issues, depth + 1);
    return staticBlock(spec, tasks, `import_tasks ${target}`);
  }

  async #importRole(
    spec: TaskSpec,
    from: IncludeFrom,
    issues: ConfigIssue[],
    fail: (message: string, hint?: string) => void,
  ): Promise<TaskSpec | undefined> {
    const p = spec.params;
    if (typeof p.name !== "string" || /\{\{|\{%/.test(p.name)) {
      fail("import_role is static: it names one role, without variables", "use include_role");
      return undefined;
    }
    const origin = originOf(spec) ?? { file: from.file ?? "apply", path: "" };
    const ref: RoleRef = { name: p.name, params: {}, vars: {}, keywords: {} };
    const role = await this.#roleBlock(
      ref,
      { public: true, once: false, files: roleFiles(p) },
      origin,
      issues,
      [],
    );
    if (!role) return undefined;
    return staticBlock(spec, [role], `import_role ${p.name}`);
  }

  // ------------------------------------------------------------------ roles

  async #roleBlock(
    ref: RoleRef,
    options: RoleOptions,
    origin: TaskOrigin,
    issues: ConfigIssue[],
    stack: readonly string[],
  ): Promise<TaskSpec | undefined> {
    const fail = (message: string, hint?: string) =>
      issues.push({
        file: origin.file,
        ...(origin.line ? { line: origin.line } : {}),
        ...(origin.column ? { column: origin.column } : {}),
        path: origin.path,
        message,
        ...(hint ? { hint } : {}),
      });
    const dir = await this.#findRole(ref.name, fail);
    if (dir === undefined) return undefined;
    if (stack.includes(dir)) {
      fail(`role ${ref.name} depends on itself: ${[...stack, dir].join(" -> ")}`);
      return undefined;
    }
    const files = options.files ?? {};
    const key = `${dir}\0${JSON.stringify(files)}`;
    let loading = this.#roles.get(key);
    if (!loading) {
      loading = this.#loadRole(ref.name, dir, files, [...stack, dir]);
      this.#roles.set(key, loading);
    }
    let role: Role;
    try {
      role = await loading;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Each problem once, however many times the role is referenced.
      for (const issue of e.issues) if (!issues.includes(issue)) issues.push(issue);
      return undefined;
    }
    const call: RoleCall = {
      role,
      params: ref.params,
      vars: ref.vars,
      public: options.public,
      once: options.once,
      key: `${key}\0${JSON.stringify(ref.params)}\0${JSON.stringify(ref.vars)}`,
    };
    // The reference's keywords (when, tags, become, ...) are those of the role's block.
    const n = normaliseTask(
      { ...ref.keywords, name: `role ${ref.name}`, block: [] },
      this.#o.catalog ?? { names: [], params: () => undefined, freeForm: () => undefined },
      () => [],
    );
    for (const p of n.problems) fail(`${formatPath(p.path)}: ${p.message}`, p.hint);
    if (!n.task) return undefined;
    const block: TaskSpec = {
      ...n.task,
      role: call,
      block: [...role.dependencies, ...role.tasks],
      rescue: [],
      always: [],
    };
    setOrigin(block, origin);
    return block;
  }

  /** The role dir, relative to the config dir: `roles/<name>`, or a path in the repo. */
  async #findRole(
    name: string,
    fail: (message: string, hint?: string) => void,
  ): Promise<string | undefined> {
    if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(name)) {
      fail(
        `role ${name} is in a collection: collections are not installed by driftless`,
        `copy the role into roles/${name.split(".").pop()}/`,
      );
      return undefined;
    }
    const candidates = name.includes("/") ? [posix.normalize(name)] : [`roles/${name}`, name];
    for (const c of candidates) {
      try {
        await insideDir(this.dir, c);
        if ((await Deno.stat(join(this.dir, c))).isDirectory) return c;
      } catch (e) {
        if (e instanceof ConfigError) {
          fail(`role ${name} is outside the config dir`);
          return undefined;
        }
      }
    }
    fail(`role ${JSON.stringify(name)} not found`, `looked for ${candidates.join(", ")}`);
    return undefined;
  }

  async #loadRole(
    name: string,
    dir: string,
    files: RoleFiles,
    stack: readonly string[],
  ): Promise<Role> {
    const issues: ConfigIssue[] = [];
    const dependencies: TaskSpec[] = [];
    const role: { -readonly [K in keyof Role]: Role[K] } = {
      name,
      path: join(this.dir, dir),
      dir,
      defaults: await this.#roleVars(dir, "defaults", files.defaults, issues),
      vars: await this.#roleVars(dir, "vars", files.vars, issues),
      tasks: [],
      handlers: [],
      dependencies,
      allowDuplicates: false,
    };
    const meta = await this.#firstExisting(roleFileCandidates(`${dir}/meta`, "main"));
    const metaDoc = meta === undefined ? undefined : await this.#doc(meta, issues);
    const data = metaDoc?.data;
    if (data !== null && data !== undefined) {
      if (typeof data !== "object" || Array.isArray(data)) {
        issues.push({ file: meta!, path: "", message: "expected a mapping (dependencies, ...)" });
      } else {
        const m = data as Record<string, unknown>;
        role.allowDuplicates = m.allow_duplicates === true;
        const deps = m.dependencies ?? [];
        if (!Array.isArray(deps)) {
          issues.push(located(locatorOf(metaDoc!), ["dependencies"], "expected a list of roles"));
        } else {
          for (const [i, entry] of deps.entries()) {
            const at = ["dependencies", i];
            const { ref, problems } = parseRoleRef(entry);
            for (const p of problems) {
              issues.push(located(locatorOf(metaDoc!), [...at, ...p.path], p.message));
            }
            if (!ref) continue;
            const pos = metaDoc!.locate(at);
            const origin = { file: meta!, ...(pos ?? {}), path: formatPath(at) };
            const block = await this.#roleBlock(
              ref,
              { public: true, once: true },
              origin,
              issues,
              stack,
            );
            if (block) dependencies.push(block);
          }
        }
      }
    }
    for (const kind of ["tasks", "handlers"] as const) {
      const wanted = files[kind];
      const file = await this.#firstExisting(
        roleFileCandidates(`${dir}/${kind}`, wanted ?? "main"),
      );
      if (file === undefined) {
        if (wanted !== undefined) {
          issues.push({
            file: `${dir}/${kind}/`,
            path: "",
            message: `${kind}_from: ${wanted} not found`,
          });
        }
        continue;
      }
      role[kind] = await this.#taskFile(file, role, issues, 0);
    }
    if (issues.length > 0) throw new ConfigError(sortIssues(issues));
    return role;
  }

  /** `defaults/` or `vars/` of a role: `<name>.yml` (and friends), or a `<name>/` folder. */
  async #roleVars(
    dir: string,
    kind: "defaults" | "vars",
    wanted: string | undefined,
    issues: ConfigIssue[],
  ): Promise<Record<string, unknown>> {
    const name = wanted ?? "main";
    const file = await this.#firstExisting(roleFileCandidates(`${dir}/${kind}`, name));
    if (file !== undefined) return await this.#varsFile(file, issues);
    const folder = `${dir}/${kind}/${name}`;
    const entries: string[] = [];
    try {
      for await (const e of Deno.readDir(join(this.dir, folder))) {
        if (e.isFile && formatOf(e.name)) entries.push(e.name);
      }
    } catch {
      if (wanted !== undefined) {
        issues.push({
          file: `${dir}/${kind}/`,
          path: "",
          message: `${kind}_from: ${wanted} not found`,
        });
      }
      return {};
    }
    let out: Record<string, unknown> = {};
    for (const e of entries.sort()) {
      out = { ...out, ...await this.#varsFile(`${folder}/${e}`, issues) };
    }
    return out;
  }
}

/** `tasks_from`, `vars_from`, ... of include_role / import_role params. */
export function roleFiles(params: Readonly<Record<string, unknown>>): RoleFiles {
  const pick = (
    k: string,
  ) => (typeof params[k] === "string" ? { [k.replace("_from", "")]: params[k] } : {});
  return {
    ...pick("tasks_from"),
    ...pick("vars_from"),
    ...pick("defaults_from"),
    ...pick("handlers_from"),
  };
}

/** An import as a block: its keywords (when, tags, vars, become, ...) apply to every task. */
function staticBlock(spec: TaskSpec, tasks: TaskSpec[], label: string): TaskSpec {
  const { loop: _loop, loop_with: _with, register: _register, ...keywords } = spec;
  return {
    ...keywords,
    type: "block",
    description: spec.description ?? label,
    params: {},
    notify: [],
    listen: [],
    block: tasks,
    rescue: [],
    always: [],
  };
}

function locatorOf(doc: SourceDoc): Locator {
  return (p, key) => {
    const position = doc.locate(p, key);
    return { file: doc.file, ...(position ? { position } : {}) };
  };
}

function located(locate: Locator, path: KeyPath, message: string): ConfigIssue {
  const at = locate(path);
  return {
    file: at.file,
    ...(at.position ? { line: at.position.line, column: at.position.column } : {}),
    path: formatPath(path),
    message,
  };
}

/**
 * The path of a file inside the config dir, or a ConfigError: the config repo names its own
 * files, never one elsewhere on the machine (`../x.yml`, `/etc/x.yml`, a symlink out of it).
 */
export async function insideDir(dir: string, path: string): Promise<string> {
  const outside = () =>
    new ConfigError([{
      file: path,
      path: "",
      message: "the file is outside the config dir",
      hint: "files are named relative to the config dir (a Git checkout) and stay inside it",
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
