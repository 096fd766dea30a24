/**
 * Python's `json.dumps` (what `to_json`, `to_nice_json` and `tojson` call), byte for byte:
 * separators, `ensure_ascii` escapes, `indent`, `sort_keys`, float repr (`2.0`, `1e+16`, `NaN`).
 *
 * @module
 */
import { pyError } from "../error.ts";
import * as py from "../py.ts";

/** Options of `json.dumps`. */
export interface JsonOptions {
  indent?: number | string | null;
  sortKeys?: boolean;
  separators?: [string, string];
  ensureAscii?: boolean;
  /** Converts values json cannot encode (Ansible's encoder: dates); return undefined to fail. */
  fallback?: (v: unknown) => unknown;
}

/** Encodes a string the way Python's json module does. */
export function jsonString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
    }
    if (c < 0x20 || (ensureAscii && c > 0x7e)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

function floatJson(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  return py.floatRepr(n);
}

function keyString(k: string): string {
  return k;
}

/** Python's `json.dumps(value, **options)`. */
export function jsonDumps(value: unknown, o: JsonOptions = {}): string {
  const indent = o.indent === null || o.indent === undefined
    ? null
    : typeof o.indent === "number"
    ? " ".repeat(o.indent)
    : o.indent;
  const [itemSep, keySep] = o.separators ?? (indent !== null ? [",", ": "] : [", ", ": "]);
  const ascii = o.ensureAscii ?? true;
  const enc = (v: unknown, level: number): string => {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "string") return jsonString(v, ascii);
    if (typeof v === "number") return py.intLike(v) ? py.intRepr(v) : floatJson(v);
    if (v instanceof py.PyFloat) return floatJson(v.value);
    if (v instanceof py.Undefined) v.fail();
    const nl = indent !== null ? `\n${indent.repeat(level + 1)}` : "";
    const close = indent !== null ? `\n${indent.repeat(level)}` : "";
    if (Array.isArray(v)) {
      if (!v.length) return "[]";
      return `[${nl}${v.map((x) => enc(x, level + 1)).join(itemSep + nl)}${close}]`;
    }
    if (py.isDict(v)) {
      let keys = Object.keys(v);
      if (!keys.length) return "{}";
      if (o.sortKeys) keys = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const parts = keys.map((k) =>
        `${jsonString(keyString(k), ascii)}${keySep}${enc(v[k], level + 1)}`
      );
      return `{${nl}${parts.join(itemSep + nl)}${close}}`;
    }
    const alt = o.fallback?.(v);
    if (alt !== undefined) return enc(alt, level);
    throw pyError("TypeError", `Object of type ${py.typeName(v)} is not JSON serializable`);
  };
  return enc(value, 0);
}
