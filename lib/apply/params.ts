/**
 * Templating a task's params and conditions: what the runner does before each task and what
 * the preflight does before the run, in one place so both agree on every result.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { Condition } from "../config/apply_schema.ts";
import type { TaskOrigin } from "../config/task_list.ts";
import { formatPath } from "../errors.ts";
import { type AnyTaskModule, isRunnerTask } from "./task.ts";
import { truthy } from "./vars.ts";

/** The template functions the runner needs (lib/template/engine.ts provides them). */
export interface TemplateEngine {
  templateValue(
    value: unknown,
    vars: Record<string, unknown>,
    options?: EngineOptions,
  ): Promise<unknown>;
  evaluateExpression(
    expression: string,
    vars: Record<string, unknown>,
    options?: EngineOptions,
  ): Promise<unknown>;
  renderFile(path: string, vars: Record<string, unknown>, options?: EngineOptions): Promise<string>;
  checkTemplate(source: string, options?: EngineOptions): Promise<void>;
}

/** Options passed through to the template engine. */
export interface EngineOptions {
  searchPath?: string[];
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  newlineSequence?: string;
  name?: string;
}

/** An engine and the search path templates resolve includes and lookups against. */
export interface Templating {
  readonly engine: TemplateEngine;
  readonly searchPath: string[];
}

/**
 * The search path of a task's roots (its role dirs, its file's dir, the config dir): each
 * root's `<folder>/` (`templates/` by default), then the root itself, as Ansible searches.
 */
export function searchPathOf(roots: readonly string[], folder = "templates"): string[] {
  return roots.flatMap((d) => [join(d, folder), d]);
}

/**
 * Where a task's relative files are found (its search roots): the dirs of the roles it is in,
 * innermost first; the dir of the file it is written in (unless inside one of those roles);
 * the config dir.
 */
export function rootsOf(
  configDir: string,
  file: string | undefined,
  roles: readonly { readonly path: string }[],
): string[] {
  const roots = roles.map((r) => r.path);
  if (file) {
    const dir = join(configDir, dirname(file));
    if (!roots.some((r) => dir === r || dir.startsWith(`${r}/`))) roots.push(dir);
  }
  if (!roots.includes(configDir)) roots.push(configDir);
  return roots;
}

/** The placeholder `default(omit)` yields; params holding it are dropped. */
export const OMIT = `__omit_place_holder__${crypto.randomUUID().replaceAll("-", "")}`;

/** A template marker: such strings are only known after rendering. */
export const TEMPLATE_MARKER = /\{\{|\{%/;

/** Thrown when rendered params fail the task's schema: certain before the run, unlike a render. */
export class InvalidParams extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidParams";
  }
}

/**
 * Renders params (except the module's expression params), drops omitted ones and validates the
 * result against the module's schema. A render error propagates as the engine raised it.
 */
export async function renderParams(
  module: AnyTaskModule,
  params: Readonly<Record<string, unknown>>,
  scope: Record<string, unknown>,
  t: Templating,
  origin?: TaskOrigin,
): Promise<unknown> {
  const raw: Record<string, unknown> = {};
  const expressions = isRunnerTask(module) ? module.expressions ?? [] : [];
  for (const [key, value] of Object.entries(params)) {
    let rendered: unknown;
    try {
      rendered = expressions.includes(key)
        ? value
        : await t.engine.templateValue(value, scope, { searchPath: t.searchPath });
    } catch (e) {
      throw paramError(e, key, origin);
    }
    if (rendered !== OMIT) raw[key] = dropOmitted(rendered);
  }
  const parsed = module.schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) =>
    `${formatPath(i.path as (string | number)[]) || "params"}: ${i.message}`
  );
  throw new InvalidParams(`invalid parameters after templating: ${lines.join("; ")}`);
}

/**
 * A template error in a parameter, located where the task is written and naming the parameter
 * (`apply.yml:12:5 tasks[3].mode: 'mode_var' is undefined`): the engine alone can only say
 * `<string>:1:4`, which points nowhere.
 */
function paramError(e: unknown, key: string, origin: TaskOrigin | undefined): unknown {
  if (!(e instanceof Error)) return e;
  const reason = (e as { reason?: string }).reason ?? e.message;
  const path = origin?.path ? `${origin.path}.${key}` : key;
  const where = origin
    ? `${origin.file}${origin.line ? `:${origin.line}` : ""}${
      origin.line && origin.column ? `:${origin.column}` : ""
    } `
    : "";
  const located = new Error(`${where}${path}: ${reason}`, { cause: e });
  located.name = e.name;
  return located;
}

/** Evaluates a `when`-style condition (a string, a bool or a list of them, all must hold). */
export async function evaluateCondition(
  condition: Condition,
  scope: Record<string, unknown>,
  t: Templating,
): Promise<boolean> {
  const list = Array.isArray(condition) ? condition : [condition];
  for (const c of list) {
    if (typeof c === "boolean") {
      if (!c) return false;
      continue;
    }
    const value = await t.engine.evaluateExpression(stripMustache(c), scope, {
      searchPath: t.searchPath,
    });
    if (!truthy(typeof value === "string" ? stringTruth(value) : value)) return false;
  }
  return true;
}

/** `when: "{{ x }}"` is accepted by Ansible (with a warning); treat it as the expression `x`. */
export function stripMustache(expr: string): string {
  const m = /^\s*\{\{(.*)\}\}\s*$/s.exec(expr);
  return m && !m[1]!.includes("}}") ? m[1]!.trim() : expr;
}

/** Ansible evaluates a string result of a condition as a bare expression ("false" is false). */
function stringTruth(value: string): unknown {
  const v = value.trim().toLowerCase();
  if (["false", "no", "off", "0", "none", ""].includes(v)) return false;
  return true;
}

function dropOmitted(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== OMIT).map(dropOmitted);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => v !== OMIT).map(([k, v]) => [k, dropOmitted(v)]),
    );
  }
  return value;
}

/** A loop item as shown in output: strings as they are, anything else as JSON. */
export function labelOf(item: unknown): string {
  return typeof item === "string" ? item : JSON.stringify(item);
}
