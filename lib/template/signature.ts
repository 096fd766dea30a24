/**
 * Python call semantics for everything a template can call (filters, tests, globals, methods,
 * macros): positional and keyword arguments bound to a signature written like Python's,
 * e.g. `pyfn("truncate", "s, length=255, killwords=False, end='...', leeway=None", impl)`.
 *
 * @module
 */
import { pyError } from "./error.ts";

/** Keyword arguments of a call. */
export type Kw = Record<string, unknown>;

/** A template-callable function: positional args and keyword args. */
export type PyFn = ((args: unknown[], kw: Kw) => unknown) & { pyName?: string };

/** Shared empty kwargs (never mutated). */
export const NO_KW: Kw = Object.freeze({}) as Kw;

interface Param {
  name: string;
  required: boolean;
  dflt: () => unknown;
}

interface Sig {
  name: string;
  params: Param[];
  varargs: boolean;
  varkw: boolean;
  index: Map<string, number>;
}

function literal(text: string): () => unknown {
  const t = text.trim();
  if (t === "None") return () => null;
  if (t === "True") return () => true;
  if (t === "False") return () => false;
  if (t === "[]") return () => [];
  if (t === "{}") return () => ({});
  if (/^-?\d+$/.test(t)) {
    const n = parseInt(t, 10);
    return () => n;
  }
  if (/^-?\d*\.\d+$/.test(t)) {
    const n = parseFloat(t);
    return () => n;
  }
  const m = /^(['"])(.*)\1$/s.exec(t);
  if (m) {
    const s = m[2]!.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\\\/g, "\\");
    return () => s;
  }
  throw new Error(`bad default in signature: ${text}`);
}

/** Parses `"a, b=1, *args, **kwargs"`. */
function parseSig(name: string, spec: string): Sig {
  const params: Param[] = [];
  let varargs = false;
  let varkw = false;
  // Split on commas outside quotes/brackets.
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let cur = "";
  for (const ch of spec) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = "";
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === "[" || ch === "{" || ch === "(") {
      depth++;
      cur += ch;
    } else if (ch === "]" || ch === "}" || ch === ")") {
      depth--;
      cur += ch;
    } else if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p.startsWith("**")) varkw = true;
    else if (p.startsWith("*")) varargs = true;
    else {
      const eqAt = p.indexOf("=");
      if (eqAt < 0) params.push({ name: p, required: true, dflt: () => undefined });
      else {
        params.push({
          name: p.slice(0, eqAt).trim(),
          required: false,
          dflt: literal(p.slice(eqAt + 1)),
        });
      }
    }
  }
  return { name, params, varargs, varkw, index: new Map(params.map((p, i) => [p.name, i])) };
}

function bind(sig: Sig, args: unknown[], kw: Kw): unknown[] {
  const { params } = sig;
  const n = params.length;
  const out: unknown[] = new Array(n + (sig.varargs ? 1 : 0) + (sig.varkw ? 1 : 0));
  const set: boolean[] = new Array(n).fill(false);
  const extra: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    if (i < n) {
      out[i] = args[i];
      set[i] = true;
    } else if (sig.varargs) extra.push(args[i]);
    else {
      const req = params.filter((p) => p.required).length;
      const range = req === n ? `${n}` : `from ${req} to ${n}`;
      throw pyError(
        "TypeError",
        `${sig.name}() takes ${range} positional argument${n === 1 ? "" : "s"} but ${args.length} ${
          args.length === 1 ? "was" : "were"
        } given`,
      );
    }
  }
  let rest: Kw | undefined;
  for (const key in kw) {
    const i = sig.index.get(key);
    if (i === undefined) {
      if (!sig.varkw) {
        throw pyError("TypeError", `${sig.name}() got an unexpected keyword argument '${key}'`);
      }
      (rest ??= {})[key] = kw[key];
      continue;
    }
    if (set[i]) {
      throw pyError("TypeError", `${sig.name}() got multiple values for argument '${key}'`);
    }
    out[i] = kw[key];
    set[i] = true;
  }
  for (let i = 0; i < n; i++) {
    if (set[i]) continue;
    const p = params[i]!;
    if (p.required) {
      throw pyError(
        "TypeError",
        `${sig.name}() missing 1 required positional argument: '${p.name}'`,
      );
    }
    out[i] = p.dflt();
  }
  let at = n;
  if (sig.varargs) out[at++] = extra;
  if (sig.varkw) out[at] = rest ?? {};
  return out;
}

/**
 * Declares a callable with a Python signature. `impl` receives the bound values in order; a
 * `*args` parameter arrives as an array and `**kwargs` as an object.
 */
// deno-lint-ignore no-explicit-any
export function pyfn(name: string, spec: string, impl: (...values: any[]) => unknown): PyFn {
  const sig = parseSig(name, spec);
  const fn: PyFn = (args, kw) => impl(...bind(sig, args, kw));
  fn.pyName = name;
  return fn;
}
