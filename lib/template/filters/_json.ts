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

/**
 * Why Python's `json.loads` refuses `text`, in its words and position (`Expecting value: line 1
 * column 1 (char 0)`), or undefined when Python would accept it. Only the failure path calls
 * this: valid documents are parsed by `JSON.parse`.
 */
export function jsonDecodeError(text: string): string | undefined {
  const fail = (msg: string, pos: number): never => {
    const line = text.slice(0, pos).split("\n").length;
    const column = pos - text.lastIndexOf("\n", pos - 1);
    throw new JsonDecodeFailure(`${msg}: line ${line} column ${column} (char ${pos})`);
  };
  const ws = (i: number) => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
    return i;
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
  const WORDS = ["null", "true", "false", "NaN", "Infinity", "-Infinity"];
  /** Scans one value at i; returns its end, or -1 when there is no value there. */
  const value = (i: number): number => {
    const c = text[i];
    if (c === '"') return string(i + 1);
    if (c === "{") return object(i + 1);
    if (c === "[") return array(i + 1);
    for (const w of WORDS) if (text.startsWith(w, i)) return i + w.length;
    NUMBER.lastIndex = i;
    return NUMBER.test(text) ? NUMBER.lastIndex : -1;
  };
  const need = (i: number): number => {
    const end = value(i);
    return end < 0 ? fail("Expecting value", i) : end;
  };
  const string = (i: number): number => {
    const begin = i - 1;
    for (;;) {
      if (i >= text.length) fail("Unterminated string starting at", begin);
      const c = text[i]!;
      if (c === '"') return i + 1;
      if (c === "\\") {
        const esc = text[i + 1];
        if (esc === undefined) fail("Unterminated string starting at", begin);
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            fail("Invalid \\uXXXX escape", i + 1);
          }
          i += 6;
        } else if ('"\\/bfnrt'.includes(esc!)) i += 2;
        else fail("Invalid \\escape", i);
      } else if (c < " ") fail("Invalid control character at", i);
      else i++;
    }
  };
  const object = (i: number): number => {
    i = ws(i);
    if (text[i] === "}") return i + 1;
    for (;;) {
      if (text[i] !== '"') fail("Expecting property name enclosed in double quotes", i);
      i = ws(string(i + 1));
      if (text[i] !== ":") fail("Expecting ':' delimiter", i);
      i = ws(need(ws(i + 1)));
      if (text[i] === "}") return i + 1;
      if (text[i] !== ",") fail("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  };
  const array = (i: number): number => {
    i = ws(i);
    if (text[i] === "]") return i + 1;
    for (;;) {
      i = ws(need(i));
      if (text[i] === "]") return i + 1;
      if (text[i] !== ",") fail("Expecting ',' delimiter", i);
      i = ws(i + 1);
    }
  };
  try {
    const end = ws(need(ws(0)));
    if (end !== text.length) fail("Extra data", end);
    return undefined;
  } catch (e) {
    if (e instanceof JsonDecodeFailure) return e.message;
    throw e;
  }
}

class JsonDecodeFailure extends Error {}
