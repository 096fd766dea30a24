/**
 * Attribute and item access with Jinja2's rules (`a.b` tries the attribute then the item,
 * `a['b']` the item then the attribute, a miss is an {@linkcode Undefined} that remembers it) and
 * the Python methods templates call on values: `'a,b'.split(',')`, `s.startswith('x')`,
 * `d.items()`, `d.get('k', 1)`, `l.append(x)`, `'{}-{}'.format(a, b)`...
 *
 * @module
 */
import { pyError } from "./error.ts";
import { printf, strFormat } from "./format.ts";
import {
  chars,
  contains,
  defined,
  dictKey,
  eq,
  isDict,
  isInt,
  isTuple,
  iterate,
  len,
  namedField,
  num,
  PyFloat,
  PyObject,
  repr,
  str,
  tuple,
  typeName,
  Undefined,
} from "./py.ts";
import { type Kw, type PyFn, pyfn } from "./signature.ts";

type Methods = Record<string, (self: never) => PyFn>;

const WS =
  " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function isSpace(ch: string): boolean {
  return WS.includes(ch);
}

/** Python `str.strip(chars)` family. */
export function pyStrip(s: string, set: unknown, left: boolean, right: boolean): string {
  const cs = set === null || set === undefined ? null : chars(str(set));
  const inSet = (ch: string) => (cs === null ? isSpace(ch) : cs.includes(ch));
  const a = chars(s);
  let i = 0;
  let j = a.length;
  if (left) { while (i < j && inSet(a[i]!)) i++; }
  if (right) { while (j > i && inSet(a[j - 1]!)) j--; }
  return a.slice(i, j).join("");
}

/** Python `str.split(sep, maxsplit)`. */
export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let i = 0;
    const a = chars(s);
    while (i < a.length) {
      while (i < a.length && isSpace(a[i]!)) i++;
      if (i >= a.length) break;
      if (maxsplit >= 0 && out.length >= maxsplit) {
        let rest = a.slice(i).join("");
        rest = pyStrip(rest, null, false, true);
        out.push(rest);
        return out;
      }
      let j = i;
      while (j < a.length && !isSpace(a[j]!)) j++;
      out.push(a.slice(i, j).join(""));
      i = j;
    }
    return out;
  }
  const sp = str(sep);
  if (sp === "") throw pyError("ValueError", "empty separator");
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

function pyRsplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  if (sep === null || sep === undefined) {
    const rev = pySplit([...s].reverse().join(""), null, maxsplit);
    return rev.map((p) => [...p].reverse().join("")).reverse();
  }
  const sp = str(sep);
  if (sp === "") throw pyError("ValueError", "empty separator");
  const parts = s.split(sp);
  if (parts.length <= maxsplit + 1) return parts;
  const cut = parts.length - maxsplit;
  return [parts.slice(0, cut).join(sp), ...parts.slice(cut)];
}

// deno-lint-ignore no-control-regex
const LINE_BREAKS = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;

/** Python `str.splitlines(keepends)`. */
export function pySplitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(LINE_BREAKS)) {
    out.push(s.slice(last, keepends ? m.index! + m[0].length : m.index));
    last = m.index! + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

function isCased(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

/** Python `str.title()`. */
export function pyTitle(s: string): string {
  let out = "";
  let prevCased = false;
  for (const ch of s) {
    if (isCased(ch)) {
      out += prevCased ? ch.toLowerCase() : ch.toUpperCase();
      prevCased = true;
    } else {
      out += ch;
      prevCased = /\p{L}/u.test(ch);
    }
  }
  return out;
}

/** Python `str.capitalize()`. */
export function pyCapitalize(s: string): string {
  const a = chars(s);
  if (!a.length) return s;
  return a[0]!.toUpperCase() + a.slice(1).join("").toLowerCase();
}

function bounds(s: string, start: unknown, end: unknown): [string, number] {
  const a = chars(s);
  const n = a.length;
  const norm = (v: unknown, d: number) => {
    if (v === null || v === undefined) return d;
    let i = num(v) ?? d;
    if (i < 0) i += n;
    return Math.min(Math.max(i, 0), n);
  };
  const b = norm(start, 0);
  const e = norm(end, n);
  return [a.slice(b, Math.max(b, e)).join(""), b];
}

function affix(name: string, test: (s: string, x: string) => boolean) {
  return (self: string) =>
    pyfn(name, "prefix, start=None, end=None", (prefix, start, end) => {
      const [sub] = bounds(self, start, end);
      if (isTuple(prefix) || Array.isArray(prefix)) {
        return prefix.some((p) => test(sub, str(p)));
      }
      if (typeof prefix !== "string") {
        throw pyError(
          "TypeError",
          `${name} first arg must be str or a tuple of str, not ${typeName(prefix)}`,
        );
      }
      return test(sub, prefix);
    });
}

function cpIndex(s: string, unitIndex: number): number {
  return unitIndex < 0 ? -1 : Array.from(s.slice(0, unitIndex)).length;
}

function finder(name: string, fromRight: boolean, raise: boolean) {
  return (self: string) =>
    pyfn(name, "sub, start=None, end=None", (sub, start, end) => {
      const [hay, off] = bounds(self, start, end);
      const u = fromRight ? hay.lastIndexOf(str(sub)) : hay.indexOf(str(sub));
      if (u < 0) {
        if (raise) throw pyError("ValueError", "substring not found");
        return -1;
      }
      return off + cpIndex(hay, u);
    });
}

const STR_METHODS: Methods = {
  upper: (s: string) => pyfn("upper", "", () => s.toUpperCase()),
  lower: (s: string) => pyfn("lower", "", () => s.toLowerCase()),
  casefold: (s: string) => pyfn("casefold", "", () => s.toLowerCase()),
  swapcase: (s: string) =>
    pyfn(
      "swapcase",
      "",
      () => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
    ),
  title: (s: string) => pyfn("title", "", () => pyTitle(s)),
  capitalize: (s: string) => pyfn("capitalize", "", () => pyCapitalize(s)),
  strip: (s: string) => pyfn("strip", "chars=None", (c) => pyStrip(s, c, true, true)),
  lstrip: (s: string) => pyfn("lstrip", "chars=None", (c) => pyStrip(s, c, true, false)),
  rstrip: (s: string) => pyfn("rstrip", "chars=None", (c) => pyStrip(s, c, false, true)),
  split: (s: string) =>
    pyfn("split", "sep=None, maxsplit=-1", (sep, max) => pySplit(s, sep, num(max) ?? -1)),
  rsplit: (s: string) =>
    pyfn("rsplit", "sep=None, maxsplit=-1", (sep, max) => pyRsplit(s, sep, num(max) ?? -1)),
  splitlines: (s: string) =>
    pyfn("splitlines", "keepends=False", (k) => pySplitlines(s, Boolean(k))),
  startswith: affix("startswith", (s, x) => s.startsWith(x)),
  endswith: affix("endswith", (s, x) => s.endsWith(x)),
  find: finder("find", false, false),
  rfind: finder("rfind", true, false),
  index: finder("index", false, true),
  rindex: finder("rindex", true, true),
  count: (s: string) =>
    pyfn("count", "sub, start=None, end=None", (sub, start, end) => {
      const [hay] = bounds(s, start, end);
      const x = str(sub);
      if (x === "") return len(hay) + 1;
      return hay.split(x).length - 1;
    }),
  replace: (s: string) =>
    pyfn("replace", "old, new, count=-1", (old, neu, count) => {
      const o = str(old);
      const n = str(neu);
      const c = num(count) ?? -1;
      if (c < 0) return o === "" ? chars(s).join(n).replace(/^/, n) + n : s.split(o).join(n);
      let out = s;
      let at = 0;
      for (let i = 0; i < c; i++) {
        const k = out.indexOf(o, at);
        if (k < 0) break;
        out = out.slice(0, k) + n + out.slice(k + o.length);
        at = k + n.length + (o === "" ? 1 : 0);
      }
      return out;
    }),
  join: (s: string) =>
    pyfn("join", "iterable", (it) =>
      iterate(it).map((x, i) => {
        if (typeof x !== "string") {
          throw pyError(
            "TypeError",
            `sequence item ${i}: expected str instance, ${typeName(x)} found`,
          );
        }
        return x;
      }).join(s)),
  format: (s: string) =>
    ((args: unknown[], kw: Kw) => strFormat(s, args, kw, getattr, getitem)) as PyFn,
  format_map: (s: string) =>
    pyfn("format_map", "mapping", (m) => strFormat(s, [], m as Kw, getattr, getitem)),
  center: (s: string) =>
    pyfn("center", "width, fillchar=' '", (w, f) => {
      const n = len(s);
      const width = num(w) ?? 0;
      if (width <= n) return s;
      const total = width - n;
      const left = Math.floor(total / 2) + (total & width & 1);
      return str(f).repeat(left) + s + str(f).repeat(total - left);
    }),
  ljust: (s: string) =>
    pyfn(
      "ljust",
      "width, fillchar=' '",
      (w, f) => s + str(f).repeat(Math.max(0, (num(w) ?? 0) - len(s))),
    ),
  rjust: (s: string) =>
    pyfn(
      "rjust",
      "width, fillchar=' '",
      (w, f) => str(f).repeat(Math.max(0, (num(w) ?? 0) - len(s))) + s,
    ),
  zfill: (s: string) =>
    pyfn("zfill", "width", (w) => {
      const n = (num(w) ?? 0) - len(s);
      if (n <= 0) return s;
      const sign = s[0] === "+" || s[0] === "-" ? s[0] : "";
      return sign + "0".repeat(n) + s.slice(sign.length);
    }),
  partition: (s: string) =>
    pyfn("partition", "sep", (sep) => {
      const x = str(sep);
      const i = s.indexOf(x);
      return i < 0 ? tuple([s, "", ""]) : tuple([s.slice(0, i), x, s.slice(i + x.length)]);
    }),
  rpartition: (s: string) =>
    pyfn("rpartition", "sep", (sep) => {
      const x = str(sep);
      const i = s.lastIndexOf(x);
      return i < 0 ? tuple(["", "", s]) : tuple([s.slice(0, i), x, s.slice(i + x.length)]);
    }),
  removeprefix: (s: string) =>
    pyfn("removeprefix", "prefix", (p) => (s.startsWith(str(p)) ? s.slice(str(p).length) : s)),
  removesuffix: (s: string) =>
    pyfn("removesuffix", "suffix", (p) => {
      const x = str(p);
      return x && s.endsWith(x) ? s.slice(0, -x.length) : s;
    }),
  expandtabs: (s: string) =>
    pyfn("expandtabs", "tabsize=8", (t) => {
      const size = num(t) ?? 8;
      let col = 0;
      let out = "";
      for (const ch of s) {
        if (ch === "\t") {
          const n = size > 0 ? size - (col % size) : 0;
          out += " ".repeat(n);
          col += n;
        } else {
          out += ch;
          col = ch === "\n" || ch === "\r" ? 0 : col + 1;
        }
      }
      return out;
    }),
  isdigit: (s: string) => pyfn("isdigit", "", () => /^\p{Nd}+$/u.test(s)),
  isdecimal: (s: string) => pyfn("isdecimal", "", () => /^\p{Nd}+$/u.test(s)),
  isnumeric: (s: string) => pyfn("isnumeric", "", () => /^\p{N}+$/u.test(s)),
  isalpha: (s: string) => pyfn("isalpha", "", () => /^\p{L}+$/u.test(s)),
  isalnum: (s: string) => pyfn("isalnum", "", () => /^[\p{L}\p{N}]+$/u.test(s)),
  // deno-lint-ignore no-control-regex
  isascii: (s: string) => pyfn("isascii", "", () => /^[\x00-\x7f]*$/.test(s)),
  isspace: (s: string) => pyfn("isspace", "", () => s.length > 0 && [...s].every(isSpace)),
  islower: (s: string) => pyfn("islower", "", () => [...s].some(isCased) && s === s.toLowerCase()),
  isupper: (s: string) => pyfn("isupper", "", () => [...s].some(isCased) && s === s.toUpperCase()),
  istitle: (s: string) => pyfn("istitle", "", () => [...s].some(isCased) && pyTitle(s) === s),
  isidentifier: (s: string) => pyfn("isidentifier", "", () => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s)),
  isprintable: (s: string) =>
    pyfn("isprintable", "", () => !/[\p{C}\p{Z}]/u.test(s.replaceAll(" ", ""))),
  encode: (s: string) =>
    pyfn("encode", "encoding='utf-8', errors='strict'", () => new TextEncoder().encode(s)),
  __len__: (s: string) => pyfn("__len__", "", () => len(s)),
  __contains__: (s: string) => pyfn("__contains__", "x", (x) => contains(s, x)),
  __mod__: (s: string) => pyfn("__mod__", "args", (a) => printf(s, a)),
};

function listIndex(l: unknown[], i: unknown): number {
  const n = num(i);
  if (n === null || !Number.isInteger(n)) {
    throw pyError("TypeError", `list indices must be integers or slices, not ${typeName(i)}`);
  }
  return n < 0 ? n + l.length : n;
}

const LIST_METHODS: Methods = {
  append: (l: unknown[]) =>
    pyfn("append", "object", (x) => {
      l.push(x);
      return null;
    }),
  extend: (l: unknown[]) =>
    pyfn("extend", "iterable", (x) => {
      l.push(...iterate(x));
      return null;
    }),
  insert: (l: unknown[]) =>
    pyfn("insert", "index, object", (i, x) => {
      let k = num(i) ?? 0;
      if (k < 0) k = Math.max(0, k + l.length);
      l.splice(Math.min(k, l.length), 0, x);
      return null;
    }),
  pop: (l: unknown[]) =>
    pyfn("pop", "index=-1", (i) => {
      if (!l.length) throw pyError("IndexError", "pop from empty list");
      const k = listIndex(l, i);
      if (k < 0 || k >= l.length) throw pyError("IndexError", "pop index out of range");
      return l.splice(k, 1)[0];
    }),
  remove: (l: unknown[]) =>
    pyfn("remove", "value", (x) => {
      const k = l.findIndex((y) => eq(y, x));
      if (k < 0) throw pyError("ValueError", "list.remove(x): x not in list");
      l.splice(k, 1);
      return null;
    }),
  index: (l: unknown[]) =>
    pyfn("index", "value, start=0, stop=None", (x, start, stop) => {
      const end = stop === null ? l.length : num(stop)!;
      for (let i = num(start) ?? 0; i < end && i < l.length; i++) if (eq(l[i], x)) return i;
      throw pyError("ValueError", `${repr(x)} is not in list`);
    }),
  count: (l: unknown[]) => pyfn("count", "value", (x) => l.filter((y) => eq(y, x)).length),
  reverse: (l: unknown[]) =>
    pyfn("reverse", "", () => {
      l.reverse();
      return null;
    }),
  copy: (l: unknown[]) => pyfn("copy", "", () => [...l]),
  clear: (l: unknown[]) =>
    pyfn("clear", "", () => {
      l.splice(0);
      return null;
    }),
  sort: (l: unknown[]) =>
    pyfn("sort", "key=None, reverse=False", (_key, rev) => {
      const sorted = [...l].sort((a, b) => compareFn(a, b));
      if (rev) sorted.reverse();
      l.splice(0, l.length, ...sorted);
      return null;
    }),
  __len__: (l: unknown[]) => pyfn("__len__", "", () => l.length),
  __contains__: (l: unknown[]) => pyfn("__contains__", "x", (x) => contains(l, x)),
};

const TUPLE_METHODS: Methods = {
  index: LIST_METHODS.index!,
  count: LIST_METHODS.count!,
  __len__: LIST_METHODS.__len__!,
  __contains__: LIST_METHODS.__contains__!,
};

let compareFn: (a: unknown, b: unknown) => number = () => 0;
/** Installs the ordering used by `list.sort()` (py.compare; set by the runtime). */
export function setCompare(fn: (a: unknown, b: unknown) => number): void {
  compareFn = fn;
}

const DICT_METHODS: Methods = {
  items: (d: Record<string, unknown>) =>
    pyfn("items", "", () => Object.entries(d).map(([k, v]) => tuple([k, v]))),
  keys: (d: Record<string, unknown>) => pyfn("keys", "", () => Object.keys(d)),
  values: (d: Record<string, unknown>) => pyfn("values", "", () => Object.values(d)),
  get: (d: Record<string, unknown>) =>
    pyfn("get", "key, default=None", (k, dflt) => {
      const key = dictKey(k);
      return Object.hasOwn(d, key) ? d[key] : dflt;
    }),
  copy: (d: Record<string, unknown>) => pyfn("copy", "", () => ({ ...d })),
  update: (d: Record<string, unknown>) =>
    pyfn("update", "other=None, **kwargs", (other, kw) => {
      if (isDict(other)) Object.assign(d, other);
      else if (other !== null) {
        for (const pair of iterate(other)) {
          const [k, v] = iterate(pair);
          d[dictKey(k)] = v;
        }
      }
      Object.assign(d, kw);
      return null;
    }),
  pop: (d: Record<string, unknown>) =>
    ((args: unknown[], _kw: Kw) => {
      const key = dictKey(args[0]);
      if (Object.hasOwn(d, key)) {
        const v = d[key];
        delete d[key];
        return v;
      }
      if (args.length > 1) return args[1];
      throw pyError("KeyError", repr(args[0]));
    }) as PyFn,
  setdefault: (d: Record<string, unknown>) =>
    pyfn("setdefault", "key, default=None", (k, dflt) => {
      const key = dictKey(k);
      if (!Object.hasOwn(d, key)) d[key] = dflt;
      return d[key];
    }),
  popitem: (d: Record<string, unknown>) =>
    pyfn("popitem", "", () => {
      const keys = Object.keys(d);
      if (!keys.length) throw pyError("KeyError", "'popitem(): dictionary is empty'");
      const k = keys[keys.length - 1]!;
      const v = d[k];
      delete d[k];
      return tuple([k, v]);
    }),
  clear: (d: Record<string, unknown>) =>
    pyfn("clear", "", () => {
      for (const k of Object.keys(d)) delete d[k];
      return null;
    }),
  __len__: (d: Record<string, unknown>) => pyfn("__len__", "", () => Object.keys(d).length),
  __contains__: (d: Record<string, unknown>) => pyfn("__contains__", "x", (x) => contains(d, x)),
};

const FLOAT_METHODS: Methods = {
  is_integer: (n: number) => pyfn("is_integer", "", () => Number.isInteger(n)),
};

function method(table: Methods, self: unknown, name: string): PyFn | undefined {
  if (!Object.hasOwn(table, name)) return undefined;
  return (table[name] as (s: unknown) => PyFn)(self);
}

/** Python `getattr(obj, name)`, or `undefined` when there is no such attribute. */
function pyGetattr(obj: unknown, name: string): unknown {
  if (typeof obj === "string") return method(STR_METHODS, obj, name);
  if (Array.isArray(obj)) {
    if (isTuple(obj)) return namedField(obj, name) ?? method(TUPLE_METHODS, obj, name);
    return method(LIST_METHODS, obj, name);
  }
  if (isDict(obj)) return method(DICT_METHODS, obj, name);
  if (obj instanceof PyObject) return obj.getattr(name);
  if (typeof obj === "number" || obj instanceof PyFloat) {
    const n = num(obj)!;
    if (name === "real") return obj;
    if (name === "imag") return 0;
    if (!isInt(obj)) return method(FLOAT_METHODS, n, name);
    return undefined;
  }
  return undefined;
}

/** Python `obj[key]`, or `undefined` when the lookup fails (Jinja then tries the attribute). */
function pyGetitem(obj: unknown, key: unknown): unknown {
  if (Array.isArray(obj)) {
    const n = typeof key === "boolean" ? (key ? 1 : 0) : key;
    if (!isInt(n)) return undefined;
    const i = n < 0 ? n + obj.length : n;
    return i >= 0 && i < obj.length ? obj[i] : undefined;
  }
  if (isDict(obj)) {
    if (typeof key === "string") return Object.hasOwn(obj, key) ? obj[key] : undefined;
    if (key === null || key === undefined || typeof key === "object") return undefined;
    const k = dictKey(key);
    return Object.hasOwn(obj, k) ? obj[k] : undefined;
  }
  if (typeof obj === "string") {
    const n = typeof key === "boolean" ? (key ? 1 : 0) : key;
    if (!isInt(n)) return undefined;
    const a = chars(obj);
    const i = n < 0 ? n + a.length : n;
    return i >= 0 && i < a.length ? a[i] : undefined;
  }
  if (obj instanceof PyObject) {
    if (typeof key === "string") return obj.getattr(key);
  }
  return undefined;
}

/** Jinja's `environment.getattr` (`a.b`): attribute first, then item; a miss is Undefined. */
export function getattr(obj: unknown, name: string): unknown {
  if (obj instanceof Undefined) return obj;
  if (obj === undefined) return new Undefined(name);
  let v = pyGetattr(obj, name);
  if (v !== undefined) return v;
  v = pyGetitem(obj, name);
  if (v !== undefined) return v;
  return new Undefined(name, obj);
}

/** Jinja's `environment.getitem` (`a['b']`): item first, then attribute; a miss is Undefined. */
export function getitem(obj: unknown, key: unknown): unknown {
  if (obj instanceof Undefined) return obj;
  if (obj === undefined) return new Undefined(String(key));
  defined(key);
  let v = pyGetitem(obj, key);
  if (v !== undefined) return v;
  if (typeof key === "string") {
    v = pyGetattr(obj, key);
    if (v !== undefined) return v;
  }
  return new Undefined(key as string | number, obj);
}

/** Jinja's `attr` filter: the attribute only (no item fallback); a miss is Undefined. */
export function attrOnly(obj: unknown, name: string): unknown {
  if (obj instanceof Undefined) return obj;
  const v = pyGetattr(obj, name);
  return v !== undefined ? v : new Undefined(name, obj);
}
