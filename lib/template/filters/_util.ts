/**
 * Helpers shared by the filter families: Jinja's attribute getters (`'a.b.0'`), Ansible's
 * boolean conversion, FQCN registration, type checks with Ansible's error wording.
 *
 * @module
 */
import { getitem } from "../access.ts";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { addFilter } from "../registry.ts";
import { type Kw, type PyFn, pyfn } from "../signature.ts";

/**
 * A raw filter (positional and keyword arguments as given) whose first argument is required:
 * called without it, Python's TypeError naming `fnName` and `param`.
 */
export function withValue(
  fnName: string,
  param: string,
  body: (args: [unknown, ...unknown[]], kw: Kw) => unknown,
): PyFn {
  return (args, kw) => {
    if (!args.length) {
      throw pyError("TypeError", `${fnName}() missing 1 required positional argument: '${param}'`);
    }
    return body(args as [unknown, ...unknown[]], kw);
  };
}

/** Registers a filter under its name and `ansible.builtin.<name>` (the names Ansible accepts). */
export function builtin(
  name: string,
  spec: string,
  impl: (...v: never[]) => unknown,
  options: { undefinedOk?: boolean } = {},
): void {
  addFilter(
    [name, `ansible.builtin.${name}`],
    pyfn(name, spec, impl as (...v: unknown[]) => unknown),
    options,
  );
}

/** Registers a Jinja2 builtin filter (no FQCN in Ansible). */
export function jinja(
  names: string | string[],
  spec: string,
  impl: (...v: never[]) => unknown,
  options: { undefinedOk?: boolean } = {},
): void {
  const list = Array.isArray(names) ? names : [names];
  addFilter(list, pyfn(list[0]!, spec, impl as (...v: unknown[]) => unknown), options);
}

/** Registers a raw (args, kwargs) filter under its name and FQCN. */
export function builtinRaw(name: string, fn: PyFn, options: { undefinedOk?: boolean } = {}): void {
  fn.pyName = name;
  addFilter([name, `ansible.builtin.${name}`], fn, options);
}

function attributeParts(attr: unknown): unknown[] {
  if (attr === null || attr === undefined) return [];
  if (typeof attr === "string") {
    return attr.split(".").map((x) => (/^\d+$/.test(x) ? parseInt(x, 10) : x));
  }
  return [attr];
}

/** Jinja's `make_attrgetter`: follows `'a.b.0'` with getitem rules; `dflt` replaces undefined. */
export function attrGetter(
  attribute: unknown,
  postprocess?: (v: unknown) => unknown,
  dflt: unknown = null,
): (item: unknown) => unknown {
  const parts = attributeParts(attribute);
  return (item) => {
    let v = item;
    for (const p of parts) {
      v = getitem(v, p);
      if (dflt !== null && dflt !== undefined && v instanceof py.Undefined) v = dflt;
    }
    return postprocess ? postprocess(v) : v;
  };
}

/** Jinja's `make_multi_attrgetter` (`'age,name'`). */
export function multiAttrGetter(
  attribute: unknown,
  postprocess?: (v: unknown) => unknown,
): (item: unknown) => unknown {
  const split = typeof attribute === "string" ? attribute.split(",") : [attribute];
  const getters = split.map((a) => attrGetter(a === "" ? null : a, postprocess));
  return (item) => getters.map((g) => g(item));
}

/** Jinja's `ignore_case`: lowercases strings only. */
export function ignoreCase(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

/** Ansible's `boolean()` (strict=False) conversion; `undefined` for values it rejects when strict. */
export function toBool(v: unknown, strict = true): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = typeof v === "string" ? v.toLowerCase().trim() : py.isNumber(v) ? py.str(v) : null;
  if (s !== null) {
    if (["y", "yes", "on", "1", "true", "t", "1.0"].includes(s)) return true;
    if (["n", "no", "off", "0", "false", "f", "0.0"].includes(s)) return false;
  }
  return strict ? undefined : false;
}

/** Stable sort with a Python key function. */
export function sortBy<T>(items: T[], key: (x: T) => unknown, reverse = false): T[] {
  const keyed = items.map((x, i) => ({ x, k: key(x), i }));
  keyed.sort((a, b) => {
    const c = py.compare(a.k, b.k);
    return c !== 0 ? (reverse ? -c : c) : a.i - b.i;
  });
  return keyed.map((e) => e.x);
}

/** Raises Ansible's filter error. */
export function filterError(msg: string): never {
  throw pyError("AnsibleFilterError", msg);
}

/** A Python `int()` of a value, as used for numeric filter args. */
export function toInt(v: unknown, what = "value"): number {
  const n = py.num(v);
  if (n !== null) return Math.trunc(n);
  if (typeof v === "string" && /^\s*[-+]?\d+\s*$/.test(v)) return parseInt(v, 10);
  throw pyError("TypeError", `${what} must be an integer, not ${py.typeName(v)}`);
}

/** Python's `float()` of a value; throws ValueError like Python. */
export function toFloatValue(v: unknown): number {
  const n = py.num(v);
  if (n !== null) return n;
  if (typeof v === "string") {
    const t = v.trim().replaceAll("_", "");
    if (/^[-+]?(\d+\.?\d*(e[-+]?\d+)?|\.\d+(e[-+]?\d+)?)$/i.test(t)) return parseFloat(t);
    const low = t.toLowerCase();
    if (/^[-+]?(inf|infinity)$/.test(low)) return low.startsWith("-") ? -Infinity : Infinity;
    if (/^[-+]?nan$/.test(low)) return NaN;
    throw pyError("ValueError", `could not convert string to float: ${py.repr(v)}`);
  }
  throw pyError(
    "TypeError",
    `float() argument must be a string or a real number, not '${py.typeName(v)}'`,
  );
}

/** Python's `round(x, n)` (round half to even on the exact binary value). */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  if (n < 0) {
    const f = 10 ** -n;
    return pyRound(x / f, 0) * f;
  }
  const wide = Math.abs(x).toFixed(Math.min(100, n + 25));
  const dot = wide.indexOf(".");
  const tail = wide.slice(dot + 1 + n);
  let r = parseFloat(x.toFixed(n));
  if (/^50*$/.test(tail)) {
    // An exact tie: round half to even.
    const digits = wide.slice(0, dot + 1 + n).replace(".", "");
    const last = parseInt(digits[digits.length - 1]!, 10);
    const down = parseFloat((x < 0 ? "-" : "") + wide.slice(0, dot + 1 + n).replace(/\.$/, ""));
    if (last % 2 === 0) r = down;
    else r = down + (x < 0 ? -1 : 1) * 10 ** -n;
    r = parseFloat(r.toFixed(n));
  }
  return r;
}
