/**
 * Task lists: normalising each entry (apply_schema.ts) in a list, checking its params against
 * the task's schema, and remembering where each task was written, for every later message.
 *
 * @module
 */
import type * as z from "zod";
import { type ConfigIssue, didYouMean, formatPath, type KeyPath } from "../errors.ts";
import { describeIssue, normaliseTask, type TaskCatalog, type TaskSpec } from "./apply_schema.ts";

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

const origins = new WeakMap<TaskSpec, TaskOrigin>();

/** Records where a task was written (tasks the loader builds, such as role blocks, too). */
export function setOrigin(task: TaskSpec, origin: TaskOrigin): void {
  origins.set(task, origin);
}

/** Where a task came from, for run-time error messages. */
export function originOf(task: TaskSpec): TaskOrigin | undefined {
  return origins.get(task);
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
