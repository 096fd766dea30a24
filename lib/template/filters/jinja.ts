/**
 * Jinja2 3.1's builtin filters with Jinja's semantics (not nunjucks'): `map`, `select`,
 * `selectattr`, `sort`, `groupby`, `dictsort`, `batch`, `slice`, `round`, `int`, `float`, `join`,
 * `default`, `truncate`, `wordwrap`, `indent`, `center`, `format`, `tojson`, `items`, `xmlattr`,
 * `urlencode`, ... Results that Jinja yields as generators are lists, as Ansible unrolls them.
 *
 * @module
 */
import { pyRegex } from "../../pyregex.ts";
import { attrOnly, pyCapitalize, pySplitlines, pyStrip } from "../access.ts";
import { pyError } from "../error.ts";
import { printf } from "../format.ts";
import * as py from "../py.ts";
import { callFilter, callTest } from "../registry.ts";
import type { Kw } from "../signature.ts";
import { addFilter } from "../registry.ts";
import { jsonDumps } from "./_json.ts";
import {
  attrGetter,
  ignoreCase,
  jinja,
  multiAttrGetter,
  pyRound,
  sortBy,
  toFloatValue,
  withValue,
} from "./_util.ts";

const s = (v: unknown) => py.str(v);

jinja("abs", "x", (x: unknown) => {
  const n = py.num(x);
  if (n === null) throw pyError("TypeError", `bad operand type for abs(): '${py.typeName(x)}'`);
  return py.isFloat(x) ? py.toFloat(Math.abs(n)) : Math.abs(n);
});
jinja("attr", "obj, name", (obj: unknown, name: unknown) => attrOnly(obj, s(name)));
jinja("batch", "value, linecount, fill_with=None", (value: unknown, n: unknown, fill: unknown) => {
  const size = py.num(n)!;
  const out: unknown[][] = [];
  let tmp: unknown[] = [];
  for (const item of py.iterate(value)) {
    if (tmp.length === size) {
      out.push(tmp);
      tmp = [];
    }
    tmp.push(item);
  }
  if (tmp.length) {
    if (fill !== null && tmp.length < size) { while (tmp.length < size) tmp.push(fill); }
    out.push(tmp);
  }
  return out;
});
jinja("capitalize", "s", (v: unknown) => pyCapitalize(s(v)));
jinja("center", "value, width=80", (v: unknown, w: unknown) => {
  const str = s(v);
  const width = py.num(w) ?? 80;
  const n = py.len(str);
  if (width <= n) return str;
  const total = width - n;
  const left = Math.floor(total / 2) + (total & width & 1);
  return " ".repeat(left) + str + " ".repeat(total - left);
});
jinja(["length", "count"], "obj", (v: unknown) => py.len(v));
jinja(
  ["default", "d"],
  "value, default_value='', boolean=False",
  (v: unknown, dflt: unknown, boolean: unknown) =>
    (v instanceof py.Undefined || v === undefined) || (py.truthy(boolean) && !py.truthy(v))
      ? dflt
      : v,
  { undefinedOk: true },
);
jinja(
  "dictsort",
  "value, case_sensitive=False, by='key', reverse=False",
  (v: unknown, cs: unknown, by: unknown, rev: unknown) => {
    if (!py.isDict(v)) {
      throw pyError("AttributeError", `'${py.typeName(v)}' object has no attribute 'items'`);
    }
    const pos = by === "key" ? 0 : by === "value" ? 1 : -1;
    if (pos < 0) {
      throw pyError("FilterArgumentError", 'You can only sort by either "key" or "value"');
    }
    const items = Object.entries(v).map(([k, x]) => py.tuple([k, x]));
    return sortBy(items, (it) => (py.truthy(cs) ? it[pos] : ignoreCase(it[pos])), py.truthy(rev));
  },
);

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};
/** markupsafe's `escape()`. */
export function htmlEscape(v: string): string {
  return v.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
jinja(["escape", "e"], "s", (v: unknown) => (v === null ? "None" : htmlEscape(s(v))));
jinja("forceescape", "value", (v: unknown) => htmlEscape(s(v)));
jinja("filesizeformat", "value, binary=False", (v: unknown, binary: unknown) => {
  const bytes = toFloatValue(v);
  const base = py.truthy(binary) ? 1024 : 1000;
  const prefixes = py.truthy(binary)
    ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes === 1) return "1 Byte";
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    if (bytes < unit) return `${((base * bytes) / unit).toFixed(1)} ${prefixes[i]}`;
  }
  return `${((base * bytes) / unit).toFixed(1)} ${prefixes[prefixes.length - 1]}`;
});
jinja("first", "seq", (v: unknown) => {
  const items = py.iterate(v);
  return items.length
    ? items[0]
    : new py.Undefined(undefined, py.MISSING, "No first item, sequence was empty.");
});
jinja("last", "seq", (v: unknown) => {
  const items = py.iterate(v);
  return items.length
    ? items[items.length - 1]
    : new py.Undefined(undefined, py.MISSING, "No last item, sequence was empty.");
});
jinja("float", "value, default=0.0", (v: unknown, dflt: unknown) => {
  try {
    return py.toFloat(toFloatValue(v));
  } catch {
    return typeof dflt === "number" ? py.toFloat(dflt) : dflt;
  }
});
addFilter(
  "format",
  withValue("do_format", "value", (args, kw) => {
    const rest = args.slice(1);
    const hasKw = Object.keys(kw).length > 0;
    if (rest.length && hasKw) {
      throw pyError(
        "FilterArgumentError",
        "can't handle positional and keyword arguments at the same time",
      );
    }
    return printf(s(args[0]), hasKw ? { ...kw } : py.tuple(rest));
  }),
);
const GROUP_FIELDS = ["grouper", "list"];
jinja(
  "groupby",
  "value, attribute, default=None, case_sensitive=False",
  (v: unknown, attribute: unknown, dflt: unknown, cs: unknown) => {
    const expr = attrGetter(attribute, py.truthy(cs) ? undefined : ignoreCase, dflt);
    const sorted = sortBy(py.list(v), expr);
    const out: unknown[][] = [];
    let lastKey: unknown = undefined;
    let group: unknown[] | null = null;
    for (const item of sorted) {
      const k = expr(item);
      if (group === null || !py.eq(k, lastKey)) {
        group = [];
        out.push(py.namedTuple([k, group], GROUP_FIELDS));
        lastKey = k;
      }
      group.push(item);
    }
    if (!py.truthy(cs)) {
      const real = attrGetter(attribute, undefined, dflt);
      return out.map((t) => py.namedTuple([real((t[1] as unknown[])[0]), t[1]], GROUP_FIELDS));
    }
    return out;
  },
);
jinja(
  "indent",
  "s, width=4, first=False, blank=False",
  (v: unknown, width: unknown, first: unknown, blank: unknown) => {
    const indention = typeof width === "string" ? width : " ".repeat(py.num(width) ?? 4);
    const text = s(v) + "\n";
    let rv: string;
    if (py.truthy(blank)) rv = pySplitlines(text, false).join("\n" + indention);
    else {
      const lines = pySplitlines(text, false);
      rv = lines.shift() ?? "";
      if (lines.length) rv += "\n" + lines.map((l) => (l ? indention + l : l)).join("\n");
    }
    return py.truthy(first) ? indention + rv : rv;
  },
);
jinja("int", "value, default=0, base=10", (v: unknown, dflt: unknown, base: unknown) => {
  const b = py.num(base) ?? 10;
  if (typeof v === "string") {
    const t = v.trim().replaceAll("_", "");
    const prefixed = /^[-+]?0[xob]/i.test(t);
    const body = prefixed && (b === 0 || b === 16 || b === 8 || b === 2)
      ? t.replace(/^([-+]?)0[xob]/i, "$1")
      : t;
    const radix = b === 0
      ? (/^[-+]?0x/i.test(t) ? 16 : /^[-+]?0o/i.test(t) ? 8 : /^[-+]?0b/i.test(t) ? 2 : 10)
      : b;
    const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, radix);
    if (new RegExp(`^[-+]?[${digits}]+$`, "i").test(body)) return parseInt(body, radix);
    try {
      return Math.trunc(toFloatValue(v));
    } catch {
      return dflt;
    }
  }
  const n = py.num(v);
  if (n !== null && Number.isFinite(n)) return Math.trunc(n);
  return dflt;
});
jinja("join", "value, d='', attribute=None", (v: unknown, d: unknown, attribute: unknown) => {
  let items = py.iterate(v);
  if (attribute !== null) items = items.map(attrGetter(attribute));
  return items.map(py.str).join(s(d));
});
jinja("list", "value", (v: unknown) => py.list(v));
jinja("lower", "s", (v: unknown) => s(v).toLowerCase());
jinja("upper", "s", (v: unknown) => s(v).toUpperCase());
jinja("items", "value", (v: unknown) => {
  if (v instanceof py.Undefined) return [];
  if (!py.isDict(v)) throw pyError("TypeError", "Can only get item pairs from a mapping.");
  return Object.entries(v).map(([k, x]) => py.tuple([k, x]));
}, { undefinedOk: true });

function prepareMap(args: unknown[], kw: Kw): (item: unknown) => unknown {
  if (!args.length && "attribute" in kw) {
    const { attribute, default: dflt = null, ...rest } = kw;
    const extra = Object.keys(rest)[0];
    if (extra) throw pyError("FilterArgumentError", `Unexpected keyword argument '${extra}'`);
    return attrGetter(attribute, undefined, dflt);
  }
  if (!args.length) throw pyError("FilterArgumentError", "map requires a filter argument");
  const name = s(args[0]);
  const rest = args.slice(1);
  return (item) => callFilter(name, [item, ...rest], kw);
}
addFilter(
  "map",
  ((args: unknown[], kw: Kw) => {
    const value = args[0];
    if (!py.truthy(value)) return [];
    const fn = prepareMap(args.slice(1), kw);
    return py.iterate(value).map(fn);
  }) as never,
);

function selectOrReject(args: unknown[], kw: Kw, keep: boolean, lookupAttr: boolean): unknown[] {
  const value = args[0];
  if (!py.truthy(value)) return [];
  const rest = args.slice(1);
  let trans = (x: unknown) => x;
  let off = 0;
  if (lookupAttr) {
    if (!rest.length) throw pyError("FilterArgumentError", "Missing parameter for attribute name");
    trans = attrGetter(rest[0]);
    off = 1;
  }
  let test: (x: unknown) => boolean = py.truthy;
  if (rest.length > off) {
    const name = s(rest[off]);
    const targs = rest.slice(off + 1);
    test = (x) => callTest(name, [x, ...targs], kw);
  }
  return py.iterate(value).filter((item) => test(trans(item)) === keep);
}
addFilter("select", ((a: unknown[], kw: Kw) => selectOrReject(a, kw, true, false)) as never);
addFilter("reject", ((a: unknown[], kw: Kw) => selectOrReject(a, kw, false, false)) as never);
addFilter("selectattr", ((a: unknown[], kw: Kw) => selectOrReject(a, kw, true, true)) as never);
addFilter("rejectattr", ((a: unknown[], kw: Kw) => selectOrReject(a, kw, false, true)) as never);

function minMax(v: unknown, cs: unknown, attribute: unknown, want: number): unknown {
  const items = py.iterate(v);
  if (!items.length) {
    return new py.Undefined(undefined, py.MISSING, "No aggregated item, sequence was empty.");
  }
  const key = attrGetter(attribute, py.truthy(cs) ? undefined : ignoreCase);
  let best = items[0];
  let bestKey = key(best);
  for (const item of items.slice(1)) {
    const k = key(item);
    if (py.compare(k, bestKey) === want) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}
jinja(
  "min",
  "value, case_sensitive=False, attribute=None",
  (v: unknown, cs: unknown, a: unknown) => minMax(v, cs, a, -1),
);
jinja(
  "max",
  "value, case_sensitive=False, attribute=None",
  (v: unknown, cs: unknown, a: unknown) => minMax(v, cs, a, 1),
);

/** Python's `pprint.pformat(value)` (width 80, dict keys sorted). */
export function pformat(v: unknown, indent = 0, width = 80): string {
  const flat = sortedRepr(v);
  if (flat.length + indent <= width) return flat;
  if (Array.isArray(v) && v.length) {
    const [open, close] = py.isTuple(v) ? ["(", v.length === 1 ? ",)" : ")"] : ["[", "]"];
    const parts = v.map((x, i) =>
      pformat(x, indent + 1, width - (i === v.length - 1 ? close.length : 1))
    );
    return open + parts.join(",\n" + " ".repeat(indent + 1)) + close;
  }
  if (py.isDict(v) && Object.keys(v).length) {
    const keys = Object.keys(v).sort();
    const parts = keys.map((k, i) => {
      const kr = py.strRepr(k) + ": ";
      return kr + pformat(v[k], indent + 1 + kr.length, width - (i === keys.length - 1 ? 1 : 1));
    });
    return "{" + parts.join(",\n" + " ".repeat(indent + 1)) + "}";
  }
  return flat;
}
function sortedRepr(v: unknown): string {
  if (py.isDict(v)) {
    return `{${
      Object.keys(v).sort().map((k) => `${py.strRepr(k)}: ${sortedRepr(v[k])}`).join(", ")
    }}`;
  }
  if (Array.isArray(v)) {
    const inner = v.map(sortedRepr).join(", ");
    if (py.isTuple(v)) return v.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  return py.repr(v);
}
jinja("pprint", "value", (v: unknown) => pformat(v));
jinja(
  "replace",
  "s, old, new, count=None",
  (v: unknown, old: unknown, neu: unknown, count: unknown) => {
    const str = s(v);
    const o = s(old);
    const n = s(neu);
    const c = count === null ? -1 : py.num(count)!;
    if (c < 0) return o === "" ? n + py.chars(str).join(n) + n : str.split(o).join(n);
    let out = "";
    let rest = str;
    for (let i = 0; i < c; i++) {
      const k = rest.indexOf(o);
      if (k < 0) break;
      out += rest.slice(0, k) + n;
      rest = rest.slice(k + o.length);
    }
    return out + rest;
  },
);
jinja("reverse", "value", (v: unknown) => {
  if (typeof v === "string") return py.chars(v).reverse().join("");
  try {
    return [...py.iterate(v)].reverse();
  } catch {
    throw pyError("FilterArgumentError", "argument must be iterable");
  }
});
jinja(
  "round",
  "value, precision=0, method='common'",
  (v: unknown, precision: unknown, method: unknown) => {
    if (!["common", "ceil", "floor"].includes(s(method))) {
      throw pyError("FilterArgumentError", "method must be common, ceil or floor");
    }
    const x = py.num(v);
    if (x === null) {
      throw pyError(
        "TypeError",
        `type ${py.typeName(v)} doesn't define __round__ method`,
      );
    }
    const p = py.num(precision) ?? 0;
    if (method === "common") {
      if (py.isInt(v) || typeof v === "boolean") return p >= 0 ? x : pyRound(x, p);
      return py.toFloat(pyRound(x, p));
    }
    const f = method === "ceil" ? Math.ceil : Math.floor;
    return py.toFloat(f(x * 10 ** p) / 10 ** p);
  },
);
jinja("safe", "value", (v: unknown) => v);
jinja("slice", "value, slices, fill_with=None", (v: unknown, slices: unknown, fill: unknown) => {
  const seq = py.list(v);
  const n = py.num(slices)!;
  const per = Math.floor(seq.length / n);
  const extra = seq.length % n;
  let offset = 0;
  const out: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const start = offset + i * per;
    if (i < extra) offset += 1;
    const end = offset + (i + 1) * per;
    const tmp = seq.slice(start, end);
    if (fill !== null && i >= extra) tmp.push(fill);
    out.push(tmp);
  }
  return out;
});
jinja(
  "sort",
  "value, reverse=False, case_sensitive=False, attribute=None",
  (v: unknown, rev: unknown, cs: unknown, attribute: unknown) => {
    const key = multiAttrGetter(attribute, py.truthy(cs) ? undefined : ignoreCase);
    return sortBy(py.list(v), key, py.truthy(rev));
  },
);
jinja("string", "value", (v: unknown) => s(v));

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\xa0",
};
jinja("striptags", "value", (v: unknown) => {
  let t = s(v).replace(/<!--[\s\S]*?-->/g, "").replace(/<[^>]*>/g, "");
  t = t.split(/\s+/).filter(Boolean).join(" ");
  return t.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      return String.fromCodePoint(
        e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
      );
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
});
jinja(
  "sum",
  "iterable, attribute=None, start=0",
  (v: unknown, attribute: unknown, start: unknown) => {
    let items = py.iterate(v);
    if (attribute !== null) items = items.map(attrGetter(attribute));
    let acc = start;
    for (const x of items) acc = py.add(acc, x);
    return acc;
  },
);
jinja("title", "s", (v: unknown) =>
  s(v).split(/([-\s({[<]+)/).filter(Boolean).map((item) => {
    const cs = py.chars(item);
    return cs[0]!.toUpperCase() + cs.slice(1).join("").toLowerCase();
  }).join(""));
jinja(
  "trim",
  "value, chars=None",
  (v: unknown, chars: unknown) => pyStrip(s(v), chars, true, true),
);
jinja(
  "truncate",
  "s, length=255, killwords=False, end='...', leeway=None",
  (v: unknown, length: unknown, killwords: unknown, end: unknown, leeway: unknown) => {
    const str = s(v);
    const n = py.num(length)!;
    const e = s(end);
    const lw = leeway === null ? 5 : py.num(leeway)!;
    if (n < py.len(e)) throw pyError("AssertionError", `expected length >= ${py.len(e)}, got ${n}`);
    if (lw < 0) throw pyError("AssertionError", `expected leeway >= 0, got ${lw}`);
    const cs = py.chars(str);
    if (cs.length <= n + lw) return str;
    const head = cs.slice(0, n - py.len(e)).join("");
    if (py.truthy(killwords)) return head + e;
    const k = head.lastIndexOf(" ");
    return (k >= 0 ? head.slice(0, k) : head) + e;
  },
);

function urlQuote(v: unknown, forQs: boolean): string {
  const text = typeof v === "string" ? v : py.str(v);
  const bytes = new TextEncoder().encode(text);
  const safe = forQs ? "" : "/";
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9_.\-~]/.test(c) || safe.includes(c)) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return forQs ? out.replaceAll("%20", "+") : out;
}
jinja("urlencode", "value", (v: unknown) => {
  if (typeof v === "string" || !(Array.isArray(v) || py.isDict(v))) return urlQuote(v, false);
  const items = py.isDict(v) ? Object.entries(v) : v.map((p) => py.iterate(p));
  return items.map(([k, x]) => `${urlQuote(k, true)}=${urlQuote(x, true)}`).join("&");
});
jinja(
  "urlize",
  "value, trim_url_limit=None, nofollow=False, target=None, rel=None, extra_schemes=None",
  (v: unknown, limit: unknown, nofollow: unknown, target: unknown, rel: unknown) => {
    const relParts = new Set(rel === null ? [] : s(rel).split(/\s+/).filter(Boolean));
    if (py.truthy(nofollow)) relParts.add("nofollow");
    relParts.add("noopener");
    const relAttr = relParts.size ? ` rel="${htmlEscape([...relParts].sort().join(" "))}"` : "";
    const targetAttr = target !== null ? ` target="${htmlEscape(s(target))}"` : "";
    const trim = (
      x: string,
    ) => (limit !== null && x.length > py.num(limit)! ? `${x.slice(0, py.num(limit)!)}...` : x);
    const words = htmlEscape(s(v)).split(/(\s+)/);
    return words.map((word) => {
      let head = "";
      let middle = word;
      let tail = "";
      const lead = /^([(<]|&lt;)+/.exec(middle);
      if (lead) {
        head = lead[0];
        middle = middle.slice(lead[0].length);
      }
      const trail = /([)>.,\n]|&gt;)+$/.exec(middle);
      if (trail) {
        tail = trail[0];
        middle = middle.slice(0, trail.index);
      }
      if (
        /^(https?:\/\/|www\.)/.test(middle) ||
        /^[\w-]+(\.[\w-]+)*\.(com|org|net)(\/|$)/.test(middle)
      ) {
        const href = /^https?:\/\//.test(middle) ? middle : `https://${middle}`;
        middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      } else if (middle.startsWith("mailto:") && /^\S+@\w[\w.-]*\.\w+$/.test(middle.slice(7))) {
        middle = `<a href="${middle}">${middle.slice(7)}</a>`;
      } else if (
        middle.includes("@") && !middle.startsWith("www.") && !middle.includes(":") &&
        /^\S+@\w[\w.-]*\.\w+$/.test(middle)
      ) {
        middle = `<a href="mailto:${middle}">${middle}</a>`;
      }
      return head + middle + tail;
    }).join("");
  },
);
jinja("wordcount", "s", (v: unknown) => (s(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length);

const WS = "[\\t\\n\\x0b\\x0c\\r ]";
const WORDSEP = pyRegex(
  `(${WS}+|(?<=[\\w!"'&.,?])-{2,}(?=\\w)|[^\\t\\n\\x0b\\x0c\\r ]+?(?:-(?:(?<=[^\\d\\W]{2}-)|(?<=[^\\d\\W]-[^\\d\\W]-))(?=[^\\d\\W]-?[^\\d\\W])|(?=${WS}|\\Z)|(?<=[\\w!"'&.,?])(?=-{2,}\\w)))`,
);

/** Python's `textwrap.wrap` with Jinja's wordwrap settings. */
export function textwrap(
  text: string,
  width: number,
  breakLong: boolean,
  breakHyphens: boolean,
): string[] {
  const chunks = breakHyphens
    ? [...WORDSEP.finditer(text)].map((m) => m[0]).filter(Boolean)
    // deno-lint-ignore no-control-regex
    : text.split(/([\t\n\x0b\x0c\r ]+)/).filter(Boolean);
  const lines: string[] = [];
  chunks.reverse();
  const isWs = (c: string) => pyStrip(c, null, true, true) === "";
  while (chunks.length) {
    const cur: string[] = [];
    let curLen = 0;
    if (isWs(chunks[chunks.length - 1]!) && lines.length) chunks.pop();
    while (chunks.length) {
      const l = py.len(chunks[chunks.length - 1]!);
      if (curLen + l <= width) {
        cur.push(chunks.pop()!);
        curLen += l;
      } else break;
    }
    if (chunks.length && py.len(chunks[chunks.length - 1]!) > width) {
      const spaceLeft = width < 1 ? 1 : width - curLen;
      if (breakLong) {
        let end = spaceLeft;
        const chunk = py.chars(chunks[chunks.length - 1]!);
        if (breakHyphens && chunk.length > spaceLeft) {
          const hyphen = chunk.slice(0, spaceLeft).lastIndexOf("-");
          if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== "-")) end = hyphen + 1;
        }
        cur.push(chunk.slice(0, end).join(""));
        chunks[chunks.length - 1] = chunk.slice(end).join("");
      } else if (!cur.length) cur.push(chunks.pop()!);
    }
    if (cur.length && isWs(cur[cur.length - 1]!)) {
      curLen -= py.len(cur[cur.length - 1]!);
      cur.pop();
    }
    if (cur.length) lines.push(cur.join(""));
  }
  return lines;
}
jinja(
  "wordwrap",
  "s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True",
  (v: unknown, width: unknown, breakLong: unknown, wrapstring: unknown, hyph: unknown) => {
    const wrap = wrapstring === null ? "\n" : s(wrapstring);
    return pySplitlines(s(v), false).map((line) =>
      textwrap(line, py.num(width)!, py.truthy(breakLong), py.truthy(hyph)).join(wrap)
    ).join(wrap);
  },
);
jinja("xmlattr", "d, autospace=True", (d: unknown, autospace: unknown) => {
  if (!py.isDict(d)) {
    throw pyError("AttributeError", `'${py.typeName(d)}' object has no attribute 'items'`);
  }
  const items: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v instanceof py.Undefined) continue;
    if (/[\s/>=]/.test(k)) {
      throw pyError("ValueError", `Invalid character in attribute name: ${py.repr(k)}`);
    }
    items.push(`${htmlEscape(k)}="${htmlEscape(py.str(v))}"`);
  }
  const rv = items.join(" ");
  return py.truthy(autospace) && rv ? ` ${rv}` : rv;
});
jinja(
  "tojson",
  "value, indent=None",
  (v: unknown, indent: unknown) =>
    jsonDumps(v, {
      sortKeys: true,
      indent: indent === null ? null : (py.num(indent) ?? py.str(indent)),
    })
      .replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(
        /'/g,
        "\\u0027",
      ),
);
