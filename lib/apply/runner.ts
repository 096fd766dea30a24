/**
 * The apply runner: the task language (vars, when, loops, register, notify/handlers, tags,
 * blocks, roles, includes, changed_when/failed_when, until, ignore_errors, no_log, check_mode,
 * become, environment) on top of the task contract. It is the only place that knows about
 * dry-run: changes go to the host, or to an in-memory overlay of it (DESIGN §3).
 *
 * A run is a play, as in Ansible: `pre_tasks`, then `roles` and `tasks`, then `post_tasks`,
 * with the notified handlers run after each of the three (and at `meta: flush_handlers`).
 *
 * @module
 */
import type { Condition, TaskSpec } from "../config/apply_schema.ts";
import type { ApplyConfig } from "../config/loader.ts";
import type { RoleCall } from "../config/roles.ts";
import type { TaskSource } from "../config/task_loader.ts";
import { originOf, type TaskOrigin } from "../config/task_list.ts";
import type { Host } from "./host.ts";
import { loopItems } from "./loops.ts";
import { OverlayHost } from "./overlay_host.ts";
import {
  evaluateCondition,
  labelOf,
  OMIT,
  renderParams,
  rootsOf,
  searchPathOf,
  type TemplateEngine,
  type Templating,
} from "./params.ts";
import { assertPreflight } from "./preflight.ts";
import { VarLayers } from "./scope.ts";
import {
  type AnyTaskModule,
  type Change,
  type Diff,
  type IncludeRole,
  isRunnerTask,
  type RunnerTask,
  type Scope,
  type TaskContext,
  type TaskModule,
} from "./task.ts";
import { type BecomeUser, TaskHost } from "./task_host.ts";
import { truthy } from "./vars.ts";
import { shellJoin } from "../shlex.ts";
import { markUnsafeDeep } from "../template/unsafe.ts";

export type { EngineOptions, TemplateEngine } from "./params.ts";

/** Options for {@linkcode runApply}. */
export interface RunApplyOptions {
  readonly host: Host;
  /**
   * The machine driftless runs on, for `delegate_to: localhost` when `host` is a directory
   * tree (`apply --root`); default `host`.
   */
  readonly localHost?: Host;
  readonly engine: TemplateEngine;
  /** Task types by name. */
  readonly tasks: Readonly<Record<string, AnyTaskModule>>;
  /** The config dir (templates/, files/, roles/, include files). */
  readonly configDir: string;
  /** Host facts, exposed as `ansible_facts` and `ansible_*`. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Global vars (`vars.*` files). */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly dryRun?: boolean;
  /** Only tasks with one of these tags (plus `always`). */
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  /** Loads what includes name at run time: task files, roles, vars files. */
  readonly loader: TaskSource;
  /** Called with each preflight warning (an include that fails to load, under a condition). */
  onWarning?(message: string): void;
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
  /** `check_mode: false` in a dry run: the task ran for real. */
  readonly ranForReal?: boolean;
  /** Per-item records of a loop. */
  readonly items?: readonly TaskRecord[];
  readonly durationMs: number;
  readonly origin?: TaskOrigin;
  /** What `register:` stored, under its name. */
  readonly registered?: {
    readonly name: string;
    readonly value: Readonly<Record<string, unknown>>;
  };
}

/** Counts as in Ansible's recap. */
export interface RunStats {
  /** Tasks that were already as configured. */
  ok: number;
  /** Tasks that changed something (in a dry run: would have). */
  changed: number;
  /** Tasks that failed (ignored and rescued ones included). */
  failed: number;
  /** Tasks skipped by `when:`, tags, or an earlier failure. */
  skipped: number;
  /** Failures a block's `rescue:` handled. */
  rescued: number;
  /** Failures `ignore_errors` let pass. */
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
  constructor(
    readonly task: TaskSpec,
    readonly record: TaskRecord,
    readonly result: Record<string, unknown>,
  ) {
    super(record.message ?? "task failed");
  }
}

/** Raised by `meta: end_play` / `end_host`: the run ends here, successfully. */
class EndPlay extends Error {}

/** What a task inherits from the blocks, roles and includes around it. */
interface Inherited {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  readonly when: readonly Condition[];
  /** The roles the task is in, outermost first. */
  readonly roles: readonly RoleCall[];
  /** Include params (`include_tasks` / `include_role` vars). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly ignoreErrors?: boolean | string;
  readonly noLog?: boolean | string;
  readonly checkMode?: boolean | string;
  readonly diff?: boolean | string;
  readonly become?: boolean | string;
  readonly becomeUser?: string;
  /** `environment` of each enclosing level, outermost first; inner keys win. */
  readonly environment: readonly (Readonly<Record<string, unknown>> | string)[];
  readonly delegateTo?: string;
  readonly handler?: boolean;
}

const NO_INHERIT: Inherited = {
  vars: {},
  tags: [],
  when: [],
  roles: [],
  params: {},
  environment: [],
};

/** A handler and the context it runs in (its role's vars and files). */
interface Handler {
  readonly task: TaskSpec;
  readonly inherited: Inherited;
}

/** Where and how a task runs: the host it sees, whether it only plans, its file roots. */
interface Exec {
  readonly host: Host;
  /** Plan only (a dry run, or `check_mode: true`). */
  readonly dry: boolean;
  /** The overlay a dry task applies to. */
  readonly overlay?: OverlayHost;
  /** `check_mode: false` inside a dry run. */
  readonly forcedReal: boolean;
  readonly showDiff: boolean;
  readonly roots: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
}

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
  readonly #overlay: OverlayHost | undefined;
  #localOverlay: OverlayHost | undefined;
  readonly #layers: VarLayers;
  /** Handlers notified and not run yet. */
  readonly #pending = new Set<Handler>();
  readonly #handlers: Handler[] = [];
  readonly #handlerRoles = new Set<string>();
  readonly #ranRoles = new Set<string>();

  constructor(config: ApplyConfig, options: RunApplyOptions) {
    this.#config = config;
    this.#o = options;
    this.#overlay = options.dryRun ? new OverlayHost(options.host) : undefined;
    // Facts come from the host (file contents, env): data, never templates.
    const facts = markUnsafeDeep(structuredClone({ ...options.facts }));
    const aliases = Object.fromEntries(Object.entries(facts).map(([k, v]) => [`ansible_${k}`, v]));
    this.#layers = new VarLayers({
      ...aliases,
      ansible_facts: facts,
      inventory_hostname: facts.hostname ?? "localhost",
      inventory_hostname_short: String(facts.hostname ?? "localhost").split(".")[0],
      ansible_play_hosts: [facts.hostname ?? "localhost"],
      playbook_dir: options.configDir,
      ansible_check_mode: options.dryRun ?? false,
      ansible_diff_mode: true,
      omit: OMIT,
    }, { ...options.vars, ...config.vars });
    const lists = [
      config.pre_tasks ?? [],
      config.roles ?? [],
      config.tasks,
      config.post_tasks ?? [],
    ];
    for (const list of lists) this.#discoverRoles(list, NO_INHERIT);
    for (const h of config.handlers) {
      this.#handlers.push({ task: h, inherited: { ...NO_INHERIT, handler: true } });
    }
  }

  /** Registers the static roles of a list: public vars, and handlers in their role's context. */
  #discoverRoles(tasks: readonly TaskSpec[], inherited: Inherited): void {
    for (const t of tasks) {
      if (t.type !== "block") continue;
      const inner = t.role ? { ...inherited, roles: [...inherited.roles, t.role] } : inherited;
      if (t.role) {
        if (t.role.public) this.#layers.addPublic(t.role);
        this.#addHandlers(t.role, inner);
      }
      for (const list of [t.block, t.rescue, t.always]) this.#discoverRoles(list ?? [], inner);
    }
  }

  #addHandlers(call: RoleCall, inherited: Inherited): void {
    if (this.#handlerRoles.has(call.key)) return;
    this.#handlerRoles.add(call.key);
    for (const h of call.role.handlers) {
      this.#handlers.push({ task: h, inherited: { ...inherited, handler: true } });
    }
  }

  // ---------------------------------------------------------------- execution

  async execute(): Promise<RunSummary> {
    const c = this.#config;
    let failed = false;
    try {
      for (const section of [c.pre_tasks ?? [], [...(c.roles ?? []), ...c.tasks], c.post_tasks]) {
        if (!section?.length) continue;
        await this.#runList(section, NO_INHERIT);
        await this.#flushHandlers();
      }
    } catch (e) {
      if (e instanceof TaskFailed) failed = true;
      else if (!(e instanceof EndPlay)) throw e;
    }
    return { stats: this.stats, records: this.records, failed, dryRun: this.#o.dryRun ?? false };
  }

  /**
   * Runs the notified handlers in one pass, in definition order, as Ansible does: a handler
   * notified during the pass runs in it if it comes later, else at the next flush.
   */
  async #flushHandlers(): Promise<void> {
    for (const h of this.#handlers) {
      if (!this.#pending.delete(h)) continue;
      await this.#runTask(h.task, h.inherited);
    }
  }

  /** Marks every handler a name notifies (its name, `role : name`, or a `listen` topic). */
  #notify(name: string): void {
    for (const h of this.#handlers) {
      const role = h.inherited.roles.at(-1);
      const d = h.task.description;
      if (
        h.task.listen.includes(name) ||
        (d !== undefined && (d === name || (role && `${role.role.name} : ${d}` === name)))
      ) {
        this.#pending.add(h);
      }
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
    return this.#layers.scope({
      roles: inherited.roles,
      vars: { ...inherited.vars, ...task.vars },
      params: inherited.params,
      extra,
    });
  }

  #roots(task: TaskSpec, inherited: Inherited): string[] {
    const roles = inherited.roles.map((c) => c.role).reverse();
    return rootsOf(this.#o.configDir, originOf(task)?.file, roles);
  }

  #templating(roots: readonly string[]): Templating {
    return { engine: this.#o.engine, searchPath: searchPathOf(roots) };
  }

  /** The keywords a block (or role, or include) passes down to what it holds. */
  #inner(task: TaskSpec, inherited: Inherited): Inherited {
    return {
      ...inherited,
      vars: { ...inherited.vars, ...task.vars },
      tags: [...inherited.tags, ...task.tags],
      when: task.when !== undefined ? [...inherited.when, task.when] : inherited.when,
      ...(task.role ? { roles: [...inherited.roles, task.role] } : {}),
      ...(task.ignore_errors !== undefined ? { ignoreErrors: task.ignore_errors } : {}),
      ...(task.no_log !== undefined ? { noLog: task.no_log } : {}),
      ...(task.check_mode !== undefined ? { checkMode: task.check_mode } : {}),
      ...(task.diff !== undefined ? { diff: task.diff } : {}),
      ...(task.become !== undefined ? { become: task.become } : {}),
      ...(task.become_user !== undefined ? { becomeUser: task.become_user } : {}),
      ...(task.delegate_to !== undefined ? { delegateTo: task.delegate_to } : {}),
      environment: task.environment !== undefined
        ? [...inherited.environment, task.environment]
        : inherited.environment,
    };
  }

  async #runTask(task: TaskSpec, inherited: Inherited): Promise<void> {
    if (task.type === "block") return await this.#runBlock(task, inherited);
    const tags = [...inherited.tags, ...task.tags];
    if (!inherited.handler && !this.#selected(tags)) return;
    const started = performance.now();
    const scope = this.#scope(task, inherited);
    const roots = this.#roots(task, inherited);
    const t = this.#templating(roots);
    const name = await this.#name(task, scope, t);
    const hidden = truthy(await this.#flag(task.no_log ?? inherited.noLog, scope, t));
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
      const exec = await this.#exec(task, inherited, scope, roots);
      const b = exec.forcedReal ? { ...base, ranForReal: true } : base;
      if (task.loop !== undefined) {
        ({ record, result } = await this.#runLoop(task, inherited, exec, b, started));
      } else {
        ({ record, result } = await this.#runItem(task, inherited, scope, exec, b, started));
      }
    } catch (e) {
      if (isPermissionError(e) || e instanceof TaskFailed || e instanceof EndPlay) throw e;
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

    // An include loads what it names as part of its own run, so a missing file or an unknown
    // task is the include task's failure, and ignore_errors covers it, as in Ansible.
    let then: (() => Promise<void>) | undefined;
    if (record.status !== "failed" && record.status !== "skipped") {
      try {
        then = await this.#include(task, inherited, result);
      } catch (e) {
        if (!(e instanceof IncludeFailed)) throw e;
        record = { ...record, status: "failed", message: e.message };
        result = { ...result, failed: true, msg: e.message };
      }
    }
    if (record.status === "failed") {
      const ignore = truthy(
        await this.#flag(task.ignore_errors ?? inherited.ignoreErrors, scope, t).catch(() => false),
      );
      if (ignore) record = { ...record, ignored: true };
    }
    // Facts a module returns (setup, package_facts, getent, ...) become host facts.
    if (isRecord(result.ansible_facts) && !OWN_FACTS.has(task.type) && !result.failed) {
      this.#layers.addFacts(markUnsafeDeep(structuredClone(result.ansible_facts)));
    }
    if (task.register) {
      // Command output may contain "{{": like Ansible, registered results are never templated.
      this.#layers.runtime[task.register] = markUnsafeDeep(structuredClone(result));
      record = { ...record, registered: { name: task.register, value: result } };
    }
    if (record.status === "changed" || record.items?.some((i) => i.status === "changed")) {
      for (const n of task.notify) this.#notify(await this.#renderString(n, scope, t));
    }
    await this.#report(record, result.changed === true);
    if (record.status === "failed" && !record.ignored) throw new TaskFailed(task, record, result);
    await then?.();
    if (result.meta === "flush_handlers") await this.#flushHandlers();
    if (result.meta === "end_play" || result.meta === "end_host") throw new EndPlay();
  }

  /**
   * Loads what an include task names (a task file or a role) and returns how to run it, once
   * the include itself is reported. A load failure throws IncludeFailed.
   */
  async #include(
    task: TaskSpec,
    inherited: Inherited,
    result: Record<string, unknown>,
  ): Promise<(() => Promise<void>) | undefined> {
    // A looped include runs what it names once per item, with the item's loop vars.
    const items = Array.isArray(result.results)
      ? (result.results as Record<string, unknown>[]).filter((r) => !r.skipped)
      : [result];
    const runs: (() => Promise<void>)[] = [];
    for (const r of items) {
      const loopVar = typeof r.ansible_loop_var === "string" ? r.ansible_loop_var : undefined;
      const extra = loopVar ? { [loopVar]: r[loopVar], ansible_loop_var: loopVar } : {};
      const run = await this.#includeOne(task, inherited, r, extra);
      if (run) runs.push(run);
    }
    if (runs.length === 0) return undefined;
    return async () => {
      for (const run of runs) await run();
    };
  }

  async #includeOne(
    task: TaskSpec,
    inherited: Inherited,
    result: Record<string, unknown>,
    extra: Record<string, unknown>,
  ): Promise<(() => Promise<void>) | undefined> {
    const origin = originOf(task);
    const from = {
      ...(origin?.file ? { file: origin.file } : {}),
      ...(inherited.roles.length ? { role: inherited.roles.at(-1)!.role } : {}),
    };
    // Include params: the include's vars (and loop item), for everything it runs.
    const inner: Inherited = {
      ...inherited,
      params: { ...inherited.params, ...task.vars, ...extra },
    };
    const apply = task.params.apply;
    const wrap = (block: TaskSpec): TaskSpec =>
      isRecord(apply) ? { ...applyBlock(apply), block: [block] } : block;
    if (typeof result.include === "string") {
      const file = result.include;
      const tasks = await this.#o.loader.includeTasks(file, from).catch((e) => {
        throw new IncludeFailed(`include_tasks ${file}: ${errorMessage(e)}`);
      });
      return () => this.#runTask(wrap({ ...emptyBlock(), block: tasks }), inner);
    }
    if (isRecord(result.include_role)) {
      const r = result.include_role as unknown as IncludeRole;
      const block = await this.#o.loader.roleBlock(
        { name: r.name, params: {}, vars: {}, keywords: {} },
        {
          public: r.public,
          once: false,
          files: {
            ...(r.tasksFrom ? { tasks: r.tasksFrom } : {}),
            ...(r.varsFrom ? { vars: r.varsFrom } : {}),
            ...(r.defaultsFrom ? { defaults: r.defaultsFrom } : {}),
            ...(r.handlersFrom ? { handlers: r.handlersFrom } : {}),
          },
        },
        origin ?? { file: from.file ?? "apply", path: "" },
      ).catch((e) => {
        throw new IncludeFailed(`include_role ${r.name}: ${errorMessage(e)}`);
      });
      this.#discoverRoles([block], inner);
      return () => this.#runTask(wrap(block), inner);
    }
    return undefined;
  }

  /** Records a task and counts it as Ansible's recap does. */
  async #report(record: TaskRecord, changed: boolean): Promise<void> {
    this.records.push(record);
    const s = this.stats;
    if (record.status === "failed") {
      if (record.ignored) {
        s.ignored++;
        s.ok++;
        if (changed) s.changed++;
      } else s.failed++;
    } else if (record.status === "skipped") s.skipped++;
    else if (record.type === "include_role" || record.type === "meta") {
      // Ansible counts an include_role by the tasks it runs, and meta tasks not at all.
    } else {
      // A looped include counts once per file it includes.
      const includes = record.type === "include_tasks" || record.type === "include";
      s.ok += includes && record.items
        ? record.items.filter((i) => i.status !== "skipped").length
        : 1;
      if (record.status === "changed") s.changed++;
    }
    await this.#o.onRecord?.(record);
  }

  async #runBlock(task: TaskSpec, inherited: Inherited): Promise<void> {
    const call = task.role;
    if (call?.once && !call.role.allowDuplicates) {
      // A role listed again (or a dependency of two roles) runs once, as in Ansible.
      if (this.#ranRoles.has(call.key)) return;
      this.#ranRoles.add(call.key);
    }
    const inner = this.#inner(task, inherited);
    let failure: TaskFailed | undefined;
    try {
      await this.#runList(task.block ?? [], inner);
    } catch (e) {
      if (!(e instanceof TaskFailed)) throw e;
      failure = e;
    }
    if (failure && (task.rescue?.length ?? 0) > 0) {
      const rescueVars = {
        // Ansible's task object: an unnamed task has the name "".
        ansible_failed_task: { name: failure.task.description ?? "", action: failure.task.type },
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

  /** The host, check mode, user and environment a task runs with. */
  async #exec(
    task: TaskSpec,
    inherited: Inherited,
    scope: Record<string, unknown>,
    roots: readonly string[],
  ): Promise<Exec> {
    const t = this.#templating(roots);
    const o = this.#o;
    let base = o.host;
    let overlay = this.#overlay;
    const delegate = task.delegate_to ?? inherited.delegateTo;
    if (delegate !== undefined) {
      const target = await this.#renderString(delegate, scope, t);
      const self = ["localhost", "127.0.0.1", "::1", scope.inventory_hostname];
      if (!self.includes(target)) {
        throw new Error(
          `delegate_to: ${target} is another host; driftless manages only the host it runs on`,
        );
      }
      if (o.localHost && target !== scope.inventory_hostname) {
        base = o.localHost;
        this.#localOverlay ??= o.dryRun ? new OverlayHost(o.localHost) : undefined;
        overlay = this.#localOverlay;
      }
    }
    const checkMode = task.check_mode ?? inherited.checkMode;
    const forced = checkMode === undefined ? undefined : await this.#flag(checkMode, scope, t);
    const dry = forced ?? o.dryRun ?? false;
    const forcedReal = (o.dryRun ?? false) && !dry;
    let host: Host = base;
    if (dry) {
      // check_mode: true in a real run plans against a throwaway overlay of the host.
      overlay = o.dryRun ? overlay! : new OverlayHost(base);
      host = overlay;
    }
    const become = await this.#flag(task.become ?? inherited.become, scope, t);
    if (become && !isRoot()) {
      throw new Error("become: driftless does not call sudo; run it as root to act as root");
    }
    const userName = task.become_user ?? inherited.becomeUser;
    const user = become && userName !== undefined
      ? await becomeUser(host, await this.#renderString(userName, scope, t))
      : undefined;
    const environment = await this.#environment(task, inherited, scope, t);
    if (user || environment) {
      host = new TaskHost(host, {
        ...(user && user.uid !== 0 ? { user } : {}),
        ...(environment ? { env: environment } : {}),
      });
    }
    const diff = task.diff ?? inherited.diff;
    return {
      host,
      dry,
      ...(dry && overlay ? { overlay } : {}),
      forcedReal,
      showDiff: diff === undefined ? true : await this.#flag(diff, scope, t),
      roots,
      ...(environment ? { environment } : {}),
    };
  }

  /** The merged `environment` of the task and what encloses it, rendered to strings. */
  async #environment(
    task: TaskSpec,
    inherited: Inherited,
    scope: Record<string, unknown>,
    t: Templating,
  ): Promise<Record<string, string> | undefined> {
    const levels = task.environment !== undefined
      ? [...inherited.environment, task.environment]
      : inherited.environment;
    if (levels.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const level of levels) {
      const value = await t.engine.templateValue(level, scope, { searchPath: t.searchPath });
      if (!isRecord(value)) {
        throw new Error(`environment: expected a mapping, found ${JSON.stringify(value)}`);
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === OMIT || v === null || v === undefined) continue;
        out[k] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
      }
    }
    return out;
  }

  async #runLoop(
    task: TaskSpec,
    inherited: Inherited,
    exec: Exec,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const scope = this.#scope(task, inherited);
    const items = await loopItems(task, scope, { engine: this.#o.engine, roots: exec.roots });
    const t = this.#templating(exec.roots);
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
        ? await this.#renderString(lc.label, itemScope, t)
        : labelOf(item);
      const itemStart = performance.now();
      let r: Ran;
      try {
        r = await this.#runItem(
          task,
          inherited,
          itemScope,
          exec,
          { ...base, item: label },
          itemStart,
        );
      } catch (e) {
        if (isPermissionError(e) || e instanceof EndPlay) throw e;
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

  /** Runs a task once (or one loop item) with a ready scope; `until` retries it. */
  async #runItem(
    task: TaskSpec,
    inherited: Inherited,
    scope: Record<string, unknown>,
    exec: Exec,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const t = this.#templating(exec.roots);
    const conditions = [...inherited.when, ...(task.when !== undefined ? [task.when] : [])];
    for (const c of conditions) {
      if (!(await evaluateCondition(c, scope, t))) {
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
    if (task.until === undefined) return await this.#once(task, scope, exec, base, started);
    const retries = Number(await this.#o.engine.templateValue(task.retries ?? 3, scope));
    const delay = Number(await this.#o.engine.templateValue(task.delay ?? 5, scope));
    for (let attempt = 1;; attempt++) {
      const ran = await this.#once(task, scope, exec, base, started);
      const result: Record<string, unknown> = { ...ran.result, attempts: attempt };
      if (result.skipped) return { ...ran, result };
      const withResult = task.register ? { ...scope, [task.register]: result } : scope;
      if (await evaluateCondition(task.until, withResult, t)) {
        return { ...ran, result: { ...result, failed: false } };
      }
      if (attempt > retries) {
        const message = `still failing after ${attempt} attempts (until: ${
          JSON.stringify(task.until)
        })${ran.record.message ? `: ${ran.record.message}` : ""}`;
        return {
          record: { ...ran.record, status: "failed", message },
          result: { ...result, failed: true, msg: result.msg ?? message },
        };
      }
      if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
    }
  }

  async #once(
    task: TaskSpec,
    scope: Record<string, unknown>,
    exec: Exec,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const module = this.#o.tasks[task.type];
    if (!module) throw new Error(`unknown task type "${task.type}"`);
    const t = this.#templating(exec.roots);
    // ansible_check_mode says what the run is (`--dry-run`), not a task's check_mode, as Ansible.
    const itemScope = scope;
    const params = await renderParams(module, task.params, itemScope, t, originOf(task));
    if (isRunnerTask(module)) {
      return await this.#evaluate(module, task, params, itemScope, exec, base, started);
    }
    return await this.#converge(
      module as TaskModule<unknown, unknown, unknown>,
      task,
      params,
      itemScope,
      exec,
      base,
      started,
    );
  }

  async #evaluate(
    module: RunnerTask<unknown>,
    task: TaskSpec,
    params: unknown,
    scope: Record<string, unknown>,
    exec: Exec,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const t = this.#templating(exec.roots);
    const api: Scope = {
      vars: scope,
      configDir: this.#o.configDir,
      sourceDirs: exec.roots,
      evaluate: (expr) =>
        this.#o.engine.evaluateExpression(expr, scope, { searchPath: t.searchPath }),
      render: (text) => this.#renderString(text, scope, t),
      readVars: (path) => this.#o.loader.varsFile(path),
    };
    const outcome = await module.evaluate(params, api);
    if (outcome.facts) Object.assign(this.#layers.runtime, outcome.facts);
    if (outcome.includeVars) Object.assign(this.#layers.included, outcome.includeVars);
    const failed = outcome.failed !== undefined;
    let result: Record<string, unknown> = { changed: false, failed, ...outcome.result };
    if (failed) result.msg = outcome.failed;
    if (outcome.include !== undefined) result.include = outcome.include;
    if (outcome.includeRole) result.include_role = outcome.includeRole;
    if (outcome.meta) result.meta = outcome.meta;
    result = await this.#overrides(task, scope, result, t);
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
    exec: Exec,
    base: RecordBase,
    started: number,
  ): Promise<Ran> {
    const ctx = this.#context(scope, exec);
    const host = exec.host;
    const current = await module.read(params, host, ctx);
    const changes = module.plan(params, current);
    let result: Record<string, unknown> = {
      changed: changes.length > 0,
      failed: false,
      ...module.result?.(params, current),
    };
    let wouldRun: string[] = [];
    let message: string | undefined;

    if (changes.length > 0) {
      if (exec.dry && module.acts) {
        wouldRun = changes.map((c) => c.summary);
        result = { ...result, skipped: true, msg: "not run in a dry run" };
      } else if (exec.dry) {
        const overlay = exec.overlay!;
        overlay.applying = true;
        try {
          for (const change of changes) await module.apply(change.op, host, ctx);
        } finally {
          overlay.applying = false;
        }
        wouldRun = overlay.takeCommands();
      } else {
        try {
          for (const change of changes) {
            const fields = await module.apply(change.op, host, ctx);
            if (fields) result = { ...result, ...fields };
          }
        } catch (e) {
          // check_mode: false in a dry run without the permission to act: show what it needs.
          if (!(exec.forcedReal && isPermissionError(e))) throw e;
          wouldRun = changes.map((c) => c.summary);
          message = `check_mode: false, but not run: ${errorMessage(e)}`;
          result = { ...result, skipped: true, msg: message };
        }
        if (!module.acts && !result.failed && !result.skipped) {
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
    if (changes.length > 0 && exec.showDiff) {
      result.diff = changes.filter((c) => c.diff).map((c) => c.diff);
    }
    const skippedRun = result.skipped === true;
    if (!skippedRun) {
      result = await this.#overrides(task, scope, result, this.#templating(exec.roots));
    }
    // check_mode: true on a command in a real run skips it, as in Ansible; in a dry run the
    // command shows as a pending change ("would run").
    const skipped = exec.dry && module.acts && !this.#o.dryRun && changes.length > 0;
    const status: TaskStatus = result.failed
      ? "failed"
      : skipped
      ? "skipped"
      : result.changed
      ? "changed"
      : "ok";
    if (result.failed) message = failureMessage(result);
    const shown = exec.showDiff ? changes.map(reported) : changes.map(withoutDiff);
    return {
      record: {
        ...base,
        status,
        changes: shown,
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
    t: Templating,
  ) {
    if (task.changed_when === undefined && task.failed_when === undefined) return result;
    const withResult = task.register ? { ...scope, [task.register]: result } : scope;
    const out = { ...result };
    if (task.changed_when !== undefined) {
      out.changed = await evaluateCondition(task.changed_when, withResult, t);
    }
    if (task.failed_when !== undefined) {
      out.failed = await evaluateCondition(task.failed_when, withResult, t);
      if (out.failed && out.msg === undefined) out.msg = "failed_when condition was true";
      if (!out.failed) delete out.msg;
    }
    return out;
  }

  #context(scope: Record<string, unknown>, exec: Exec): TaskContext {
    const searchPath = searchPathOf(exec.roots);
    const configDir = this.#o.configDir;
    return {
      configDir,
      sourceDirs: exec.roots,
      ...(exec.environment ? { environment: exec.environment } : {}),
      renderTemplate: async (path, options) => {
        return await this.#o.engine.renderFile(path, { ...scope, ...options.extraVars }, {
          searchPath,
          name: path.startsWith(`${configDir}/`) ? path.slice(configDir.length + 1) : path,
          ...(options.trimBlocks !== undefined ? { trimBlocks: options.trimBlocks } : {}),
          ...(options.lstripBlocks !== undefined ? { lstripBlocks: options.lstripBlocks } : {}),
          ...(options.newlineSequence !== undefined
            ? { newlineSequence: options.newlineSequence }
            : {}),
        });
      },
    };
  }

  async #flag(
    value: boolean | string | undefined,
    scope: Record<string, unknown>,
    t: Templating,
  ): Promise<boolean> {
    if (value === undefined) return false;
    if (typeof value === "boolean") return value;
    return await evaluateCondition(value, scope, t);
  }

  async #renderString(
    text: string,
    scope: Record<string, unknown>,
    t: Templating,
  ): Promise<string> {
    const v = await t.engine.templateValue(text, scope, { searchPath: t.searchPath });
    return typeof v === "string" ? v : JSON.stringify(v);
  }

  async #name(task: TaskSpec, scope: Record<string, unknown>, t: Templating): Promise<string> {
    if (task.description !== undefined) {
      try {
        return await this.#renderString(task.description, scope, t);
      } catch {
        return task.description;
      }
    }
    const module = this.#o.tasks[task.type];
    const keys = module?.mainParam === undefined ? [] : [module.mainParam].flat();
    const main = keys.map((k) => task.params[k]).find((v) => v !== undefined);
    if (main === undefined) return task.type;
    // The label shows the value the task works on (`directory /etc/app`), not its template.
    const shown = await this.#renderString(labelOf(main), scope, t).catch(() => labelOf(main));
    return `${task.type} ${shown}`;
  }
}

/** Tasks whose `ansible_facts` are vars they set themselves, above host facts. */
const OWN_FACTS = new Set(["set_fact", "include_vars"]);

/** An include that could not load what it names. */
class IncludeFailed extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function emptyBlock(): TaskSpec {
  return { type: "block", params: {}, notify: [], listen: [], tags: [], rescue: [], always: [] };
}

/** An include's `apply:` keywords (tags, when, become, ...) as a block around what it runs. */
function applyBlock(apply: Record<string, unknown>): TaskSpec {
  const tags = apply.tags === undefined ? [] : [apply.tags].flat().map(String);
  const { tags: _tags, ...rest } = apply;
  return { ...emptyBlock(), ...(rest as Partial<TaskSpec>), tags };
}

/** The user `become_user` names, from the host's passwd database. */
async function becomeUser(host: Host, name: string): Promise<BecomeUser> {
  const text = await host.readText("/etc/passwd").catch(() => "");
  for (const line of text.split("\n")) {
    const [user, , uid, gid, , home] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid), ...(home ? { home } : {}) };
    }
  }
  throw new Error(`become_user: no user ${name} in /etc/passwd`);
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return true; // without --allow-sys the uid is unknown: the task itself will say if it is denied
  }
}

/**
 * Why a task failed, for people: the module's message, and for a command its exit code, the
 * command and the last lines of its stderr.
 */
function failureMessage(result: Record<string, unknown>): string {
  const parts = [String(result.msg ?? "failed")];
  if (typeof result.rc === "number" && result.rc !== 0) parts[0] += ` (rc=${result.rc})`;
  const cmd = result.cmd;
  if (cmd !== undefined && cmd !== null) {
    parts.push(`command: ${Array.isArray(cmd) ? shellJoin(cmd.map(String)) : String(cmd)}`);
  }
  const stderr = typeof result.stderr === "string" ? result.stderr.trim() : "";
  if (stderr) {
    const lines = stderr.split("\n");
    const tail = lines.slice(-5).join("\n").slice(-1000);
    parts.push(`stderr${lines.length > 5 ? " (last 5 lines)" : ""}: ${tail}`);
  } else if (typeof result.stdout === "string" && result.stdout.trim() && result.rc !== undefined) {
    parts.push(`stdout: ${result.stdout.trim().split("\n").slice(-3).join("\n").slice(-500)}`);
  }
  return parts.join("\n");
}

function reported(change: Change<unknown>): ReportedChange {
  return {
    summary: change.summary,
    ...(change.diff ? { diff: change.diff } : {}),
  };
}

function withoutDiff(change: Change<unknown>): ReportedChange {
  return { summary: change.summary };
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
