/**
 * The helpers compiled templates call (`env.py.*` in the generated code): name lookup with
 * Ansible's lazy templating of vars, attribute/item access, calls, filters and tests, Python
 * operators and truthiness, loops, macros, includes and error location.
 *
 * @module
 */
import { getattr, getitem, setCompare } from "./access.ts";
import { TemplateError } from "./error.ts";
import { printf } from "./format.ts";
import { LiteralError, literalEval } from "./literal.ts";
import { isCallable, LoopContext, Namespace } from "./objects.ts";
import * as py from "./py.ts";
import { callFilter, callTest, current, GLOBALS, type RenderState } from "./registry.ts";
import { type Kw, NO_KW, type PyFn } from "./signature.ts";
import type { Frame, NunjucksContext, NunjucksEnvironment, NunjucksTemplate } from "./nodes.ts";
import { isUnsafe } from "./unsafe.ts";

setCompare((a, b) => py.compare(a, b));

const TEMPLATE_MARK = /\{\{|\{%|\{#/;
const containsCache = new WeakMap<object, boolean>();

/** Whether a value holds a template string anywhere (cached for objects). */
export function containsTemplate(v: unknown): boolean {
  if (typeof v === "string") return TEMPLATE_MARK.test(v);
  if (v === null || typeof v !== "object") return false;
  if (isUnsafe(v)) return false;
  const cached = containsCache.get(v);
  if (cached !== undefined) return cached;
  let found = false;
  if (Array.isArray(v)) found = v.some(containsTemplate);
  else if (py.isDict(v)) {
    for (const k in v) {
      if (containsTemplate(v[k])) {
        found = true;
        break;
      }
    }
  }
  containsCache.set(v, found);
  return found;
}

/**
 * Ansible's `ansible_eval_concat` for a template that produced `value`: text that looks like a
 * list, dict or bool becomes one; other values become text (so `"{{ 5 }}"` is the string "5").
 */
export function evalConcat(value: unknown): unknown {
  let out: string;
  if (typeof value === "string") out = value;
  else if (Array.isArray(value) || py.isDict(value) || typeof value === "boolean") return value;
  else out = py.finalize(value);
  if (out.startsWith("{") || out.startsWith("[") || out === "True" || out === "False") {
    try {
      return literalEval(out);
    } catch (e) {
      if (!(e instanceof LiteralError)) throw e;
    }
  }
  return out;
}

/** The runtime object compiled code calls. */
export class Runtime {
  readonly MISSING: symbol = MISSING;
  loopCount = 0;

  // -- values ----------------------------------------------------------------------------------
  F(n: number): py.PyFloat {
    return new py.PyFloat(n);
  }
  tuple(items: unknown[]): unknown[] {
    return py.tuple(items);
  }
  dict(pairs: unknown[]): Record<string, unknown> {
    return py.dictFrom(pairs);
  }
  undef(hint: string): py.Undefined {
    return new py.Undefined(undefined, py.MISSING, hint, true);
  }

  // -- names and access ------------------------------------------------------------------------
  name(context: NunjucksContext, frame: Frame, key: string): unknown {
    const v = frame.lookup(key);
    if (v !== undefined) return v;
    const ctx = context.ctx;
    if (Object.hasOwn(ctx, key)) {
      const raw = ctx[key];
      if (raw === undefined) return new py.Undefined(key);
      const st = current.state;
      if (st && containsTemplate(raw) && st.vars[key] === raw) return resolveVar(st, key, raw);
      return raw;
    }
    if (GLOBALS.has(key)) return GLOBALS.get(key);
    return new py.Undefined(key);
  }
  attr(obj: unknown, name: string): unknown {
    return getattr(obj, name);
  }
  item(obj: unknown, key: unknown): unknown {
    return getitem(obj, key);
  }
  slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
    return py.slice(obj, start, stop, step);
  }

  // -- calls -----------------------------------------------------------------------------------
  call(fn: unknown, args: unknown[], kw: Kw | null, dynArgs?: unknown, dynKw?: unknown): unknown {
    if (dynArgs !== undefined) args = [...args, ...py.iterate(dynArgs)];
    if (dynKw !== undefined) {
      if (!py.isDict(dynKw)) {
        throw py.defined(dynKw) && pyTypeError("argument after ** must be a mapping");
      }
      kw = { ...kw, ...dynKw };
    }
    if (typeof fn === "function") return (fn as PyFn)(args, kw ?? NO_KW);
    if (isCallable(fn)) return fn.call(args, kw ?? NO_KW);
    if (fn instanceof py.Undefined) fn.fail();
    throw pyTypeError(`'${py.typeName(fn)}' object is not callable`);
  }
  filter(
    name: string,
    args: unknown[],
    kw: Kw | null,
    dynArgs?: unknown,
    dynKw?: unknown,
  ): unknown {
    if (dynArgs !== undefined) args = [...args, ...py.iterate(dynArgs)];
    if (dynKw !== undefined && py.isDict(dynKw)) kw = { ...kw, ...dynKw };
    return callFilter(name, args, kw ?? NO_KW);
  }
  test(name: string, args: unknown[], kw: Kw | null, dynArgs?: unknown, dynKw?: unknown): boolean {
    if (dynArgs !== undefined) args = [...args, ...py.iterate(dynArgs)];
    if (dynKw !== undefined && py.isDict(dynKw)) kw = { ...kw, ...dynKw };
    return callTest(name, args, kw ?? NO_KW);
  }

  // -- operators -------------------------------------------------------------------------------
  out(v: unknown): string {
    return py.finalize(v);
  }
  bool(v: unknown): boolean {
    return py.truthy(v);
  }
  and(a: unknown, b: () => unknown): unknown {
    return py.truthy(a) ? b() : a;
  }
  or(a: unknown, b: () => unknown): unknown {
    return py.truthy(a) ? a : b();
  }
  cmp(op: string, a: unknown, b: unknown): boolean {
    switch (op) {
      case "eq":
        return py.eq(a, b);
      case "ne":
        return !py.eq(a, b);
      case "lt":
        return py.compare(a, b, op) < 0;
      case "lteq":
        return py.compare(a, b, op) <= 0;
      case "gt":
        return py.compare(a, b, op) > 0;
      case "gteq":
        return py.compare(a, b, op) >= 0;
      case "in":
        return py.contains(b, a);
      case "notin":
        return !py.contains(b, a);
    }
    throw new Error(`unknown operator ${op}`);
  }
  chain(first: unknown, ops: [string, () => unknown][]): boolean {
    let left = first;
    for (const [op, next] of ops) {
      const right = next();
      if (!this.cmp(op, left, right)) return false;
      left = right;
    }
    return true;
  }
  add(a: unknown, b: unknown): unknown {
    return py.add(a, b);
  }
  sub(a: unknown, b: unknown): unknown {
    return py.sub(a, b);
  }
  mul(a: unknown, b: unknown): unknown {
    return py.mul(a, b);
  }
  div(a: unknown, b: unknown): unknown {
    return py.div(a, b);
  }
  floordiv(a: unknown, b: unknown): unknown {
    return py.floordiv(a, b);
  }
  mod(a: unknown, b: unknown): unknown {
    return py.mod(a, b, printf);
  }
  pow(a: unknown, b: unknown): unknown {
    return py.pow(a, b);
  }
  neg(a: unknown): unknown {
    return py.neg(a);
  }
  pos(a: unknown): unknown {
    return py.pos(a);
  }
  concat(parts: unknown[]): string {
    return py.concat(parts);
  }

  // -- statements ------------------------------------------------------------------------------
  unpack(value: unknown, n: number): unknown[] {
    const items = py.iterate(value);
    if (items.length > n) throw pyValueError(`too many values to unpack (expected ${n})`);
    if (items.length < n) {
      throw pyValueError(`not enough values to unpack (expected ${n}, got ${items.length})`);
    }
    return items;
  }
  forLoop(
    iterable: unknown,
    test: ((item: unknown) => boolean) | null,
    body: (item: unknown, loop: LoopContext) => string,
    recursive: boolean,
    depth0 = 0,
  ): string {
    let items = py.iterate(iterable);
    if (test) items = items.filter(test);
    const recurse = recursive
      ? (it: unknown, d: number) => this.forLoop(it, test, body, true, d)
      : null;
    const loop = new LoopContext(items, depth0, recurse);
    let out = "";
    for (let i = 0; i < items.length; i++) {
      loop.index0 = i;
      out += body(items[i], loop);
    }
    this.loopCount = items.length;
    return out;
  }
  nsSet(ns: unknown, attr: string, value: unknown): void {
    if (!(ns instanceof Namespace)) {
      throw new TemplateError("cannot assign attribute on non-namespace object", {
        kind: "TemplateRuntimeError",
      });
    }
    ns.attrs[attr] = value;
  }
  macro(
    name: string,
    params: string[],
    nDefaults: number,
    catchVarargs: boolean,
    catchKwargs: boolean,
    catchCaller: boolean,
    body: (...args: unknown[]) => string,
  ): PyFn {
    const fn: PyFn = (args, kw) => {
      const values: unknown[] = [];
      const firstDefault = params.length - nDefaults;
      for (let i = 0; i < params.length; i++) {
        const p = params[i]!;
        if (i < args.length) {
          if (Object.hasOwn(kw, p)) {
            throw pyTypeError(`macro '${name}' got multiple values for keyword argument '${p}'`);
          }
          values.push(args[i]);
        } else if (Object.hasOwn(kw, p)) values.push(kw[p]);
        else if (i >= firstDefault) values.push(MISSING);
        else {
          values.push(new py.Undefined(p, py.MISSING, `parameter '${p}' was not provided`));
        }
      }
      const extra = args.slice(params.length);
      if (extra.length && !catchVarargs) {
        throw pyTypeError(
          `macro '${name}' takes not more than ${params.length} argument(s)`,
        );
      }
      const kwargs: Record<string, unknown> = {};
      let caller: unknown = new py.Undefined("caller");
      for (const k in kw) {
        if (params.includes(k)) continue;
        if (k === "caller" && catchCaller) caller = kw[k];
        else if (catchKwargs) kwargs[k] = kw[k];
        else throw pyTypeError(`macro '${name}' takes no keyword argument '${k}'`);
      }
      return body(...values, py.tuple(extra), kwargs, caller);
    };
    fn.pyName = name;
    return fn;
  }
  superBlock(
    env: NunjucksEnvironment,
    context: NunjucksContext,
    frame: Frame,
    runtime: unknown,
    name: string,
    block: unknown,
  ): string {
    let out = "";
    context.getSuper(env, name, block, frame, runtime, (e: unknown, r: string) => {
      if (e) throw e;
      out = String(r);
    });
    return out;
  }
  include(
    env: NunjucksEnvironment,
    context: NunjucksContext,
    frame: Frame,
    names: unknown,
    ignoreMissing: boolean,
    withContext: boolean,
    parent: string | undefined,
  ): string {
    const list = typeof names === "string" ? [names] : py.iterate(py.defined(names));
    let tmpl: NunjucksTemplate | undefined;
    for (const n of list) {
      try {
        tmpl = env.getTemplate(py.str(n), false, parent, false);
        break;
      } catch (e) {
        const notFound = e instanceof TemplateNotFound ||
          (e instanceof TemplateError && e.kind === "TemplateNotFound");
        if (!notFound) throw e;
      }
    }
    if (!tmpl) {
      if (ignoreMissing) return "";
      const shown = list.length === 1 ? py.str(list[0]) : list.map(py.str).join(", ");
      throw new TemplateError(
        `${list.length === 1 ? "template" : "none of the templates"} not found: ${shown}`,
        { kind: "TemplateNotFound" },
      );
    }
    return withContext
      ? tmpl.render(context.getVariables(), frame)
      : tmpl.render({}, frame.push(true).push());
  }
  missingImport(name: string, line: number): py.Undefined {
    return new py.Undefined(
      name,
      py.MISSING,
      `the template (imported on line ${line}) does not export the requested name '${name}'`,
    );
  }
  locate(e: unknown, name: string | undefined, line: number, col: number): unknown {
    return locate(e, name, line, col);
  }
}

const MISSING = Symbol("missing-argument");

/** Thrown by the loader when a template file does not exist. */
export class TemplateNotFound extends Error {}

function pyTypeError(msg: string): TemplateError {
  return new TemplateError(msg, { kind: "TypeError" });
}

function pyValueError(msg: string): TemplateError {
  return new TemplateError(msg, { kind: "ValueError" });
}

/** Finds our error inside nunjucks' wrappers and attaches a location to it. */
export function locate(
  e: unknown,
  name: string | undefined,
  line: number,
  col: number,
): TemplateError {
  let inner: unknown = e;
  while (inner && !(inner instanceof TemplateError) && (inner as { cause?: unknown }).cause) {
    inner = (inner as { cause?: unknown }).cause;
  }
  if (inner instanceof TemplateError) {
    return inner.locate(name, line || undefined, col || undefined);
  }
  const msg = inner instanceof Error ? inner.message : String(inner);
  const err = new TemplateError(msg, { kind: inner instanceof Error ? inner.name : "Error" });
  return err.locate(name, line || undefined, col || undefined);
}

/** Templates a var's value when it is used, as Ansible's AnsibleJ2Vars does. */
function resolveVar(st: RenderState, key: string, raw: unknown): unknown {
  if (st.resolved.has(key)) return st.resolved.get(key);
  if (st.resolving.has(key)) {
    throw new TemplateError(
      `recursive loop detected in template string: ${
        typeof raw === "string" ? raw : py.repr(raw)
      }. maximum recursion depth exceeded while calling a Python object`,
      { kind: "AnsibleError" },
    );
  }
  st.resolving.add(key);
  try {
    const value = templateDeep(st, raw);
    st.resolved.set(key, value);
    return value;
  } finally {
    st.resolving.delete(key);
  }
}

function templateDeep(st: RenderState, v: unknown): unknown {
  if (typeof v === "string") {
    if (!TEMPLATE_MARK.test(v)) return v;
    return current.render!(v, st.vars, { ...st.options, name: v }, "eval-concat", st);
  }
  if (!containsTemplate(v)) return v;
  if (Array.isArray(v)) return v.map((x) => templateDeep(st, x));
  if (py.isDict(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = templateDeep(st, x);
    return out;
  }
  return v;
}
