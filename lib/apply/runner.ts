/**
 * The apply runner: the task language (vars, when, loop, register, notify/handlers, tags,
 * blocks, includes, changed_when/failed_when, ignore_errors, no_log) on top of the task
 * contract. It is the only place that knows about dry-run: changes go to the host, or to an
 * in-memory overlay of it (DESIGN §3).
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { Condition, TaskSpec } from "../config/apply_schema.ts";
import { type ApplyConfig, originOf, type TaskOrigin } from "../config/loader.ts";
import type { Host } from "./host.ts";
import { OverlayHost } from "./overlay_host.ts";
import {
  evaluateCondition,
  labelOf,
  OMIT,
  renderParams,
  searchPathOf,
  type TemplateEngine,
  type Templating,
} from "./params.ts";
import { assertPreflight } from "./preflight.ts";
import {
  type AnyTaskModule,
  type Change,
  type Diff,
  isRunnerTask,
  type RunnerTask,
  type Scope,
  type TaskContext,
  type TaskModule,
} from "./task.ts";
import { truthy } from "./vars.ts";
import { markUnsafeDeep } from "../template/unsafe.ts";

export type { EngineOptions, TemplateEngine } from "./params.ts";

/** Options for {@linkcode runApply}. */
export interface RunApplyOptions {
  readonly host: Host;
  readonly engine: TemplateEngine;
  /** Task types by name. */
  readonly tasks: Readonly<Record<string, AnyTaskModule>>;
  /** The config dir (templates/, files/, include files). */
  readonly configDir: string;
  /** Host facts, exposed as `ansible_facts` and `ansible_*`. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Global vars (`vars.*` files). */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly dryRun?: boolean;
  /** Only tasks with one of these tags (plus `always`). */
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  /** Loads and normalises a task file for include_tasks (path relative to the config dir). */
  loadTasks(path: string): Promise<TaskSpec[]>;
  /** Called with each task's record as soon as it is done. */
  onRecord?(record: TaskRecord): void | Promise<void>;
}

/** How a task ended. */
export type TaskStatus = "ok" | "changed" | "failed" | "skipped";

/** A planned change as reported. */
export interface ReportedChange {
  readonly summary: string;
  readonly diff?: Diff;
}

/** The outcome of one task (or one loop item). */
export interface TaskRecord {
  readonly name: string;
  readonly type: string;
  readonly status: TaskStatus;
  /** Loop item label, for item records. */
  readonly item?: string;
  readonly changes: readonly ReportedChange[];
  /** Commands a dry run did not run. */
  readonly wouldRun: readonly string[];
  /** debug output, a failure message, or a skip reason. */
  readonly message?: string;
  /** Failed, but ignore_errors let the run go on. */
  readonly ignored?: boolean;
  /** no_log: params, output and diffs are withheld. */
  readonly hidden?: boolean;
  readonly handler?: boolean;
  /** Per-item records of a loop. */
  readonly items?: readonly TaskRecord[];
  readonly durationMs: number;
  readonly origin?: TaskOrigin;
}

/** Counts as in Ansible's recap. */
export interface RunStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** The result of a run. */
export interface RunSummary {
  readonly stats: RunStats;
  readonly records: readonly TaskRecord[];
  /** True when a task failed and was neither ignored nor rescued. */
  readonly failed: boolean;
  readonly dryRun: boolean;
}

/** The fields of a record known before the task runs. */
type RecordBase = Omit<TaskRecord, "status" | "changes" | "wouldRun" | "durationMs">;

/** A task's record, and the result `register` stores. */
interface Ran {
  readonly record: TaskRecord;
  readonly result: Record<string, unknown>;
}

/** Raised inside the runner to unwind to the nearest block with a rescue. */
class TaskFailed extends Error {
  constructor(readonly record: TaskRecord, readonly result: Record<string, unknown>) {
    super(record.message ?? "task failed");
  }
}

/** What a task inherits from the blocks around it. */
interface Inherited {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  readonly when: readonly Condition[];
  readonly ignoreErrors?: boolean | string;
  readonly noLog?: boolean | string;
  readonly handler?: boolean;
}

const NO_INHERIT: Inherited = { vars: {}, tags: [], when: [] };

/** Runs an apply config. Task failures are in the summary; config errors throw ConfigError. */
export async function runApply(config: ApplyConfig, options: RunApplyOptions): Promise<RunSummary> {
  await assertPreflight(config, options);
  return await new Run(config, options).execute();
}

class Run {
  readonly stats: RunStats = { ok: 0, changed: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
  readonly records: TaskRecord[] = [];
  readonly #config: ApplyConfig;
  readonly #o: RunApplyOptions;
  readonly #host: Host;
  readonly #overlay: OverlayHost | undefined;
  readonly #base: Record<string, unknown>;
  /** set_fact and register: the highest precedence. */
  readonly #runtime: Record<string, unknown> = {};
  readonly #notified = new Set<string>();
  readonly #searchPath: string[];
  readonly #templating: Templating;
  readonly #includes = new Map<string, TaskSpec[]>();

  constructor(config: ApplyConfig, options: RunApplyOptions) {
    this.#config = config;
    this.#o = options;
    this.#overlay = options.dryRun ? new OverlayHost(options.host) : undefined;
    this.#host = this.#overlay ?? options.host;
    // Facts come from the host (file contents, env): data, never templates.
    const facts = markUnsafeDeep(structuredClone({ ...options.facts }));
    const aliases = Object.fromEntries(Object.entries(facts).map(([k, v]) => [`ansible_${k}`, v]));
    this.#base = {
      ...aliases,
      ansible_facts: facts,
      inventory_hostname: facts.hostname ?? "localhost",
      playbook_dir: options.configDir,
      ansible_check_mode: options.dryRun ?? false,
      ansible_diff_mode: true,
      omit: OMIT,
      ...options.vars,
      ...config.vars,
    };
    this.#searchPath = searchPathOf(options.configDir);
    this.#templating = { engine: options.engine, searchPath: this.#searchPath };
  }

  async #loadInclude(file: string): Promise<TaskSpec[]> {
    let tasks = this.#includes.get(file);
    if (!tasks) {
      tasks = await this.#o.loadTasks(file);
      this.#includes.set(file, tasks);
    }
    return tasks;
  }

  // ---------------------------------------------------------------- execution

  async execute(): Promise<RunSummary> {
    let failed = false;
    try {
      await this.#runList(this.#config.tasks, NO_INHERIT);
    } catch (e) {
      if (!(e instanceof TaskFailed)) throw e;
      failed = true;
    }
    if (!failed) {
      try {
        await this.#runHandlers();
      } catch (e) {
        if (!(e instanceof TaskFailed)) throw e;
        failed = true;
      }
    }
    return { stats: this.stats, records: this.records, failed, dryRun: this.#o.dryRun ?? false };
  }

  async #runHandlers(): Promise<void> {
    const done = new Set<TaskSpec>();
    // Handlers may notify handlers: repeat until no notified handler is left, in definition order.
    for (;;) {
      const next = this.#config.handlers.find((h) =>
        !done.has(h) &&
        ((h.description !== undefined && this.#notified.has(h.description)) ||
          h.listen.some((l) => this.#notified.has(l)))
      );
      if (!next) return;
      done.add(next);
      await this.#runTask(next, { ...NO_INHERIT, handler: true });
    }
  }

  async #runList(tasks: readonly TaskSpec[], inherited: Inherited): Promise<void> {
    for (const task of tasks) await this.#runTask(task, inherited);
  }

  #selected(tags: readonly string[]): boolean {
    const only = this.#o.tags ?? [];
    const skip = this.#o.skipTags ?? [];
    const has = (t: string) => tags.includes(t);
    if (
      skip.some((t) =>
        has(t) || (t === "tagged" && tags.length > 0) || (t === "untagged" && tags.length === 0)
      )
    ) {
      return false;
    }
    if (has("always")) return true;
    if (only.length === 0 || only.includes("all")) return !has("never") || only.some(has);
    if (only.includes("tagged") && tags.length > 0) return !has("never");
    if (only.includes("untagged") && tags.length === 0) return true;
    return only.some(has);
  }

  #scope(
    task: TaskSpec,
    inherited: Inherited,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return { ...this.#base, ...inherited.vars, ...task.vars, ...extra, ...this.#runtime };
  }

  async #runTask(task: TaskSpec, inherited: Inherited): Promise<void> {
    const tags = [...inherited.tags, ...task.tags];
    if (task.type !== "block" && !this.#selected(tags)) return;
    if (task.type === "block") return await this.#runBlock(task, { ...inherited, tags });
    const started = performance.now();
    const scope = this.#scope(task, inherited);
    const name = await this.#name(task, scope);
    const hidden = truthy(await this.#flag(task.no_log ?? inherited.noLog, scope));
    const base = {
      name,
      type: task.type,
      ...(hidden ? { hidden } : {}),
      ...(inherited.handler ? { handler: true } : {}),
      ...(originOf(task) ? { origin: originOf(task)! } : {}),
    };

    let record: TaskRecord;
    let result: Record<string, unknown>;
    try {
      if (task.loop !== undefined) {
        ({ record, result } = await this.#runLoop(task, inherited, scope, base, started));
      } else {
        ({ record, result } = await this.#runItem(task, inherited, scope, base, started));
      }
    } catch (e) {
      if (isPermissionError(e) || e instanceof TaskFailed) throw e;
      record = {
        ...base,
        status: "failed",
        changes: [],
        wouldRun: [],
        message: errorMessage(e),
        durationMs: elapsed(started),
      };
      result = { changed: false, failed: true, msg: record.message };
    }

    if (record.status === "failed") {
      const ignore = truthy(
        await this.#flag(task.ignore_errors ?? inherited.ignoreErrors, scope).catch(() => false),
      );
      if (ignore) record = { ...record, ignored: true };
    }
    // Command output may contain "{{": like Ansible, registered results are never templated.
    if (task.register) this.#runtime[task.register] = markUnsafeDeep(structuredClone(result));
    if (record.status === "changed" || record.items?.some((i) => i.status === "changed")) {
      for (const n of task.notify) this.#notified.add(await this.#renderString(n, scope));
    }
    await this.#report(record);
    if (record.status === "failed" && !record.ignored) throw new TaskFailed(record, result);

    if (
      task.type === "include_tasks" && record.status !== "skipped" && record.status !== "failed"
    ) {
      const file = String(result.include);
      const tasks = await this.#loadInclude(file).catch((e) => {
        throw new TaskFailed({ ...record, status: "failed", message: errorMessage(e) }, result);
      });
      await this.#runList(tasks, { ...inherited, vars: { ...inherited.vars, ...task.vars } });
    }
  }

  async #report(record: TaskRecord): Promise<void> {
    this.records.push(record);
    const s = this.stats;
    if (record.status === "failed") {
      if (record.ignored) {
        s.ignored++;
        s.ok++;
      } else s.failed++;
    } else if (record.status === "skipped") s.skipped++;
    else {
      s.ok++;
      if (record.status === "changed") s.changed++;
    }
    await this.#o.onRecord?.(record);
  }

  async #runBlock(task: TaskSpec, inherited: Inherited): Promise<void> {
    const inner: Inherited = {
      ...inherited,
      vars: { ...inherited.vars, ...task.vars },
      when: task.when !== undefined ? [...inherited.when, task.when] : inherited.when,
      ...(task.ignore_errors !== undefined ? { ignoreErrors: task.ignore_errors } : {}),
      ...(task.no_log !== undefined ? { noLog: task.no_log } : {}),
    };
    let failure: TaskFailed | undefined;
    try {
      await this.#runList(task.block ?? [], inner);
    } catch (e) {
      if (!(e instanceof TaskFailed)) throw e;
      failure = e;
    }
    if (failure && (task.rescue?.length ?? 0) > 0) {
      const rescueVars = {
        ansible_failed_task: { name: failure.record.name },
        ansible_failed_result: failure.result,
      };
      try {
        await this.#runList(task.rescue!, { ...inner, vars: { ...inner.vars, ...rescueVars } });
        // The rescued failure no longer counts as failed, as in Ansible's recap.
        this.stats.failed--;
        this.stats.rescued++;
        failure = undefined;
      } catch (e) {
        if (!(e instanceof TaskFailed)) throw e;
        failure = e;
      }
    }
    await this.#runList(task.always ?? [], inner);
    if (failure) throw failure;
  }

  async #runLoop(
    task: TaskSpec,
    inherited: Inherited,
    scope: Record<string, unknown>,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const value = await this.#o.engine.templateValue(task.loop, scope, {
      searchPath: this.#searchPath,
    });
    if (!Array.isArray(value)) {
      throw new Error(`loop: expected a list, got ${JSON.stringify(value)}`);
    }
    let items: unknown[] = value;
    if (task.flatten_loop) items = items.flatMap((i) => (Array.isArray(i) ? i : [i]));
    const lc = task.loop_control ?? {};
    const loopVar = lc.loop_var ?? "item";
    const itemRecords: TaskRecord[] = [];
    const itemResults: Record<string, unknown>[] = [];
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && lc.pause) await new Promise((r) => setTimeout(r, lc.pause! * 1000));
      const item = items[i];
      const extra: Record<string, unknown> = { [loopVar]: item, ansible_loop_var: loopVar };
      if (lc.index_var) extra[lc.index_var] = i;
      if (lc.extended) extra.ansible_loop = loopInfo(items, i);
      const itemScope = this.#scope(task, inherited, extra);
      const label = lc.label !== undefined
        ? await this.#renderString(lc.label, itemScope)
        : labelOf(item);
      const itemStart = performance.now();
      let r: Ran;
      try {
        r = await this.#runItem(task, inherited, itemScope, { ...base, item: label }, itemStart);
      } catch (e) {
        if (isPermissionError(e)) throw e;
        const message = errorMessage(e);
        r = {
          record: {
            ...base,
            item: label,
            status: "failed",
            changes: [],
            wouldRun: [],
            message,
            durationMs: elapsed(itemStart),
          },
          result: { changed: false, failed: true, msg: message },
        };
      }
      itemRecords.push(r.record);
      itemResults.push({ ...r.result, [loopVar]: item, ansible_loop_var: loopVar });
    }
    const anyFailed = itemRecords.some((r) => r.status === "failed");
    const anyChanged = itemRecords.some((r) => r.status === "changed");
    const allSkipped = itemRecords.length > 0 && itemRecords.every((r) => r.status === "skipped");
    const status: TaskStatus = anyFailed
      ? "failed"
      : anyChanged
      ? "changed"
      : allSkipped || items.length === 0
      ? "skipped"
      : "ok";
    const failedItem = itemRecords.find((r) => r.status === "failed");
    const result: Record<string, unknown> = {
      changed: anyChanged,
      failed: anyFailed,
      ...(allSkipped || items.length === 0 ? { skipped: true } : {}),
      msg: anyFailed ? "One or more items failed" : "All items completed",
      results: itemResults,
    };
    return {
      record: {
        ...base,
        status,
        changes: itemRecords.flatMap((r) => r.changes),
        wouldRun: itemRecords.flatMap((r) => r.wouldRun),
        ...(failedItem ? { message: `item ${failedItem.item}: ${failedItem.message}` } : {}),
        items: itemRecords,
        durationMs: elapsed(started),
      },
      result,
    };
  }

  /** Runs a task once (or one loop item) with a ready scope. */
  async #runItem(
    task: TaskSpec,
    inherited: Inherited,
    scope: Record<string, unknown>,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const conditions = [...inherited.when, ...(task.when !== undefined ? [task.when] : [])];
    for (const c of conditions) {
      if (!(await this.#condition(c, scope))) {
        return {
          record: {
            ...base,
            status: "skipped",
            changes: [],
            wouldRun: [],
            message: "conditional result was false",
            durationMs: elapsed(started),
          },
          result: { changed: false, skipped: true, skip_reason: "Conditional result was False" },
        };
      }
    }
    const module = this.#o.tasks[task.type];
    if (!module) throw new Error(`unknown task type "${task.type}"`);
    const params = await this.#params(module, task, scope);

    if (isRunnerTask(module)) {
      return await this.#evaluate(module, task, params, scope, base, started);
    }
    return await this.#converge(
      module as TaskModule<unknown, unknown, unknown>,
      task,
      params,
      scope,
      base,
      started,
    );
  }

  async #evaluate(
    module: RunnerTask<unknown>,
    task: TaskSpec,
    params: unknown,
    scope: Record<string, unknown>,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const api: Scope = {
      vars: scope,
      configDir: this.#o.configDir,
      evaluate: (expr) =>
        this.#o.engine.evaluateExpression(expr, scope, { searchPath: this.#searchPath }),
      render: (text) => this.#renderString(text, scope),
    };
    const outcome = await module.evaluate(params, api);
    if (outcome.facts) {
      for (const [k, v] of Object.entries(outcome.facts)) this.#runtime[k] = v;
    }
    const failed = outcome.failed !== undefined;
    let result: Record<string, unknown> = { changed: false, failed, ...outcome.result };
    if (failed) result.msg = outcome.failed;
    result = await this.#overrides(task, scope, result);
    const status: TaskStatus = result.failed ? "failed" : result.changed ? "changed" : "ok";
    const message = status === "failed" ? String(result.msg ?? outcome.failed) : outcome.message;
    return {
      record: {
        ...base,
        status,
        changes: [],
        wouldRun: [],
        ...(message !== undefined ? { message } : {}),
        durationMs: elapsed(started),
      },
      result,
    };
  }

  async #converge(
    module: TaskModule<unknown, unknown, unknown>,
    task: TaskSpec,
    params: unknown,
    scope: Record<string, unknown>,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const ctx = this.#context(scope);
    const host = this.#host;
    const current = await module.read(params, host, ctx);
    const changes = module.plan(params, current);
    let result: Record<string, unknown> = {
      changed: changes.length > 0,
      failed: false,
      ...module.result?.(params, current),
    };
    let wouldRun: string[] = [];
    const dryRun = this.#o.dryRun ?? false;

    if (changes.length > 0) {
      if (dryRun && module.acts) {
        wouldRun = changes.map((c) => c.summary);
        result = { ...result, skipped: true, msg: "not run in a dry run" };
      } else if (dryRun) {
        this.#overlay!.applying = true;
        try {
          for (const change of changes) await module.apply(change.op, host, ctx);
        } finally {
          this.#overlay!.applying = false;
        }
        wouldRun = this.#overlay!.takeCommands();
      } else {
        for (const change of changes) {
          const fields = await module.apply(change.op, host, ctx);
          if (fields) result = { ...result, ...fields };
        }
        if (!module.acts && !result.failed) {
          // One-shot actions (restarts, cache refreshes) plan again by nature: not drift.
          const again = module.plan(params, await module.read(params, host, ctx))
            .filter((c) => !c.action);
          if (again.length > 0) {
            result = {
              ...result,
              failed: true,
              msg: `did not converge: after applying, it still plans: ${
                again.map((c) => c.summary).join("; ")
              }`,
            };
          }
        }
      }
    }
    if (changes.length > 0) {
      result.diff = changes.filter((c) => c.diff).map((c) => c.diff);
    }
    if (!(dryRun && module.acts)) result = await this.#overrides(task, scope, result);
    const status: TaskStatus = result.failed ? "failed" : result.changed ? "changed" : "ok";
    const message = result.failed ? failureMessage(result) : undefined;
    return {
      record: {
        ...base,
        status,
        changes: changes.map(reported),
        wouldRun,
        ...(message !== undefined ? { message } : {}),
        durationMs: elapsed(started),
      },
      result,
    };
  }

  /** Applies changed_when / failed_when, which see the result under the register name. */
  async #overrides(
    task: TaskSpec,
    scope: Record<string, unknown>,
    result: Record<string, unknown>,
  ) {
    if (task.changed_when === undefined && task.failed_when === undefined) return result;
    const withResult = task.register ? { ...scope, [task.register]: result } : scope;
    const out = { ...result };
    if (task.changed_when !== undefined) {
      out.changed = await this.#condition(task.changed_when, withResult);
    }
    if (task.failed_when !== undefined) {
      out.failed = await this.#condition(task.failed_when, withResult);
      if (out.failed && out.msg === undefined) out.msg = "failed_when condition was true";
      if (!out.failed) delete out.msg;
    }
    return out;
  }

  #context(scope: Record<string, unknown>): TaskContext {
    return {
      configDir: this.#o.configDir,
      renderTemplate: async (src, options) => {
        const path = isAbsolute(src) ? src : await firstExisting([
          join(this.#o.configDir, "templates", src),
          join(this.#o.configDir, src),
        ]);
        return await this.#o.engine.renderFile(path, { ...scope, ...options.extraVars }, {
          searchPath: this.#searchPath,
          name: path.startsWith(this.#o.configDir)
            ? path.slice(this.#o.configDir.length + 1)
            : path,
          ...(options.trimBlocks !== undefined ? { trimBlocks: options.trimBlocks } : {}),
          ...(options.lstripBlocks !== undefined ? { lstripBlocks: options.lstripBlocks } : {}),
          ...(options.newlineSequence !== undefined
            ? { newlineSequence: options.newlineSequence }
            : {}),
        });
      },
    };
  }

  #params(module: AnyTaskModule, task: TaskSpec, scope: Record<string, unknown>) {
    return renderParams(module, task.params, scope, this.#templating);
  }

  #condition(condition: Condition, scope: Record<string, unknown>): Promise<boolean> {
    return evaluateCondition(condition, scope, this.#templating);
  }

  async #flag(
    value: boolean | string | undefined,
    scope: Record<string, unknown>,
  ): Promise<boolean> {
    if (value === undefined) return false;
    if (typeof value === "boolean") return value;
    return await this.#condition(value, scope);
  }

  async #renderString(text: string, scope: Record<string, unknown>): Promise<string> {
    const v = await this.#o.engine.templateValue(text, scope, { searchPath: this.#searchPath });
    return typeof v === "string" ? v : JSON.stringify(v);
  }

  async #name(task: TaskSpec, scope: Record<string, unknown>): Promise<string> {
    if (task.description !== undefined) {
      try {
        return await this.#renderString(task.description, scope);
      } catch {
        return task.description;
      }
    }
    const module = this.#o.tasks[task.type];
    const keys = module?.mainParam === undefined ? [] : [module.mainParam].flat();
    const main = keys.map((k) => task.params[k]).find((v) => v !== undefined);
    if (main === undefined) return task.type;
    // The label shows the value the task works on (`directory /etc/app`), not its template.
    const shown = await this.#renderString(labelOf(main), scope).catch(() => labelOf(main));
    return `${task.type} ${shown}`;
  }
}

function reported(change: Change<unknown>): ReportedChange {
  return {
    summary: change.summary,
    ...(change.diff ? { diff: change.diff } : {}),
  };
}

/** A failed result's message, with the end of its stderr as Ansible shows it with the result. */
function failureMessage(result: Record<string, unknown>): string {
  const msg = String(result.msg ?? "failed");
  const stderr = typeof result.stderr === "string" ? result.stderr.trim() : "";
  return stderr ? `${msg}: ${stderr.split("\n").slice(-10).join("\n")}` : msg;
}

function loopInfo(items: unknown[], i: number): Record<string, unknown> {
  return {
    index: i + 1,
    index0: i,
    revindex: items.length - i,
    revindex0: items.length - i - 1,
    first: i === 0,
    last: i === items.length - 1,
    length: items.length,
    allitems: items,
    ...(i > 0 ? { previtem: items[i - 1] } : {}),
    ...(i < items.length - 1 ? { nextitem: items[i + 1] } : {}),
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isPermissionError(e: unknown): boolean {
  return e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied &&
      /--allow-/.test((e as Error).message);
}

async function firstExisting(paths: string[]): Promise<string> {
  for (const p of paths) {
    try {
      await Deno.stat(p);
      return p;
    } catch {
      // try the next candidate
    }
  }
  return paths[0]!;
}
