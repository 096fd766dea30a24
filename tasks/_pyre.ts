/**
 * Python regular expressions on JavaScript's engine. Ansible's lineinfile, blockinfile and
 * replace take Python `re` syntax, so a pattern is translated to an equivalent `RegExp`:
 * `(?P<n>...)`, `(?P=n)`, `\A`, `\Z`, inline flags (`(?i)`, `(?ms)`, `(?x)` verbose, scoped
 * `(?i:...)`), Python's `^`/`$`/`.` (only `\n` ends a line; `$` also matches before a final
 * newline), `{,n}`, literal `{`/`}`/`]`, and Unicode `\w`/`\d`/`\b` for text patterns.
 * Replacement templates (`\1`, `\g<name>`, `\g<0>`, `\n`) follow `re.sub`/`Match.expand`.
 *
 * Byte patterns (lineinfile and blockinfile compile bytes) run on "binary strings": bytes
 * decoded as Latin-1, one char per byte, which gives Python's byte semantics exactly (`.` is one
 * byte, `\w` is ASCII) and round-trips any content, valid UTF-8 or not.
 *
 * @module
 */

/** Options for {@linkcode pyRegex}. */
export interface PyRegexOptions {
  /** `re.MULTILINE`: `^` and `$` match at every line. */
  readonly multiline?: boolean;
  /** `re.DOTALL`: `.` matches a newline too. */
  readonly dotall?: boolean;
  /** The pattern runs on a binary string (bytes as Latin-1): ASCII classes, as Python bytes. */
  readonly bytes?: boolean;
  /** Add JavaScript's `g` flag (for replacing every match). */
  readonly global?: boolean;
  /** Add JavaScript's `d` flag (group start and end indices). */
  readonly indices?: boolean;
}

/** A translated pattern, with the inline flags Python saw (`(?m)` changes blockinfile). */
export interface PyPattern {
  readonly regex: RegExp;
  readonly multiline: boolean;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

const WORD = "\\p{L}\\p{N}_";
const UNICODE_BOUNDARY = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const UNICODE_NON_BOUNDARY = `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
/** Characters that may follow a backslash in a `u`-mode RegExp outside a class. */
const SYNTAX = new Set("^$\\.*+?()[]{}|/");

/** Translates a Python pattern; throws an Error naming the problem for what JS cannot do. */
export function pyRegex(pattern: string, options: PyRegexOptions = {}): PyPattern {
  const t = new Translator(pattern, options);
  const source = t.translate();
  const flags = `u${t.global.i ? "i" : ""}${options.global ? "g" : ""}${
    options.indices ? "d" : ""
  }`;
  try {
    return { regex: new RegExp(source, flags), multiline: t.global.m };
  } catch (e) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${message(e)}`);
  }
}

class Translator {
  readonly global: Flags;
  #i = 0;
  readonly #p: string;
  readonly #bytes: boolean;

  constructor(pattern: string, options: PyRegexOptions) {
    this.#p = pattern;
    this.#bytes = options.bytes ?? false;
    this.global = {
      i: false,
      m: options.multiline ?? false,
      s: options.dotall ?? false,
      x: false,
      a: this.#bytes,
    };
  }

  #fail(what: string): never {
    throw new Error(
      `invalid regular expression ${JSON.stringify(this.#p)} at position ${this.#i}: ${what}`,
    );
  }

  translate(): string {
    // Global inline flags must come first in Python 3.11; they apply to the whole pattern.
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.#p.slice(this.#i));
      if (!m) break;
      for (const f of m[1]!) this.#setFlag(this.global, f, true);
      this.#i += m[0].length;
    }
    const out = this.#sequence({ ...this.global }, 0);
    if (this.#i < this.#p.length) this.#fail("unbalanced parenthesis");
    return out;
  }

  #setFlag(flags: Flags, f: string, on: boolean): void {
    if (f === "L") this.#fail("the L (locale) flag is not supported");
    if (f === "u") return;
    flags[f as keyof Flags] = on;
  }

  /** Translates until the closing `)` of the current group (not consumed) or the end. */
  #sequence(flags: Flags, depth: number): string {
    let out = "";
    const p = this.#p;
    while (this.#i < p.length) {
      const c = p[this.#i]!;
      if (c === ")") {
        if (depth === 0) this.#fail("unbalanced parenthesis");
        return out;
      }
      if (flags.x && /\s/.test(c)) {
        this.#i++;
        continue;
      }
      if (flags.x && c === "#") {
        while (this.#i < p.length && p[this.#i] !== "\n") this.#i++;
        continue;
      }
      this.#i++;
      switch (c) {
        case "\\":
          out += this.#escape(flags, false);
          break;
        case "[":
          out += this.#klass(flags);
          break;
        case "(":
          out += this.#group(flags, depth);
          break;
        case ".":
          out += flags.s ? "[\\s\\S]" : "[^\\n]";
          break;
        case "^":
          out += flags.m ? "(?<![^\\n])" : "(?<![\\s\\S])";
          break;
        case "$":
          out += flags.m ? "(?![^\\n])" : "(?=\\n?(?![\\s\\S]))";
          break;
        case "{":
          out += this.#brace();
          break;
        case "}":
        case "]":
          out += `\\${c}`;
          break;
        case "/":
          out += "\\/";
          break;
        default:
          out += c;
      }
    }
    return out;
  }

  /** `{` starts a quantifier only in the forms `{n}`, `{n,}`, `{,m}`, `{n,m}`; else a literal. */
  #brace(): string {
    const m = /^(\d*)(,?)(\d*)\}/.exec(this.#p.slice(this.#i));
    if (!m || (m[1] === "" && m[3] === "") || (m[2] === "" && m[3] !== "")) return "\\{";
    this.#i += m[0].length;
    return `{${m[1] || "0"}${m[2]}${m[3]}}`;
  }

  #group(flags: Flags, depth: number): string {
    const p = this.#p;
    const rest = p.slice(this.#i);
    let open = "(";
    const inner = { ...flags };
    if (rest.startsWith("?")) {
      let m: RegExpExecArray | null;
      if ((m = /^\?P<([A-Za-z_]\w*)>/.exec(rest))) {
        open = `(?<${m[1]}>`;
        this.#i += m[0].length;
      } else if ((m = /^\?P=([A-Za-z_]\w*)\)/.exec(rest))) {
        this.#i += m[0].length;
        return `\\k<${m[1]}>`;
      } else if (rest.startsWith("?#")) {
        const end = p.indexOf(")", this.#i);
        if (end < 0) this.#fail("missing ), unterminated comment");
        this.#i = end + 1;
        return "";
      } else if ((m = /^\?(?::|=|!|<=|<!)/.exec(rest))) {
        open = `(${m[0]}`;
        this.#i += m[0].length;
      } else if ((m = /^\?<([A-Za-z_]\w*)>/.exec(rest))) {
        // Python 3.11 does not accept (?<name>), but JS does; allow it.
        open = `(?<${m[1]}>`;
        this.#i += m[0].length;
      } else if ((m = /^\?([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest))) {
        for (const f of m[1]!) this.#setFlag(inner, f, true);
        for (const f of m[2] ?? "") this.#setFlag(inner, f, false);
        // Only case-insensitivity is JS's business; m, s, x and a are translated here.
        const on = m[1]!.includes("i") ? "i" : "";
        const off = m[2]?.includes("i") ? "-i" : "";
        open = on || off ? `(?${on}${off}:` : "(?:";
        this.#i += m[0].length;
      } else if (rest.startsWith("?>")) {
        this.#fail("atomic groups (?>...) are not supported");
      } else if (rest.startsWith("?(")) {
        this.#fail("conditional groups (?(id)yes|no) are not supported");
      } else if (/^\?[aiLmsux]+\)/.test(rest)) {
        this.#fail("global flags not at the start of the expression");
      } else {
        this.#fail("unknown extension");
      }
    }
    const body = this.#sequence(inner, depth + 1);
    if (p[this.#i] !== ")") this.#fail("missing ), unterminated subpattern");
    this.#i++;
    return `${open}${body})`;
  }

  /** A character class; `[` is consumed. */
  #klass(flags: Flags): string {
    const p = this.#p;
    let out = "[";
    if (p[this.#i] === "^") {
      out += "^";
      this.#i++;
    }
    // A `]` first in the set is a literal in Python.
    if (p[this.#i] === "]") {
      out += "\\]";
      this.#i++;
    }
    while (this.#i < p.length) {
      const c = p[this.#i++]!;
      if (c === "]") return `${out}]`;
      if (c === "\\") out += this.#escape(flags, true);
      else if (c === "[") out += "\\[";
      else out += c;
    }
    this.#fail("unterminated character set");
  }

  /** An escape; the backslash is consumed. */
  #escape(flags: Flags, inClass: boolean): string {
    const p = this.#p;
    const c = p[this.#i++];
    if (c === undefined) this.#fail("bad escape (end of pattern)");
    const ascii = flags.a;
    switch (c) {
      case "A":
        if (inClass) this.#fail("bad escape \\A");
        return "(?<![\\s\\S])";
      case "Z":
        if (inClass) this.#fail("bad escape \\Z");
        return "(?![\\s\\S])";
      case "b":
        if (inClass) return "\\x08";
        return ascii ? "\\b" : UNICODE_BOUNDARY;
      case "B":
        if (inClass) this.#fail("bad escape \\B");
        return ascii ? "\\B" : UNICODE_NON_BOUNDARY;
      case "d":
        return ascii ? "\\d" : "\\p{Nd}";
      case "D":
        return ascii ? "\\D" : "\\P{Nd}";
      case "w":
        return ascii ? "\\w" : inClass ? WORD : `[${WORD}]`;
      case "W":
        // Inside a set a negated Unicode class cannot be nested; the ASCII one is close.
        return ascii || inClass ? "\\W" : `[^${WORD}]`;
      case "s":
        return ascii ? (inClass ? " \\t\\n\\r\\f\\v" : "[ \\t\\n\\r\\f\\v]") : "\\s";
      case "S":
        return ascii && !inClass ? "[^ \\t\\n\\r\\f\\v]" : "\\S";
      case "n":
      case "r":
      case "t":
      case "f":
      case "v":
        return `\\${c}`;
      case "a":
        return "\\x07";
      case "x": {
        const m = /^[0-9a-fA-F]{2}/.exec(p.slice(this.#i));
        if (!m) this.#fail("incomplete escape \\x");
        this.#i += 2;
        return `\\x${m[0]}`;
      }
      case "u":
      case "U": {
        const n = c === "u" ? 4 : 8;
        const hex = p.slice(this.#i, this.#i + n);
        if (this.#bytes || !new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) {
          this.#fail(`bad escape \\${c}`);
        }
        this.#i += n;
        return `\\u{${hex.replace(/^0+(?=.)/, "")}}`;
      }
      case "N":
        this.#fail("named Unicode escapes \\N{...} are not supported");
    }
    if (c >= "0" && c <= "9") return this.#number(c, inClass);
    if (/[A-Za-z]/.test(c)) this.#fail(`bad escape \\${c}`);
    // Any other escaped char is itself; JS's `u` mode only allows escaping syntax chars.
    if (SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
    return c;
  }

  /** `\0`, octal `\012` and backreferences `\1`..`\99`, as sre_parse reads them. */
  #number(first: string, inClass: boolean): string {
    const p = this.#p;
    const isOct = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "7";
    let digits = first;
    if (inClass || first === "0") {
      if (!isOct(first)) this.#fail(`bad escape \\${first}`);
      while (digits.length < 3 && isOct(p[this.#i])) digits += p[this.#i++];
      return octal(digits, (w) => this.#fail(w));
    }
    if (/[0-9]/.test(p[this.#i] ?? "")) {
      digits += p[this.#i++];
      if (isOct(digits[0]) && isOct(digits[1]) && isOct(p[this.#i])) {
        digits += p[this.#i++];
        return octal(digits, (w) => this.#fail(w));
      }
    }
    // A group reference; the group keeps JS from reading a following digit into the number.
    return `(?:\\${digits})`;
  }
}

function octal(digits: string, fail: (what: string) => never): string {
  const code = parseInt(digits, 8);
  if (code > 0o377) fail(`octal escape value \\${digits} outside of range 0-0o377`);
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One piece of a compiled replacement template. */
type Piece = string | { group: number | string };

/**
 * Compiles a Python replacement template (`re.sub`'s repl, `Match.expand`): `\1`..`\99`,
 * `\g<n>`, `\g<name>`, `\n` `\t` `\r` `\f` `\v` `\a` `\b` `\\`, octal `\0`/`\012`; other escapes
 * of non-letters stay as written, as in Python.
 */
export function pyTemplate(repl: string): (match: RegExpExecArray) => string {
  const pieces: Piece[] = [];
  let lit = "";
  const fail = (what: string): never => {
    throw new Error(`invalid replacement ${JSON.stringify(repl)}: ${what}`);
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== "\\") {
      lit += c;
      continue;
    }
    const n = repl[++i];
    if (n === undefined) fail("bad escape (end of pattern)");
    const simple: Record<string, string> = {
      n: "\n",
      r: "\r",
      t: "\t",
      f: "\f",
      v: "\v",
      a: "\x07",
      b: "\b",
      "\\": "\\",
    };
    if (n! in simple) {
      lit += simple[n!];
      continue;
    }
    let group: number | string | undefined;
    if (n === "g") {
      const m = /^<([^>]*)>/.exec(repl.slice(i + 1));
      if (!m) fail("missing < or > in \\g<...>");
      const name = m![1]!;
      if (name === "") fail("missing group name");
      if (/^\d+$/.test(name)) group = Number(name);
      else if (/^[A-Za-z_]\w*$/.test(name)) group = name;
      else fail(`bad character in group name ${JSON.stringify(name)}`);
      i += m![0].length;
    } else if (n === "0") {
      let digits = "0";
      while (digits.length < 3 && /[0-7]/.test(repl[i + 1] ?? "")) digits += repl[++i];
      lit += String.fromCharCode(parseInt(digits, 8));
      continue;
    } else if (/[1-9]/.test(n!)) {
      let digits = n!;
      if (/[0-9]/.test(repl[i + 1] ?? "")) {
        digits += repl[++i];
        if (/^[0-7]{2}$/.test(digits) && /[0-7]/.test(repl[i + 1] ?? "") && n! <= "7") {
          digits += repl[++i];
          lit += String.fromCharCode(parseInt(digits, 8));
          continue;
        }
      }
      group = Number(digits);
    } else if (/[A-Za-z]/.test(n!)) {
      fail(`bad escape \\${n}`);
    } else {
      lit += `\\${n}`;
      continue;
    }
    if (lit) pieces.push(lit);
    lit = "";
    pieces.push({ group: group! });
  }
  if (lit) pieces.push(lit);
  return (match) =>
    pieces.map((p) => {
      if (typeof p === "string") return p;
      const v = typeof p.group === "number" ? groupAt(match, p.group) : named(match, p.group);
      return v ?? "";
    }).join("");
}

function groupAt(match: RegExpExecArray, n: number): string | undefined {
  if (n >= match.length) throw new Error(`invalid group reference ${n}`);
  return match[n];
}

function named(match: RegExpExecArray, name: string): string | undefined {
  if (!match.groups || !(name in match.groups)) throw new Error(`unknown group name '${name}'`);
  return match.groups[name];
}

/**
 * `re.subn(pattern, repl, text)`: replaces every match (Python 3.7+ empty-match rules, which
 * JavaScript shares) and counts them. `regex` must carry the `g` flag.
 */
export function pySub(regex: RegExp, repl: string, text: string): { text: string; count: number } {
  const expand = pyTemplate(repl);
  let count = 0;
  const out = text.replace(regex, (...args: unknown[]) => {
    count++;
    return expand(toMatch(args));
  });
  return { text: out, count };
}

/** Rebuilds a RegExpExecArray from `String.replace` callback arguments. */
function toMatch(args: unknown[]): RegExpExecArray {
  const hasGroups = typeof args[args.length - 1] === "object" && args[args.length - 1] !== null;
  const groups = hasGroups ? args[args.length - 1] as Record<string, string> : undefined;
  const end = hasGroups ? args.length - 3 : args.length - 2;
  const m = args.slice(0, end) as string[] as unknown as RegExpExecArray;
  m.index = args[end] as number;
  m.input = args[end + 1] as string;
  if (groups) m.groups = groups;
  return m;
}

/** Bytes as a binary string (one char per byte), the way byte patterns see them. */
export function toBinary(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return s;
}

/** A binary string back to bytes. */
export function fromBinary(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** UTF-8 text as a binary string (a pattern or line given as text, used on bytes). */
export function textToBinary(text: string): string {
  return toBinary(new TextEncoder().encode(text));
}
