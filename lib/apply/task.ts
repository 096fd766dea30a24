/**
 * The task contract (DESIGN §3): a task reads current state, plans the changes that close the
 * gap (a pure function; `[]` means converged) and applies one change at a time. No task sees a
 * dry-run flag: only the runner decides whether changes go to the machine or to an overlay.
 *
 * @module
 */
import type * as z from "zod";
import type { Host } from "./host.ts";

/** One planned step. */
export interface Change<Op> {
  /** The step as data; only `apply()` reads it. */
  readonly op: Op;
  /** One line for humans: `chmod 0644 -> 0600 /etc/shadow`. */
  readonly summary: string;
  /** Before/after text for a unified diff. */
  readonly diff?: Diff;
  /**
   * A one-shot action rather than a state (`state: restarted`, a cache refresh): planned every
   * run, so the convergence check after apply does not count it.
   */
  readonly action?: boolean;
}

/** Text before and after a change, for a unified diff. */
export interface Diff {
  readonly before: string;
  readonly after: string;
  /** The file the diff is about, shown in the headers. */
  readonly path?: string;
  /** Labels for the two sides when they are not files (`before`/`after` by default). */
  readonly beforeLabel?: string;
  readonly afterLabel?: string;
  /** The content is binary: show "binary files differ" instead of lines. */
  readonly binary?: boolean;
}

/**
 * Where a task finds the files of the config repo it names (`src:` of copy, template, script):
 * a relative source is looked up in each source dir, under the task's folder (`files/`,
 * `templates/`) first, then in the dir itself.
 */
export interface SourceContext {
  /** The config dir. */
  readonly configDir: string;
  /**
   * The dirs searched, in order: the role's dir (and those of the roles around it), the task
   * file's dir, the config dir. Default: the config dir.
   */
  readonly sourceDirs?: readonly string[];
}

/** What a task can use besides the host: the config repo's sources and templating. */
export interface TaskContext extends SourceContext {
  /** Renders a template file (a path from `findSource`) with the task's vars. */
  renderTemplate(src: string, options: RenderFileOptions): Promise<string>;
  /** The task's `environment` (downloads take their proxy settings from it). */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Options for rendering a template file, as the template module's parameters. */
export interface RenderFileOptions {
  readonly trimBlocks?: boolean;
  readonly lstripBlocks?: boolean;
  readonly newlineSequence?: string;
  /** Extra variables, e.g. `template_path`, `ansible_managed`. */
  readonly extraVars?: Readonly<Record<string, unknown>>;
}

/**
 * Fields a task adds to its registered result (`rc`, `stdout`, `stat`, ...). A result with
 * `failed: true` (and `msg`) fails the task while keeping the fields for `register`, as a
 * command with a non-zero exit code does; throwing an Error also fails the task.
 */
export type TaskResult = Record<string, unknown>;

/** A task type. `Params` is what its schema outputs. */
export interface TaskModule<Params = unknown, Current = unknown, Op = unknown> {
  /** The `type:` that selects it. */
  readonly type: string;
  /** Strict schema with Ansible's parameter names and aliases. */
  readonly schema: z.ZodType<Params>;
  /** For Ansible's free-form string (`command: ls -l`), the param the text goes to. */
  readonly freeForm?: string;
  /** The param (or aliases, first set wins) shown in the default description (`file /etc/motd`). */
  readonly mainParam?: string | readonly string[];
  /**
   * Checks what the config repo alone decides (a source file in `files/` or `templates/`
   * exists), before the run starts: `validate` and `apply` both call it. Throws the problem.
   */
  check?(params: Params, ctx: SourceContext): Promise<void>;
  /** Reads current state. Never writes. */
  read(params: Params, host: Host, ctx: TaskContext): Promise<Current>;
  /** Plans the changes from params and current state. Pure; `[]` means converged. */
  plan(params: Params, current: Current): Change<Op>[];
  /** Applies one change. May return fields for the registered result (`rc`, `stdout`). */
  apply(op: Op, host: Host, ctx: TaskContext): Promise<TaskResult | void>;
  /** Fields for the registered result taken from the state read (`stat` registers this way). */
  result?(params: Params, current: Current): TaskResult;
  /**
   * Tasks that act rather than converge (command, shell): the change is a run, and the
   * convergence check after apply is skipped.
   */
  readonly acts?: boolean;
}

/** What a runner-evaluated task can see and do: vars, expressions, templates, vars files. */
export interface Scope extends SourceContext {
  /** Every variable visible to the task (vars, facts, registered results). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Evaluates a Jinja expression (`x > 3`, `item.name`) to its value. */
  evaluate(expression: string): Promise<unknown>;
  /** Renders a template string. */
  render(template: string): Promise<string>;
  /** Reads a vars file of the config repo (YAML 1.1, secrets substituted): a mapping. */
  readVars(path: string): Promise<Record<string, unknown>>;
}

/** What a runner-evaluated task produced. */
export interface Outcome {
  /** Text to show under the task (debug's message). */
  readonly message?: string;
  /** The task failed, with this message. */
  readonly failed?: string;
  /** Variables to set for the rest of the run (set_fact). */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Variables from files, below set_fact (include_vars). */
  readonly includeVars?: Readonly<Record<string, unknown>>;
  /** A task file to run next, as `include_tasks` names it. */
  readonly include?: string;
  /** A role to run next (include_role). */
  readonly includeRole?: IncludeRole;
  /** A `meta` action for the runner (`flush_handlers`, `end_play`, ...). */
  readonly meta?: string;
  /** Fields for the registered result. */
  readonly result?: TaskResult;
}

/** What `include_role` asks the runner to run. */
export interface IncludeRole {
  readonly name: string;
  readonly tasksFrom?: string;
  readonly varsFrom?: string;
  readonly defaultsFrom?: string;
  readonly handlersFrom?: string;
  /** Its defaults and vars stay visible after it ran. */
  readonly public: boolean;
}

/**
 * A task the runner evaluates instead of converging (debug, assert, fail, set_fact,
 * include_tasks): it never changes the host, so it is never a change.
 */
export interface RunnerTask<Params = unknown> {
  readonly type: string;
  readonly schema: z.ZodType<Params>;
  /** For Ansible's free-form string (`include_tasks: web.yml`), the param the text goes to. */
  readonly freeForm?: string;
  readonly mainParam?: string | readonly string[];
  /** Params that are Jinja expressions, not templates: the runner leaves them unrendered. */
  readonly expressions?: readonly string[];
  evaluate(params: Params, scope: Scope): Promise<Outcome>;
}

/** Any task type, with its type parameters erased, for registries. */
// deno-lint-ignore no-explicit-any
export type AnyTaskModule = TaskModule<any, any, any> | RunnerTask<any>;

/** True for tasks the runner evaluates. */
export function isRunnerTask(task: AnyTaskModule): task is RunnerTask<unknown> {
  return "evaluate" in task;
}

/** Defines a runner-evaluated task with its params type inferred from the schema. */
export function defineRunnerTask<S extends z.ZodType>(
  task: RunnerTask<z.output<S>> & { readonly schema: S },
): RunnerTask<z.output<S>> {
  return task;
}

/** Defines a task module with its types inferred from the schema. */
export function defineTask<S extends z.ZodType, Current, Op>(
  module: TaskModule<z.output<S>, Current, Op> & { readonly schema: S },
): TaskModule<z.output<S>, Current, Op> {
  return module;
}
