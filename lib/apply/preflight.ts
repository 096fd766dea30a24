/**
 * The preflight: everything about an apply config that can be checked before the first change.
 * `validate` and `apply` both run exactly this (apply through `runApply`), so a config that
 * validates is never rejected by apply for a reason validate could have seen.
 *
 * It needs no host and no facts: it checks what the config repo alone decides (template syntax
 * in params and in `templates/`, `notify` targets, include files, params after templating with
 * vars, source files of copy/template/script), so its answer is the same on every machine.
 *
 * @module
 */
import { join } from "node:path";
import type { Condition, TaskSpec } from "../config/apply_schema.ts";
import type { ApplyConfig } from "../config/loader.ts";
import type { Role, RoleCall } from "../config/roles.ts";
import { roleFiles, type TaskSource } from "../config/task_loader.ts";
import { originOf } from "../config/task_list.ts";
import { ConfigError, type ConfigIssue, formatIssue } from "../errors.ts";
import { loopItems } from "./loops.ts";
import {
  evaluateCondition,
  InvalidParams,
  labelOf,
  OMIT,
  renderParams,
  rootsOf,
  searchPathOf,
  stripMustache,
  TEMPLATE_MARKER,
  type TemplateEngine,
  type Templating,
} from "./params.ts";
import { type AnyTaskModule, isRunnerTask, type TaskModule } from "./task.ts";

/** What the preflight needs besides the config. */
export interface PreflightOptions {
  readonly engine: TemplateEngine;
  /** Task types by name. */
  readonly tasks: Readonly<Record<string, AnyTaskModule>>;
  /** The config dir (templates/, files/, include files). */
  readonly configDir: string;
  /** Global vars (`vars.*` files). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Loads the files includes name. */
  readonly loader: TaskSource;
  /** Receives each warning (a problem in a file that is only included under a condition). */
  onWarning?(message: string): void;
}

/** How many loop items of a static loop are checked: enough to catch a bad item, bounded. */
const MAX_ITEMS = 100;

/**
 * Checks an apply config before anything runs and returns every problem found, located by
 * file, line and key path; `[]` means apply will start. Problems in a file that is included
 * only under a condition are warnings (`severity: "warning"`): the run fails on them only if
 * it reaches the include, as Ansible loads a dynamic include only when it runs it.
 */
export async function preflight(
  config: ApplyConfig,
  options: PreflightOptions,
): Promise<ConfigIssue[]> {
  return await new Preflight(config, options).run();
}

/** Runs the preflight: warnings go to `onWarning`, errors throw a ConfigError. */
export async function assertPreflight(
  config: ApplyConfig,
  options: PreflightOptions,
): Promise<void> {
  const issues = await preflight(config, options);
  for (const w of issues.filter((i) => i.severity === "warning")) {
    options.onWarning?.(formatIssue(w));
  }
  const errors = issues.filter((i) => i.severity !== "warning");
  if (errors.length > 0) throw new ConfigError(errors);
}

/** What a task inherits in the preflight: block and role vars, conditions, its role. */
interface Context {
  readonly vars: Record<string, unknown>;
  /** The `when` conditions of the blocks, roles and includes around it, as written. */
  readonly when: readonly string[];
  /**
   * Inside a file included under conditions (or with ignore_errors): why the run may never
   * meet it. Problems there are warnings now, and errors when the run reaches the include.
   */
  readonly soft?: string;
  readonly role?: Role;
}

const TOP: Context = { vars: {}, when: [] };

class Preflight {
  readonly #config: ApplyConfig;
  readonly #o: PreflightOptions;
  readonly #t: Templating;
  readonly #base: Record<string, unknown>;
  readonly #issues: ConfigIssue[] = [];
  /** Every role the config applies, by its files and params. */
  readonly #roles = new Map<string, Role>();
  readonly #handlerNames = new Set<string>();
  #dynamic = new Set<string>();
  /** Every task met while collecting (includes too), for the names set at run time. */
  readonly #all: TaskSpec[] = [];

  constructor(config: ApplyConfig, options: PreflightOptions) {
    this.#config = config;
    this.#o = options;
    this.#t = { engine: options.engine, searchPath: searchPathOf([options.configDir]) };
    // No facts: what depends on the host is checked when the task runs.
    this.#base = {
      playbook_dir: options.configDir,
      omit: OMIT,
      ...options.vars,
      ...config.vars,
    };
  }

  async run(): Promise<ConfigIssue[]> {
    const c = this.#config;
    const lists = [c.pre_tasks ?? [], c.roles ?? [], c.tasks, c.post_tasks ?? []];
    const all = [...lists.flat(), ...c.handlers];
    await this.#collect(all, TOP);
    for (const h of c.handlers) this.#addHandlerNames(h);
    for (const role of this.#roles.values()) {
      for (const h of role.handlers) this.#addHandlerNames(h, role);
    }
    this.#dynamic = runtimeNames(this.#all);
    for (const list of lists) await this.#visit(list, TOP);
    await this.#visit(c.handlers, TOP);
    for (const role of this.#roles.values()) {
      await this.#visit(role.handlers, { ...TOP, vars: roleVars(role), role });
    }
    await this.#checkTemplateFiles();
    return this.#issues;
  }

  #addHandlerNames(h: TaskSpec, role?: Role): void {
    for (const l of h.listen) this.#handlerNames.add(l);
    if (h.description === undefined) return;
    this.#handlerNames.add(h.description);
    if (role) this.#handlerNames.add(`${role.name} : ${h.description}`);
  }

  /**
   * Loads what the config names for the run: the roles of role blocks and the files and roles
   * of includes with a static name (their handlers can be notified; their tasks are checked).
   */
  readonly #loaded = new Map<string, Promise<TaskSpec[] | ConfigIssue[]>>();

  async #collect(tasks: readonly TaskSpec[], ctx: Context): Promise<void> {
    for (const task of tasks) {
      this.#all.push(task);
      if (task.role) {
        if (this.#roles.has(task.role.key)) continue;
        this.#roles.set(task.role.key, task.role.role);
        this.#all.push(...task.role.role.handlers);
      }
      const inner = task.role ? { ...ctx, role: task.role.role } : ctx;
      await this.#collect(
        [...(task.block ?? []), ...(task.rescue ?? []), ...(task.always ?? [])],
        inner,
      );
      const loaded = await this.#load(task, ctx);
      if (Array.isArray(loaded) && loaded.every(isTask)) await this.#collect(loaded, inner);
    }
  }

  /** The tasks an include with a static name loads, or the issues of loading them. */
  #load(task: TaskSpec, ctx: Context): Promise<TaskSpec[] | ConfigIssue[]> | undefined {
    const target = task.type === "include_tasks" || task.type === "include"
      ? task.params.file ?? task.params._raw_params
      : task.type === "include_role"
      ? task.params.name
      : undefined;
    if (typeof target !== "string" || TEMPLATE_MARKER.test(target)) return undefined;
    const origin = originOf(task);
    const from = {
      ...(origin?.file ? { file: origin.file } : {}),
      ...(ctx.role ? { role: ctx.role } : {}),
    };
    const key = `${task.type}\0${ctx.role?.path}\0${origin?.file}\0${target}\0${
      JSON.stringify(task.params)
    }`;
    let loading = this.#loaded.get(key);
    if (!loading) {
      const load = task.type === "include_role"
        ? this.#o.loader.roleBlock(
          { name: target, params: {}, vars: {}, keywords: {} },
          { public: false, once: false, files: roleFiles(task.params) },
          origin ?? { file: from.file ?? "apply", path: "" },
        ).then((block) => [block])
        : this.#o.loader.includeTasks(target, from);
      loading = load.catch((e) => {
        if (e instanceof ConfigError) return [...e.issues];
        return [{
          file: origin?.file ?? "apply",
          ...(origin?.line ? { line: origin.line } : {}),
          path: origin?.path ?? "",
          message: `${task.type} ${target}: ${(e as Error).message}`,
        }];
      });
      this.#loaded.set(key, loading);
    }
    return loading;
  }

  readonly #visited = new Set<string>();

  async #visit(tasks: readonly TaskSpec[], ctx: Context): Promise<void> {
    for (const task of tasks) {
      const fail = (message: string) => this.#issue(task, message, ctx);
      for (const name of task.notify) {
        if (!this.#handlerNames.has(name)) {
          fail(`notify: no handler is named or listens to "${name}"`);
        }
      }
      for (const [where, text] of templateStrings(task)) {
        try {
          await this.#o.engine.checkTemplate(text, {
            name: `${originOf(task)?.path ?? "task"}.${where}`,
          });
        } catch (e) {
          fail(`${where}: ${(e as Error).message}`);
        }
      }
      const when = [...ctx.when, ...conditionText(task.when)];
      if (task.type === "block") {
        const role = task.role;
        const inner: Context = {
          ...ctx,
          vars: { ...ctx.vars, ...(role ? roleVars(role.role, role) : {}), ...task.vars },
          when,
          ...(role ? { role: role.role } : {}),
        };
        await this.#visit(task.block ?? [], inner);
        await this.#visit(task.rescue ?? [], inner);
        await this.#visit(task.always ?? [], inner);
        continue;
      }
      const loaded = await this.#load(task, ctx);
      if (loaded) {
        const key = `${ctx.role?.path}\0${originOf(task)?.file}\0${JSON.stringify(task.params)}`;
        if (this.#visited.has(key)) continue;
        this.#visited.add(key);
        // An include under a condition is loaded only if the run reaches it, and one with
        // ignore_errors may fail: what is wrong in it is a warning now, an error then.
        const soft = when.length > 0
          ? `included only when ${when.map((w) => `(${w})`).join(" and ")}`
          : task.ignore_errors !== undefined && task.ignore_errors !== false
          ? "included with ignore_errors"
          : ctx.soft;
        const inner: Context = {
          ...ctx,
          vars: { ...ctx.vars, ...task.vars },
          when,
          ...(soft ? { soft } : {}),
        };
        if (loaded.every(isTask)) await this.#visit(loaded as TaskSpec[], inner);
        else for (const issue of loaded as ConfigIssue[]) this.#push(issue, soft);
        continue;
      }
      const problem = await this.#checkTask(task, ctx);
      if (problem) fail(problem);
    }
  }

  #issue(task: TaskSpec, message: string, ctx: Context): void {
    const origin = originOf(task);
    this.#push({
      file: origin?.file ?? "apply",
      ...(origin?.line ? { line: origin.line } : {}),
      ...(origin?.column ? { column: origin.column } : {}),
      path: origin?.path ?? "",
      message,
    }, ctx.soft);
  }

  #push(issue: ConfigIssue, soft: string | undefined): void {
    this.#issues.push(
      soft
        ? { ...issue, severity: "warning", message: `${issue.message} (in a file ${soft})` }
        : issue,
    );
  }

  /**
   * Renders a task's params with what is known before the run (vars and static loop items),
   * checks them against the task's schema and runs the task's own static check (its source
   * file exists), so `mode: "{{ m }}"` with `m: 644` or a missing template stops the run before
   * the first change. Tasks whose params, loop or `when` use names that only exist at run time
   * (register, set_fact) or facts are checked when they run instead.
   */
  async #checkTask(task: TaskSpec, ctx: Context): Promise<string | undefined> {
    const module = this.#o.tasks[task.type];
    if (!module || isRunnerTask(module)) return undefined;
    const converging = module as TaskModule<unknown, unknown, unknown>;
    const text = JSON.stringify([task.params, task.loop, task.when, task.vars]);
    if (TEMPLATE_MARKER.test(text)) {
      for (const name of this.#dynamic) {
        if (new RegExp(`\\b${name}\\b`).test(text)) return undefined;
      }
    }
    const roots = rootsOf(this.#o.configDir, originOf(task)?.file, ctx.role ? [ctx.role] : []);
    const t: Templating = { engine: this.#o.engine, searchPath: searchPathOf(roots) };
    const scope = { ...this.#base, ...ctx.vars, ...task.vars };
    let items: unknown[] = [undefined];
    if (task.loop !== undefined) {
      const loop = await loopItems(task, scope, { engine: this.#o.engine, roots })
        .catch(() => undefined);
      if (!loop) return undefined;
      items = loop;
    }
    const loopVar = task.loop_control?.loop_var ?? "item";
    for (const [i, item] of items.slice(0, MAX_ITEMS).entries()) {
      const extra: Record<string, unknown> = task.loop === undefined ? {} : { [loopVar]: item };
      if (task.loop_control?.index_var) extra[task.loop_control.index_var] = i;
      const itemScope = { ...scope, ...extra };
      const prefix = task.loop === undefined ? "" : `item ${labelOf(item)}: `;
      let params: unknown;
      try {
        if (task.when !== undefined && !(await this.#maybe(task.when, itemScope, t))) continue;
        params = await renderParams(module, task.params, itemScope, t);
      } catch (e) {
        // A schema violation is certain now; a render error may depend on the run (facts,
        // registered results) and is reported when the task runs.
        if (e instanceof InvalidParams) return `${prefix}${e.message}`;
        return undefined;
      }
      try {
        await converging.check?.(params, { configDir: this.#o.configDir, sourceDirs: roots });
      } catch (e) {
        return `${prefix}${(e as Error).message}`;
      }
    }
    return undefined;
  }

  /** A condition's value before the run: true when it cannot be known yet (facts, results). */
  async #maybe(condition: Condition, scope: Record<string, unknown>, t: Templating) {
    return await evaluateCondition(condition, scope, t).catch(() => true);
  }

  /** Compiles every file under the templates/ dirs, so a syntax error stops the run at once. */
  async #checkTemplateFiles(): Promise<void> {
    const roleDirs = new Set([...this.#roles.values()].map((r) => r.path));
    for (const dir of [this.#o.configDir, ...roleDirs]) await this.#checkTemplatesIn(dir);
  }

  async #checkTemplatesIn(root: string): Promise<void> {
    const dir = join(root, "templates");
    const files: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = join(d, e.name);
        if (e.isDirectory) await walk(p);
        else if (e.isFile) files.push(p);
      }
    };
    try {
      await walk(dir);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const path of files.sort()) {
      const name = path.slice(this.#o.configDir.length + 1);
      try {
        await this.#o.engine.checkTemplate(await Deno.readTextFile(path), {
          name,
          searchPath: searchPathOf([root, this.#o.configDir]),
        });
      } catch (e) {
        // A TemplateError in this very file has its place in the issue, not in the message.
        const err = e as Error & { line?: number; column?: number; reason?: string };
        const here = (e as { templateName?: string }).templateName === name;
        this.#issues.push({
          file: name,
          ...(here && err.line ? { line: err.line } : {}),
          ...(here && err.column ? { column: err.column } : {}),
          path: "",
          message: `template error: ${here && err.reason ? err.reason : err.message}`,
        });
      }
    }
  }
}

/** Every template string of a task (params, conditions, loop, label), with where it sits. */
function templateStrings(task: TaskSpec): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, where: string) => {
    if (typeof v === "string") {
      if (TEMPLATE_MARKER.test(v)) out.push([where, v]);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
    }
  };
  for (const [k, v] of Object.entries(task.params)) walk(v, k);
  walk(task.loop, "loop");
  walk(task.description, "description");
  walk(task.loop_control?.label, "loop_control.label");
  for (const key of ["when", "changed_when", "failed_when"] as const) {
    const c = task[key];
    const list = c === undefined ? [] : Array.isArray(c) ? c : [c];
    list.forEach((e, i) => {
      if (typeof e === "string") {
        out.push([
          `${key}${list.length > 1 ? `[${i}]` : ""}`,
          `{% if ${stripMustache(e)} %}{% endif %}`,
        ]);
      }
    });
  }
  return out;
}

function isTask(v: TaskSpec | ConfigIssue): v is TaskSpec {
  return "type" in v;
}

/** The `when` of a task as text, for messages. */
function conditionText(when: Condition | undefined): string[] {
  if (when === undefined) return [];
  return (Array.isArray(when) ? when : [when]).map((c) => typeof c === "string" ? c : String(c));
}

/** A role's vars as its tasks see them before the run: defaults, then vars and params. */
function roleVars(role: Role, call?: RoleCall): Record<string, unknown> {
  return { ...role.defaults, ...call?.vars, ...role.vars, ...call?.params };
}

/** Names that only exist at run time: `register` targets and `set_fact` keys. */
function runtimeNames(tasks: readonly TaskSpec[]): Set<string> {
  const names = new Set<string>();
  const walk = (list: readonly TaskSpec[]) => {
    for (const t of list) {
      if (t.register) names.add(t.register);
      if (t.type === "set_fact") { for (const k of Object.keys(t.params)) names.add(k); }
      walk([...(t.block ?? []), ...(t.rescue ?? []), ...(t.always ?? [])]);
    }
  };
  walk(tasks);
  return names;
}
