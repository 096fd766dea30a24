/**
 * Python `re` patterns translated to JS RegExp (Unicode mode): named groups `(?P<n>...)`,
 * backreferences `(?P=n)`, inline flags `(?i)`, `(?m)`, `(?s)`, `(?x)`, `\A`, `\Z`, Unicode
 * `\d`/`\w`/`\b`, Python's `$` (also before a final newline) and `.` (not `\r`), lax escapes and
 * literal braces; and `re.sub` replacement templates (`\1`, `\g<name>`).
 *
 * @module
 */
import { pyError } from "./error.ts";

/** Flags as Python's `re` knows them. */
export interface PyFlags {
  ignorecase?: boolean;
  multiline?: boolean;
  dotall?: boolean;
  verbose?: boolean;
}

const SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));
const WORD = "\\p{L}\\p{N}_";
const cache = new Map<string, RegExp>();

function stripVerbose(p: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === "\\") {
      out += ch + (p[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (ch === "#") {
      while (i < p.length && p[i] !== "\n") i++;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Translates a Python pattern; returns the JS source and flags. */
export function translate(pattern: string, flags: PyFlags = {}): { source: string; flags: string } {
  const f = { ...flags };
  // Global inline flags at the start: (?imsx)
  let p = pattern;
  for (;;) {
    const m = /^\(\?([aiLmsux]+)\)/.exec(p);
    if (!m) break;
    for (const c of m[1]!) {
      if (c === "i") f.ignorecase = true;
      else if (c === "m") f.multiline = true;
      else if (c === "s") f.dotall = true;
      else if (c === "x") f.verbose = true;
    }
    p = p.slice(m[0].length);
  }
  if (f.verbose) p = stripVerbose(p);
  let out = "";
  let inClass = false;
  let classStart = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === "\\") {
      const n = p[i + 1];
      if (n === undefined) throw pyError("error", "bad escape (end of pattern)");
      i++;
      switch (n) {
        case "d":
          out += "\\p{Nd}";
          break;
        case "D":
          out += "\\P{Nd}";
          break;
        case "w":
          out += inClass ? WORD : `[${WORD}]`;
          break;
        case "W":
          out += inClass ? "\\W" : `[^${WORD}]`;
          break;
        case "b":
          out += inClass ? "\\x08" : `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
          break;
        case "B":
          out += `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
          break;
        case "A":
          out += "(?<![\\s\\S])";
          break;
        case "Z":
          out += "(?![\\s\\S])";
          break;
        case "a":
          out += "\\x07";
          break;
        case "U": {
          const hex = p.slice(i + 1, i + 9);
          out += `\\u{${hex.replace(/^0+(?=.)/, "")}}`;
          i += 8;
          break;
        }
        case "x": {
          out += `\\x${p.slice(i + 1, i + 3)}`;
          i += 2;
          break;
        }
        case "u": {
          out += `\\u${p.slice(i + 1, i + 5)}`;
          i += 4;
          break;
        }
        case "0": {
          let oct = "";
          while (oct.length < 2 && /[0-7]/.test(p[i + 1] ?? "")) oct += p[++i];
          out += `\\x${parseInt(oct || "0", 8).toString(16).padStart(2, "0")}`;
          break;
        }
        case "s":
        case "S":
        case "n":
        case "t":
        case "r":
        case "f":
        case "v":
          out += `\\${n}`;
          break;
        default:
          if (/[1-9]/.test(n)) {
            let num = n;
            while (/[0-9]/.test(p[i + 1] ?? "") && num.length < 2) num += p[++i];
            out += inClass ? `\\x${parseInt(num, 8).toString(16).padStart(2, "0")}` : `\\${num}`;
          } else if (/[A-Za-z]/.test(n)) {
            throw pyError("error", `bad escape \\${n}`);
          } else if (SYNTAX.has(n) || (inClass && n === "-")) out += `\\${n}`;
          else out += n;
      }
      classStart = false;
      continue;
    }
    if (inClass) {
      if (ch === "]" && !classStart) {
        inClass = false;
        out += ch;
      } else if (ch === "]") out += "\\]";
      else if (ch === "^" && out.endsWith("[")) {
        out += ch;
        continue;
      } else if (ch === "[") out += "\\[";
      else out += ch;
      classStart = false;
      continue;
    }
    switch (ch) {
      case "[":
        inClass = true;
        classStart = true;
        out += ch;
        break;
      case "(": {
        if (p.startsWith("(?P<", i)) {
          out += "(?<";
          i += 3;
        } else if (p.startsWith("(?P=", i)) {
          const end = p.indexOf(")", i);
          out += `\\k<${p.slice(i + 4, end)}>`;
          i = end;
        } else if (p.startsWith("(?#", i)) {
          i = p.indexOf(")", i);
        } else out += ch;
        break;
      }
      case ".":
        out += f.dotall ? "[\\s\\S]" : "[^\\n]";
        break;
      case "$":
        out += f.multiline ? "(?=\\n|(?![\\s\\S]))" : "(?=\\n?(?![\\s\\S]))";
        break;
      case "^":
        out += f.multiline ? "(?<=\\n|(?<![\\s\\S]))" : "(?<![\\s\\S])";
        break;
      case "{": {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(p.slice(i));
        if (m && (m[1] || m[3])) {
          out += `{${m[1] || "0"}${m[2]}${m[3]}}`;
          i += m[0].length - 1;
        } else out += "\\{";
        break;
      }
      case "}":
        out += "\\}";
        break;
      case "]":
        out += "\\]";
        break;
      case "/":
        out += "\\/";
        break;
      default:
        out += ch;
    }
  }
  let jsFlags = "u";
  if (f.ignorecase) jsFlags += "i";
  return { source: out, flags: jsFlags };
}

/** Compiles a Python pattern to a RegExp (cached); `extra` adds JS flags like `g` or `y`. */
export function compile(pattern: string, flags: PyFlags = {}, extra = ""): RegExp {
  const key = `${flags.ignorecase ? "i" : ""}${flags.multiline ? "m" : ""}${
    flags.dotall ? "s" : ""
  }${flags.verbose ? "x" : ""}${extra}\0${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  const t = translate(pattern, flags);
  try {
    re = new RegExp(t.source, t.flags + extra);
  } catch (e) {
    throw pyError(
      "error",
      `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    );
  }
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

/** Python `re.match` (anchored at the start). */
export function pyMatch(pattern: string, s: string, flags: PyFlags = {}): RegExpExecArray | null {
  const re = compile(pattern, flags, "y");
  re.lastIndex = 0;
  return re.exec(s);
}

/** Python `re.search`. */
export function pySearch(pattern: string, s: string, flags: PyFlags = {}): RegExpExecArray | null {
  const re = compile(pattern, flags);
  return re.exec(s);
}

/** Expands a Python `re.sub` replacement template for one match. */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const n = template[i + 1];
    if (n === undefined) throw pyError("error", "bad escape (end of pattern)");
    i++;
    if (n === "g") {
      const end = template.indexOf(">", i);
      if (template[i + 1] !== "<" || end < 0) throw pyError("error", "missing <");
      const ref = template.slice(i + 2, end);
      i = end;
      out += group(m, /^\d+$/.test(ref) ? parseInt(ref, 10) : ref);
    } else if (/[0-9]/.test(n)) {
      let num = n;
      if (/[0-9]/.test(template[i + 1] ?? "")) num += template[++i];
      out += group(m, parseInt(num, 10));
    } else {
      const map: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        f: "\f",
        v: "\v",
        a: "\x07",
        b: "\b",
        "\\": "\\",
      };
      if (n in map) out += map[n];
      else if (/[A-Za-z]/.test(n)) throw pyError("error", `bad escape \\${n}`);
      else out += `\\${n}`;
    }
  }
  return out;
}

function group(m: RegExpExecArray, ref: number | string): string {
  if (typeof ref === "number") {
    if (ref >= m.length) throw pyError("error", `invalid group reference ${ref}`);
    return m[ref] ?? "";
  }
  if (!m.groups || !(ref in m.groups)) throw pyError("IndexError", `unknown group name '${ref}'`);
  return m.groups[ref] ?? "";
}

/** Python `re.sub(pattern, repl, s, count)`. */
export function pySub(
  pattern: string,
  repl: string,
  s: string,
  count = 0,
  flags: PyFlags = {},
): string {
  const re = compile(pattern, flags, "g");
  re.lastIndex = 0;
  let out = "";
  let last = 0;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (count > 0 && n >= count) break;
    out += s.slice(last, m.index) + expandTemplate(repl, m);
    last = m.index + m[0].length;
    n++;
    if (m[0] === "") {
      // Python also tries an empty match right after a previous match; step one code point.
      if (re.lastIndex < s.length) {
        const cp = s.codePointAt(re.lastIndex)!;
        out += s.slice(re.lastIndex, re.lastIndex + (cp > 0xffff ? 2 : 1));
        re.lastIndex += cp > 0xffff ? 2 : 1;
      } else re.lastIndex++;
      last = re.lastIndex;
    }
  }
  return out + s.slice(Math.min(last, s.length));
}

/** Python `re.findall`: full matches, the one group, or tuples of groups. */
export function pyFindall(pattern: string, s: string, flags: PyFlags = {}): (string | string[])[] {
  const re = compile(pattern, flags, "g");
  re.lastIndex = 0;
  const out: (string | string[])[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? "");
    else out.push(m.slice(1).map((g) => g ?? ""));
    if (m[0] === "") re.lastIndex++;
  }
  return out;
}

/** Python `re.escape`. */
export function pyEscape(s: string): string {
  return s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
}
