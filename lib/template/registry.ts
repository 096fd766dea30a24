/**
 * The tables of filters, tests and globals, and the state of the render in progress (vars,
 * search path, options) that lookups and a few filters need. Rendering is synchronous, so one
 * current state per process is enough; nested renders (lazily templated vars, the `template`
 * lookup) push and pop it.
 *
 * @module
 */
import { pyError, type TemplateError } from "./error.ts";
import { type Kw, NO_KW, type PyFn } from "./signature.ts";
import { Undefined } from "./py.ts";

/** A filter: its function and whether it accepts an undefined input (like `default`). */
export interface FilterDef {
  readonly fn: PyFn;
  readonly undefinedOk?: boolean;
}

/** A test: its function and whether it accepts an undefined input (like `defined`). */
export interface TestDef {
  readonly fn: PyFn;
  readonly undefinedOk?: boolean;
}

/** Every filter by name (Jinja builtins, Ansible filters and their FQCNs). */
export const FILTERS: Map<string, FilterDef> = new Map();
/** Every test by name. */
export const TESTS: Map<string, TestDef> = new Map();
/** Template globals (`range`, `lookup`, `now`...). */
export const GLOBALS: Map<string, unknown> = new Map();

/** Options of the render in progress. */
export interface StateOptions {
  readonly trimBlocks: boolean;
  readonly lstripBlocks: boolean;
  readonly newlineSequence: string;
  readonly keepTrailingNewline?: boolean;
  readonly searchPath: readonly string[];
  readonly name: string;
}

/** What lookups and lazily templated vars need from the render in progress. */
export interface RenderState {
  readonly vars: Record<string, unknown>;
  readonly options: StateOptions;
  /** Values of vars already templated in this render. */
  readonly resolved: Map<string, unknown>;
  /** Vars being templated now (the loop guard). */
  readonly resolving: Set<string>;
}

/** Renders a template string synchronously with the given vars (set up by the environment). */
export type SyncRender = (
  source: string,
  vars: Record<string, unknown>,
  options: StateOptions,
  mode: "text" | "eval-concat" | "native",
  /** Share the loop guard and resolved vars of this render (nested var templating). */
  shared?: RenderState,
) => unknown;

/** The process-wide current render. */
export const current: { state: RenderState | undefined; render: SyncRender | undefined } = {
  state: undefined,
  render: undefined,
};

/** The current render state; throws outside a render. */
export function state(): RenderState {
  if (!current.state) throw pyError("RuntimeError", "no template is being rendered");
  return current.state;
}

/** Registers a filter under one or more names (e.g. `b64encode`, `ansible.builtin.b64encode`). */
export function addFilter(
  names: string | string[],
  fn: PyFn,
  options: { undefinedOk?: boolean } = {},
): void {
  for (const name of Array.isArray(names) ? names : [names]) {
    FILTERS.set(name, { fn, ...options });
  }
}

/** Registers a test under one or more names. */
export function addTest(
  names: string | string[],
  fn: PyFn,
  options: { undefinedOk?: boolean } = {},
): void {
  for (const name of Array.isArray(names) ? names : [names]) TESTS.set(name, { fn, ...options });
}

/** Ansible's error for a filter or test it cannot find (its plugin loader's KeyError). */
export function unknownPlugin(name: string): TemplateError {
  return pyError("TemplateSyntaxError", `Could not load "${name}": '${name}'`);
}

/** Calls a filter by name. */
export function callFilter(name: string, args: unknown[], kw: Kw = NO_KW): unknown {
  const f = FILTERS.get(name);
  if (!f) throw unknownPlugin(name);
  const v = args[0];
  if (!f.undefinedOk && v instanceof Undefined && !v.soft) v.fail();
  return f.fn(args, kw);
}

/** Calls a test by name and returns its truth. */
export function callTest(name: string, args: unknown[], kw: Kw = NO_KW): boolean {
  const t = TESTS.get(name);
  if (!t) throw unknownPlugin(name);
  const v = args[0];
  if (!t.undefinedOk && v instanceof Undefined && !v.soft) v.fail();
  return Boolean(t.fn(args, kw));
}
