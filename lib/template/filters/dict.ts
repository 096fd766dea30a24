/**
 * Ansible's dict filters: `combine` (with `recursive` and `list_merge`), `dict2items`,
 * `items2dict`, `extract`, `rekey_on_member`.
 *
 * @module
 */
import { getitem } from "../access.ts";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import type { Kw } from "../signature.ts";
import { builtin, builtinRaw, filterError } from "./_util.ts";
import { flatten } from "./list.ts";

const LIST_MERGE = ["replace", "keep", "append", "prepend", "append_rp", "prepend_rp"];

/** Ansible's `merge_hash(x, y, recursive, list_merge)`: y wins. */
export function mergeHash(
  x: Record<string, unknown>,
  y: Record<string, unknown>,
  recursive: boolean,
  listMerge: string,
): Record<string, unknown> {
  if (!LIST_MERGE.includes(listMerge)) {
    throw pyError(
      "AnsibleError",
      "merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'",
    );
  }
  for (const v of [x, y]) {
    if (!py.isDict(v)) {
      throw pyError(
        "AnsibleError",
        `failed to combine variables, expected dicts but got a '${py.typeName(x)}' and a '${
          py.typeName(y)
        }': \n${py.str(x)}\n${py.str(y)}`,
      );
    }
  }
  if (!Object.keys(x).length || py.eq(x, y)) return { ...y };
  const out: Record<string, unknown> = { ...x };
  if (!recursive && listMerge === "replace") return Object.assign(out, y);
  for (const [key, yv] of Object.entries(y)) {
    if (!Object.hasOwn(out, key)) {
      out[key] = yv;
      continue;
    }
    const xv = out[key];
    if (py.isDict(xv) && py.isDict(yv)) {
      out[key] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
      continue;
    }
    if (Array.isArray(xv) && !py.isTuple(xv) && Array.isArray(yv) && !py.isTuple(yv)) {
      switch (listMerge) {
        case "replace":
          out[key] = yv;
          break;
        case "append":
          out[key] = [...xv, ...yv];
          break;
        case "prepend":
          out[key] = [...yv, ...xv];
          break;
        case "append_rp":
          out[key] = [...xv.filter((z) => !yv.some((w) => py.eq(z, w))), ...yv];
          break;
        case "prepend_rp":
          out[key] = [...yv, ...xv.filter((z) => !yv.some((w) => py.eq(z, w)))];
          break;
      }
      continue;
    }
    out[key] = yv;
  }
  return out;
}

builtinRaw(
  "combine",
  ((args: unknown[], kw: Kw) => {
    const { recursive = false, list_merge = "replace", ...rest } = kw;
    if (Object.keys(rest).length) {
      filterError(
        "'recursive' and 'list_merge' are the only valid keyword arguments",
      );
    }
    const dicts = flatten(args, 1, true);
    for (const d of dicts) py.failOnUndefined(d);
    if (!dicts.length) return {};
    if (dicts.length === 1) return dicts[0];
    const rev = [...dicts].reverse();
    let result = rev[0] as Record<string, unknown>;
    for (const d of rev.slice(1)) {
      result = mergeHash(
        d as Record<string, unknown>,
        result,
        py.truthy(recursive),
        py.str(list_merge),
      );
    }
    return result;
  }) as never,
);

builtin(
  "dict2items",
  "mydict, key_name='key', value_name='value'",
  (d: unknown, k: unknown, v: unknown) => {
    if (!py.isDict(d)) {
      throw pyError(
        "AnsibleFilterTypeError",
        `dict2items requires a dictionary, got <class '${py.typeName(d)}'> instead.`,
      );
    }
    return Object.entries(d).map(([key, value]) => py.dictFrom([k, key, v, value]));
  },
);
builtin(
  "items2dict",
  "mylist, key_name='key', value_name='value'",
  (l: unknown, k: unknown, v: unknown) => {
    if (!Array.isArray(l)) {
      throw pyError(
        "AnsibleFilterTypeError",
        `items2dict requires a list, got <class '${py.typeName(l)}'> instead.`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const item of l) {
      if (!py.isDict(item)) {
        throw pyError(
          "AnsibleFilterTypeError",
          `items2dict requires a list of dictionaries, got ${py.repr(l)} instead.`,
        );
      }
      const kk = py.dictKey(k);
      const vk = py.dictKey(v);
      if (!Object.hasOwn(item, kk) || !Object.hasOwn(item, vk)) {
        throw pyError(
          "AnsibleFilterTypeError",
          `items2dict requires each dictionary in the list to contain the keys '${
            py.str(k)
          }' and '${py.str(v)}', got ${py.repr(l)} instead.`,
        );
      }
      out[py.dictKey(item[kk])] = item[vk];
    }
    return out;
  },
);
builtin(
  "extract",
  "item, container, morekeys=None",
  (item: unknown, container: unknown, more: unknown) => {
    const keys = more === null
      ? [item]
      : Array.isArray(more) && !py.isTuple(more)
      ? [item, ...more]
      : [item, more];
    let v = container;
    for (const k of keys) v = getitem(v, k);
    return v;
  },
  { undefinedOk: false },
);
builtin(
  "rekey_on_member",
  "data, key, duplicates='error'",
  (data: unknown, key: unknown, dup: unknown) => {
    if (dup !== "error" && dup !== "overwrite") {
      filterError(`duplicates parameter to rekey_on_member has unknown value: ${py.str(dup)}`);
    }
    let items: unknown[];
    if (py.isDict(data)) items = Object.values(data);
    else if (Array.isArray(data)) items = data;
    else throw pyError("AnsibleFilterTypeError", "Type is not a valid list, set, or dict");
    const out: Record<string, unknown> = {};
    for (const item of items) {
      if (!py.isDict(item)) {
        throw pyError(
          "AnsibleFilterTypeError",
          "List item is not a valid dict",
        );
      }
      const k = py.dictKey(key);
      if (!Object.hasOwn(item, k)) filterError(`Key ${py.str(key)} was not found`);
      const ke = py.dictKey(item[k]);
      if (Object.hasOwn(out, ke) && py.truthy(out[ke])) {
        if (dup === "error") {
          filterError(
            `Key ${py.str(item[k])} is not unique, cannot correctly turn into dict`,
          );
        }
        out[ke] = item;
      } else out[ke] = item;
    }
    return out;
  },
);
