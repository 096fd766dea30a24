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
import { type ApplyConfig, originOf } from "../config/loader.ts";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import {
  evaluateCondition,
  InvalidParams,
  labelOf,
  OMIT,
  renderParams,
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
  /** Loads and normalises a task file for include_tasks (path relative to the config dir). */
  loadTasks(path: string): Promise<TaskSpec[]>;
}

/** How many loop items of a static loop are checked: enough to catch a bad item, bounded. */
const MAX_ITEMS = 100;

/**
 * Checks an apply config before anything runs and returns every problem found, located by
 * file, line and key path; `[]` means apply will start.
 */
export async function preflight(
  config: ApplyConfig,
  options: PreflightOptions,
): Promise<ConfigIssue[]> {
  return await new Preflight(config, options).run();
}

/** Runs the preflight and throws a ConfigError when it finds anything. */
export async function assertPreflight(
  config: ApplyConfig,
  options: PreflightOptions,
): Promise<void> {
  const issues = await preflight(config, options);
  if (issues.length > 0) throw new ConfigError(issues);
}

class Preflight {
  readonly #config: ApplyConfig;
  readonly #o: PreflightOptions;
  readonly #t: Templating;
  readonly #base: Record<string, unknown>;
  readonly #includes = new Map<string, Promise<TaskSpec[]>>();
  readonly #issues: ConfigIssue[] = [];

  constructor(config: ApplyConfig, options: PreflightOptions) {
    this.#config = config;
    this.#o = options;
    this.#t = { engine: options.engine, searchPath: searchPathOf(options.configDir) };
    // No facts: what depends on the host is checked when the task runs.
    this.#base = {
      playbook_dir: options.configDir,
      omit: OMIT,
      ...options.vars,
      ...config.vars,
    };
  }

  async run(): Promise<ConfigIssue[]> {
    const handlerNames = new Set<string>();
    for (const h of this.#config.handlers) {
      if (h.description) handlerNames.add(h.description);
      for (const l of h.listen) handlerNames.add(l);
    }
    const dynamic = await this.#runtimeNames();
    const seen = new Set<string>();
    const visit = async (tasks: readonly TaskSpec[], vars: Record<string, unknown>) => {
      for (const task of tasks) {
        const fail = (message: string) => this.#issue(task, message);
        for (const name of task.notify) {
          if (!handlerNames.has(name)) fail(`notify: no handler is named or listens to "${name}"`);
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
        const inner = { ...vars, ...task.vars };
        if (task.type === "block") {
          await visit(task.block ?? [], inner);
          await visit(task.rescue ?? [], inner);
          await visit(task.always ?? [], inner);
        } else if (task.type === "include_tasks") {
          const file = task.params.file;
          if (typeof file === "string" && !TEMPLATE_MARKER.test(file) && !seen.has(file)) {
            seen.add(file);
            try {
              await visit(await this.#include(file), inner);
            } catch (e) {
              if (e instanceof ConfigError) this.#issues.push(...e.issues);
              else fail(`include_tasks: ${(e as Error).message}`);
            }
          }
        } else {
          const problem = await this.#checkTask(task, vars, dynamic);
          if (problem) fail(problem);
        }
      }
    };
    await visit(this.#config.tasks, {});
    await visit(this.#config.handlers, {});
    await this.#checkTemplateFiles();
    return this.#issues;
  }

  #issue(task: TaskSpec, message: string): void {
    const origin = originOf(task);
    this.#issues.push({
      file: origin?.file ?? "apply",
      ...(origin?.line ? { line: origin.line } : {}),
      ...(origin?.column ? { column: origin.column } : {}),
      path: origin?.path ?? "",
      message,
    });
  }

  #include(file: string): Promise<TaskSpec[]> {
    let tasks = this.#includes.get(file);
    if (!tasks) {
      tasks = this.#o.loadTasks(file);
      this.#includes.set(file, tasks);
    }
    return tasks;
  }

  /** Names that only exist at run time: `register` targets and `set_fact` keys, includes too. */
  async #runtimeNames(): Promise<Set<string>> {
    const names = new Set<string>();
    const walk = async (tasks: readonly TaskSpec[]): Promise<void> => {
      for (const t of tasks) {
        if (t.register) names.add(t.register);
        if (t.type === "set_fact") { for (const k of Object.keys(t.params)) names.add(k); }
        await walk([...(t.block ?? []), ...(t.rescue ?? []), ...(t.always ?? [])]);
        const file = t.type === "include_tasks" ? t.params.file : undefined;
        if (typeof file === "string" && !TEMPLATE_MARKER.test(file)) {
          await walk(await this.#include(file).catch(() => []));
        }
      }
    };
    await walk([...this.#config.tasks, ...this.#config.handlers]);
    return names;
  }

  /**
   * Renders a task's params with what is known before the run (vars and static loop items),
   * checks them against the task's schema and runs the task's own static check (its source
   * file exists), so `mode: "{{ m }}"` with `m: 644` or a missing template stops the run before
   * the first change. Tasks whose params, loop or `when` use names that only exist at run time
   * (register, set_fact) or facts are checked when they run instead.
   */
  async #checkTask(
    task: TaskSpec,
    vars: Record<string, unknown>,
    dynamic: ReadonlySet<string>,
  ): Promise<string | undefined> {
    const module = this.#o.tasks[task.type];
    if (!module || isRunnerTask(module)) return undefined;
    const converging = module as TaskModule<unknown, unknown, unknown>;
    const text = JSON.stringify([task.params, task.loop, task.when, task.vars]);
    if (TEMPLATE_MARKER.test(text)) {
      for (const name of dynamic) if (new RegExp(`\\b${name}\\b`).test(text)) return undefined;
    }
    const scope = { ...this.#base, ...vars, ...task.vars };
    let items: unknown[] = [undefined];
    if (task.loop !== undefined) {
      const loop = await this.#o.engine.templateValue(task.loop, scope, {
        searchPath: this.#t.searchPath,
      }).catch(() => undefined);
      if (!Array.isArray(loop)) return undefined;
      items = task.flatten_loop ? loop.flatMap((i) => (Array.isArray(i) ? i : [i])) : loop;
    }
    const loopVar = task.loop_control?.loop_var ?? "item";
    for (const [i, item] of items.slice(0, MAX_ITEMS).entries()) {
      const extra: Record<string, unknown> = task.loop === undefined ? {} : { [loopVar]: item };
      if (task.loop_control?.index_var) extra[task.loop_control.index_var] = i;
      const itemScope = { ...scope, ...extra };
      const prefix = task.loop === undefined ? "" : `item ${labelOf(item)}: `;
      let params: unknown;
      try {
        if (task.when !== undefined && !(await this.#maybe(task.when, itemScope))) continue;
        params = await renderParams(module, task.params, itemScope, this.#t);
      } catch (e) {
        // A schema violation is certain now; a render error may depend on the run (facts,
        // registered results) and is reported when the task runs.
        if (e instanceof InvalidParams) return `${prefix}${e.message}`;
        return undefined;
      }
      try {
        await converging.check?.(params, { configDir: this.#o.configDir });
      } catch (e) {
        return `${prefix}${(e as Error).message}`;
      }
    }
    return undefined;
  }

  /** A condition's value before the run: true when it cannot be known yet (facts, results). */
  async #maybe(condition: Condition, scope: Record<string, unknown>) {
    return await evaluateCondition(condition, scope, this.#t).catch(() => true);
  }

  /** Compiles every file under templates/, so a syntax error stops the run before it starts. */
  async #checkTemplateFiles(): Promise<void> {
    const dir = join(this.#o.configDir, "templates");
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
          searchPath: this.#t.searchPath,
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
