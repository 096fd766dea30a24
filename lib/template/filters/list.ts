/**
 * Ansible's list and set filters: `flatten` (levels, skip_nulls), `unique` (Jinja's, case
 * insensitive by default), `union`, `intersect`, `difference`, `symmetric_difference`, `zip`,
 * `zip_longest`, `product`, `permutations`, `combinations`, `subelements`.
 *
 * @module
 */
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import type { Kw } from "../signature.ts";
import { attrGetter, builtin, builtinRaw, filterError, ignoreCase } from "./_util.ts";

function isSequence(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

/** Ansible's `flatten(mylist, levels=None, skip_nulls=True)`. */
export function flatten(list: unknown, levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const el of py.iterate(list)) {
    if (skipNulls && (el === null || el === "None" || el === "null")) continue;
    if (isSequence(el)) {
      if (levels === null) out.push(...flatten(el, null, skipNulls));
      else if (levels >= 1) out.push(...flatten(el, levels - 1, skipNulls));
      else out.push(el);
    } else out.push(el);
  }
  return out;
}
builtin(
  "flatten",
  "mylist, levels=None, skip_nulls=True",
  (l: unknown, levels: unknown, skip: unknown) =>
    flatten(l, levels === null ? null : Math.trunc(py.num(levels) ?? 0), py.truthy(skip)),
);

function uniqueList(items: unknown[], caseSensitive = true, attribute: unknown = null): unknown[] {
  const key = attrGetter(attribute, caseSensitive ? undefined : ignoreCase);
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    const k = key(item);
    if (Array.isArray(k) && !py.isTuple(k) || py.isDict(k)) {
      throw pyError("TypeError", `unhashable type: '${py.typeName(k)}'`);
    }
    if (!seen.some((x) => py.eq(x, k))) {
      seen.push(k);
      out.push(item);
    }
  }
  return out;
}
builtin(
  "unique",
  "a, case_sensitive=None, attribute=None",
  (a: unknown, cs: unknown, attribute: unknown) => {
    const items = py.list(a);
    try {
      return uniqueList(items, py.truthy(cs), attribute);
    } catch (e) {
      if (cs === false || attribute !== null) {
        filterError(
          "Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied",
        );
      }
      void e;
      const out: unknown[] = [];
      for (const x of items) if (!out.some((y) => py.eq(x, y))) out.push(x);
      return out;
    }
  },
);

const has = (list: unknown[], x: unknown) => list.some((y) => py.eq(x, y));
/** Ansible's fallback `unique` (exact, keeps order), used by the set filters on lists. */
function dedupe(items: unknown[]): unknown[] {
  try {
    return uniqueList(items, true);
  } catch {
    const out: unknown[] = [];
    for (const x of items) if (!has(out, x)) out.push(x);
    return out;
  }
}
builtin("intersect", "a, b", (a: unknown, b: unknown) => {
  const bb = py.iterate(b);
  return dedupe(py.iterate(a).filter((x) => has(bb, x)));
});
builtin("difference", "a, b", (a: unknown, b: unknown) => {
  const bb = py.iterate(b);
  return dedupe(py.iterate(a).filter((x) => !has(bb, x)));
});
builtin(
  "union",
  "a, b",
  (a: unknown, b: unknown) => dedupe(py.add(py.list(a), py.list(b)) as unknown[]),
);
builtin("symmetric_difference", "a, b", (a: unknown, b: unknown) => {
  const aa = py.iterate(a);
  const bb = py.iterate(b);
  const isect = dedupe(aa.filter((x) => has(bb, x)));
  return dedupe([...aa, ...bb]).filter((x) => !has(isect, x));
});

builtinRaw(
  "zip",
  ((args: unknown[], kw: Kw) => {
    if (Object.keys(kw).length) throw pyError("TypeError", "zip() takes no keyword arguments");
    const lists = args.map(py.iterate);
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(py.tuple(lists.map((l) => l[i])));
    return out;
  }) as never,
);
builtinRaw(
  "zip_longest",
  ((args: unknown[], kw: Kw) => {
    const fill = Object.hasOwn(kw, "fillvalue") ? kw.fillvalue : null;
    for (const k of Object.keys(kw)) {
      if (k !== "fillvalue") {
        throw pyError(
          "TypeError",
          `zip_longest() got an unexpected keyword argument '${k}'`,
        );
      }
    }
    const lists = args.map(py.iterate);
    const n = lists.length ? Math.max(...lists.map((l) => l.length)) : 0;
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(py.tuple(lists.map((l) => (i < l.length ? l[i] : fill))));
    return out;
  }) as never,
);
builtinRaw(
  "product",
  ((args: unknown[], kw: Kw) => {
    const repeat = Object.hasOwn(kw, "repeat") ? Math.trunc(py.num(kw.repeat) ?? 1) : 1;
    const pools: unknown[][] = [];
    for (let r = 0; r < repeat; r++) for (const a of args) pools.push(py.list(a));
    let result: unknown[][] = [[]];
    for (const pool of pools) {
      const next: unknown[][] = [];
      for (const x of result) for (const y of pool) next.push([...x, y]);
      result = next;
    }
    return result.map((r) => py.tuple(r));
  }) as never,
);
builtin("permutations", "iterable, r=None", (it: unknown, r: unknown) => {
  const pool = py.list(it);
  const n = pool.length;
  const k = r === null ? n : Math.trunc(py.num(r)!);
  const out: unknown[] = [];
  if (k > n) return out;
  const rec = (prefix: number[]) => {
    if (prefix.length === k) {
      out.push(py.tuple(prefix.map((i) => pool[i])));
      return;
    }
    for (let i = 0; i < n; i++) if (!prefix.includes(i)) rec([...prefix, i]);
  };
  rec([]);
  return out;
});
builtin("combinations", "iterable, r", (it: unknown, r: unknown) => {
  const pool = py.list(it);
  const k = Math.trunc(py.num(r)!);
  const out: unknown[] = [];
  const rec = (start: number, prefix: unknown[]) => {
    if (prefix.length === k) {
      out.push(py.tuple(prefix));
      return;
    }
    for (let i = start; i < pool.length; i++) rec(i + 1, [...prefix, pool[i]]);
  };
  if (k >= 0 && k <= pool.length) rec(0, []);
  return out;
});
builtin(
  "subelements",
  "obj, subelements, skip_missing=False",
  (obj: unknown, sub: unknown, skip: unknown) => {
    let elements: unknown[];
    if (py.isDict(obj)) elements = Object.values(obj);
    else if (Array.isArray(obj) && !py.isTuple(obj)) elements = [...obj];
    else filterError("obj must be a list of dicts or a nested dict");
    let path: unknown[];
    if (Array.isArray(sub)) path = [...sub];
    else if (typeof sub === "string") path = sub.split(".");
    else throw pyError("AnsibleFilterTypeError", "subelements must be a list or a string");
    const out: unknown[] = [];
    for (const el of elements!) {
      let values: unknown = el;
      let missing = false;
      for (const key of path) {
        if (py.isDict(values)) {
          const k = py.dictKey(key);
          if (!Object.hasOwn(values, k)) {
            if (py.truthy(skip)) {
              missing = true;
              break;
            }
            filterError(`could not find ${py.repr(key)} key in iterated item ${py.repr(values)}`);
          }
          values = values[k];
        } else {
          throw pyError(
            "AnsibleFilterTypeError",
            `the key ${py.str(key)} should point to a dictionary, got '${py.str(values)}'`,
          );
        }
      }
      if (missing) continue;
      if (!Array.isArray(values) || py.isTuple(values)) {
        throw pyError(
          "AnsibleFilterTypeError",
          `the key ${py.repr(path[path.length - 1])} should point to a list, got ${
            py.repr(values)
          }`,
        );
      }
      for (const v of values) out.push(py.tuple([el, v]));
    }
    return out;
  },
);
