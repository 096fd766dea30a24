/**
 * Python's `re` on JavaScript's engine, for everything that takes Python patterns: Ansible's
 * regex filters and tests, and the lineinfile, blockinfile and replace tasks.
 *
 * A pattern is translated to an equivalent `RegExp` (`u` mode): `(?P<n>...)`, `(?P=n)`, `\A`,
 * `\Z`, inline flags (`(?i)`, `(?ms)`, `(?x)` verbose, `(?a)`, scoped `(?i:...)`), Python's
 * `^`/`$`/`.` (only `\n` ends a line; `$` also matches before a final newline), `{,n}`, literal
 * `{`/`}`/`]`, Unicode `\w`/`\d`/`\s`/`\b` for text patterns, and Python's checks of group
 * references. Replacement templates (`\1`, `\g<name>`, `\g<0>`, `\n`, octal) follow
 * `re.sub`/`Match.expand`, including the check of group references against the pattern before
 * anything is replaced.
 *
 * Byte patterns run on "binary strings": bytes decoded as Latin-1, one char per byte, which gives
 * Python's byte semantics exactly (`.` is one byte, `\w` is ASCII) and round-trips any content,
 * valid UTF-8 or not ({@linkcode toBinary}, {@linkcode fromBinary}, {@linkcode textToBinary}).
 *
 * Not supported (an error says so): atomic groups `(?>...)`, conditionals `(?(1)a|b)`,
 * `\N{name}` and possessive quantifiers.
 *
 * @example
 * ```ts
 * pyRegex("(?P<k>\\w+)=(?P<v>\\w+)").sub("\\g<v>=\\g<k>", "a=1 b=2"); // "1=a 2=b"
 * ```
 *
 * @module
 */

/** Flags as Python's `re` knows them, and the form the RegExp takes. */
export interface PyRegexOptions {
  /** `re.IGNORECASE`. */
  readonly ignorecase?: boolean;
  /** `re.MULTILINE`: `^` and `$` match at every line. */
  readonly multiline?: boolean;
  /** `re.DOTALL`: `.` matches a newline too. */
  readonly dotall?: boolean;
  /** `re.VERBOSE`: white space and `#` comments outside classes are ignored. */
  readonly verbose?: boolean;
  /** `re.ASCII`: `\w`, `\d`, `\s`, `\b` are ASCII-only. */
  readonly ascii?: boolean;
  /** The pattern runs on a binary string (bytes as Latin-1): ASCII classes, as Python bytes. */
  readonly bytes?: boolean;
  /** Add JavaScript's `d` flag to {@linkcode PyPattern.regex} (group start and end indices). */
  readonly indices?: boolean;
}

/** A pattern or replacement template Python would refuse, or a template's unknown group. */
export class PyRegexError extends Error {
  /** Python's exception class: `error` (`re.error`) or `IndexError` (unknown group name). */
  readonly kind: "error" | "IndexError";
  /** Python's own message, e.g. `missing ), unterminated subpattern at position 0`. */
  readonly reason: string;

  /** `subject` names what was refused, e.g. `invalid regular expression "(x"`. */
  constructor(subject: string, reason: string, kind: "error" | "IndexError" = "error") {
    super(`${subject}: ${reason}`);
    this.name = "PyRegexError";
    this.kind = kind;
    this.reason = reason;
  }
}

/** A match: JavaScript's exec result (groups numbered as Python numbers them). */
export type PyMatch = RegExpExecArray;

/** A compiled replacement template: the text for one match. */
export type PyExpand = (match: PyMatch) => string;

/** The groups a template may refer to (absent: checked when a match is expanded). */
interface GroupInfo {
  readonly count: number;
  readonly names: ReadonlyMap<string, number>;
}

/** A compiled Python pattern, like Python's `re.Pattern`. */
export class PyPattern {
  /** The Python pattern as written. */
  readonly pattern: string;
  /** The translation, with flags `u`, `i` (ignorecase) and `d` (indices); never `g` or `y`. */
  readonly regex: RegExp;
  /** Whether `^`/`$` match at lines: the option or an inline `(?m)` (blockinfile reads it). */
  readonly multiline: boolean;
  /** The number of capturing groups. */
  readonly groups: number;
  /** Group names to numbers. */
  readonly groupindex: ReadonlyMap<string, number>;
  #global?: RegExp;
  #sticky?: RegExp;
  /** Templates compiled for this pattern, as Python's `re` caches them. */
  readonly #templates = new Map<string, PyExpand>();

  /** Use {@linkcode pyRegex}, which caches; this translates. */
  constructor(pattern: string, options: PyRegexOptions = {}) {
    const t = new Translator(pattern, options);
    const source = t.translate();
    const flags = `u${t.global.i ? "i" : ""}${options.indices ? "d" : ""}`;
    try {
      this.regex = new RegExp(source, flags);
    } catch (e) {
      // What Python accepts but JavaScript cannot express, or an error only JS checks.
      const why = e instanceof Error
        ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "")
        : e;
      throw new PyRegexError(`invalid regular expression ${JSON.stringify(pattern)}`, String(why));
    }
    this.pattern = pattern;
    this.multiline = t.global.m;
    this.groups = t.groups;
    this.groupindex = t.names;
  }

  /** `re.search`: the first match anywhere. */
  search(text: string): PyMatch | null {
    return this.regex.exec(text);
  }

  /** `re.match`: a match at the start of `text`. */
  match(text: string): PyMatch | null {
    this.#sticky ??= new RegExp(this.regex.source, `${this.regex.flags}y`);
    this.#sticky.lastIndex = 0;
    return this.#sticky.exec(text);
  }

  /** `re.finditer`: every match, with Python's (3.7+) rules for empty matches. */
  finditer(text: string): IterableIterator<PyMatch> {
    this.#global ??= new RegExp(this.regex.source, `${this.regex.flags}g`);
    return text.matchAll(this.#global);
  }

  /** `re.findall`: the full matches, the one group, or tuples of groups (`""` if unmatched). */
  findall(text: string): (string | string[])[] {
    const out: (string | string[])[] = [];
    this.#each(text, 0, (m) => {
      out.push(
        m.length === 1 ? m[0] : m.length === 2 ? m[1] ?? "" : m.slice(1).map((g) => g ?? ""),
      );
    });
    return out;
  }

  /** Compiles `repl` as Python does for this pattern: group references are checked now. */
  template(repl: string): PyExpand {
    let expand = this.#templates.get(repl);
    if (!expand) {
      expand = compileTemplate(repl, { count: this.groups, names: this.groupindex });
      if (this.#templates.size >= 32) this.#templates.clear();
      this.#templates.set(repl, expand);
    }
    return expand;
  }

  /**
   * Calls `fn` for each match (at most `max`, 0 = all), as `finditer` would find them, on the
   * shared global RegExp (cheaper than `matchAll`, which copies it; nothing here is async).
   */
  #each(text: string, max: number, fn: (m: PyMatch) => void): void {
    const re = this.#global ??= new RegExp(this.regex.source, `${this.regex.flags}g`);
    re.lastIndex = 0;
    let n = 0;
    let m: RegExpExecArray | null;
    while ((max === 0 || n < max) && (m = re.exec(text))) {
      n++;
      // An empty match: step one code point, as `matchAll` and Python do.
      if (m[0] === "") re.lastIndex += (text.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
      fn(m);
    }
    re.lastIndex = 0;
  }

  /** `re.subn`: `text` with matches replaced (at most `count`, 0 = all) and the count. */
  subn(
    repl: string,
    text: string,
    options: { count?: number } = {},
  ): { text: string; count: number } {
    const expand = this.template(repl);
    let out = "";
    let last = 0;
    let count = 0;
    this.#each(text, options.count ?? 0, (m) => {
      out += text.slice(last, m.index) + expand(m);
      last = m.index + m[0].length;
      count++;
    });
    return { text: out + text.slice(last), count };
  }

  /** `re.sub`: `text` with matches replaced (at most `count`, 0 = all). */
  sub(repl: string, text: string, options: { count?: number } = {}): string {
    return this.subn(repl, text, options).text;
  }
}

/** Compiled patterns, one map per combination of options (a bit each). */
const caches: Map<string, PyPattern>[] = [];

/**
 * `re.compile`: translates a Python pattern (cached). Throws {@linkcode PyRegexError} with
 * Python's message for what Python refuses, and for what JavaScript cannot do.
 */
export function pyRegex(pattern: string, options?: PyRegexOptions): PyPattern {
  const o = options ?? {};
  const bits = (o.ignorecase ? 1 : 0) | (o.multiline ? 2 : 0) | (o.dotall ? 4 : 0) |
    (o.verbose ? 8 : 0) | (o.ascii ? 16 : 0) | (o.bytes ? 32 : 0) | (o.indices ? 64 : 0);
  const cache = caches[bits] ??= new Map();
  let p = cache.get(pattern);
  if (!p) {
    p = new PyPattern(pattern, o);
    if (cache.size >= 500) cache.clear();
    cache.set(pattern, p);
  }
  return p;
}

/** `re.escape` (Python 3.7+: only the characters special in a pattern). */
export function pyEscape(text: string): string {
  return text.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
}

/**
 * Compiles a Python replacement template without its pattern (to check its syntax early): `\1`..
 * `\99`, `\g<n>`, `\g<name>`, `\n` `\t` `\r` `\f` `\v` `\a` `\b` `\\`, octal `\0`/`\012`; other
 * escapes of non-letters stay as written, as in Python. Group references are checked when a match
 * is expanded; {@linkcode PyPattern.template} checks them at once, as Python does.
 */
export function pyTemplate(repl: string): PyExpand {
  return compileTemplate(repl);
}

// -- The pattern translator ---------------------------------------------------------------------

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
/** Python's `str.isspace()` characters (JS `\s` differs at U+001C-1F, U+0085 and U+FEFF). */
const SPACE =
  "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const ASCII_SPACE = " \\t\\n\\r\\f\\v";
/** What verbose mode skips (Python's set, not JS's `\s`). */
const VERBOSE_SPACE = new Set(" \t\n\r\v\f");
/** Characters that may follow a backslash in a `u`-mode RegExp outside a class. */
const SYNTAX = new Set("^$\\.*+?()[]{}|/");
const IDENTIFIER = /^[_\p{ID_Start}]\p{ID_Continue}*$/u;
const isOct = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "7";
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9";

class Translator {
  readonly global: Flags;
  /** Capturing groups opened so far. */
  groups = 0;
  readonly names = new Map<string, number>();
  readonly #open = new Set<number>();
  #i = 0;
  readonly #p: string;
  readonly #bytes: boolean;

  constructor(pattern: string, options: PyRegexOptions) {
    this.#p = pattern;
    this.#bytes = options.bytes ?? false;
    this.global = {
      i: options.ignorecase ?? false,
      m: options.multiline ?? false,
      s: options.dotall ?? false,
      x: options.verbose ?? false,
      a: this.#bytes || (options.ascii ?? false),
    };
  }

  /** Python's message is `<what> at position <n>`. */
  #fail(what: string, at = this.#i): never {
    throw new PyRegexError(
      `invalid regular expression ${JSON.stringify(this.#p)}`,
      `${what} at position ${at}`,
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
      if (flags.x && VERBOSE_SPACE.has(c)) {
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
    if (!m || (m[1] === "" && m[3] === "")) return "\\{";
    this.#i += m[0].length;
    return `{${m[1] || "0"}${m[2]}${m[3]}}`;
  }

  /** A group name ending at `end`; `this.#i` is at its first character and moves past `end`. */
  #name(end: ">" | ")"): string {
    const at = this.#i;
    const stop = this.#p.indexOf(end, at);
    if (stop < 0) this.#fail(`missing ${end}, unterminated name`, at);
    const name = this.#p.slice(at, stop);
    if (name === "") this.#fail("missing group name", at);
    if (!IDENTIFIER.test(name)) this.#fail(`bad character in group name '${name}'`, at);
    this.#i = stop + 1;
    return name;
  }

  /** Opens capturing group number n (named, when `name` is given). */
  #capture(name?: string, at = this.#i): number {
    const n = ++this.groups;
    if (name !== undefined) {
      const was = this.names.get(name);
      if (was !== undefined) {
        this.#fail(`redefinition of group name '${name}' as group ${n}; was group ${was}`, at);
      }
      this.names.set(name, n);
    }
    this.#open.add(n);
    return n;
  }

  #group(flags: Flags, depth: number): string {
    const p = this.#p;
    const start = this.#i - 1;
    const rest = p.slice(this.#i);
    let open = "(";
    let capture: number | undefined;
    const inner = { ...flags };
    if (rest.startsWith("?P<")) {
      this.#i += 3;
      const at = this.#i;
      const name = this.#name(">");
      capture = this.#capture(name, at);
      open = `(?<${name}>`;
    } else if (rest.startsWith("?P=")) {
      this.#i += 3;
      const at = this.#i;
      const name = this.#name(")");
      const n = this.names.get(name);
      if (n === undefined) this.#fail(`unknown group name '${name}'`, at);
      if (this.#open.has(n)) this.#fail("cannot refer to an open group", at);
      return `\\k<${name}>`;
    } else if (rest.startsWith("?#")) {
      const end = p.indexOf(")", this.#i);
      if (end < 0) this.#fail("missing ), unterminated comment", start);
      this.#i = end + 1;
      return "";
    } else if (rest.startsWith("?")) {
      let m: RegExpExecArray | null;
      if ((m = /^\?(?::|=|!|<=|<!)/.exec(rest))) {
        open = `(${m[0]}`;
        this.#i += m[0].length;
      } else if ((m = /^\?<([A-Za-z_]\w*)>/.exec(rest))) {
        // Python 3.11 does not accept (?<name>), but JS does; allow it.
        this.#i += m[0].length;
        capture = this.#capture(m[1]!, start + 3);
        open = `(?<${m[1]}>`;
      } else if ((m = /^\?([aiLmsux]*)(?:-([imsx]+))?:/.exec(rest))) {
        for (const f of m[1]!) this.#setFlag(inner, f, true);
        for (const f of m[2] ?? "") this.#setFlag(inner, f, false);
        // Only case-insensitivity is JS's business; m, s, x and a are translated here.
        const on = m[1]!.includes("i") ? "i" : "";
        const off = m[2]?.includes("i") ? "-i" : "";
        open = on || off ? `(?${on}${off}:` : "(?:";
        this.#i += m[0].length;
      } else if (rest.startsWith("?>")) {
        this.#fail("atomic groups (?>...) are not supported", start);
      } else if (rest.startsWith("?(")) {
        this.#fail("conditional groups (?(id)yes|no) are not supported", start);
      } else if (/^\?[aiLmsux]+\)/.test(rest)) {
        this.#fail("global flags not at the start of the expression", start);
      } else {
        this.#fail(`unknown extension ?${rest[1] ?? ""}`, start + 1);
      }
    } else {
      capture = this.#capture();
    }
    const body = this.#sequence(inner, depth + 1);
    if (p[this.#i] !== ")") this.#fail("missing ), unterminated subpattern", start);
    this.#i++;
    if (capture !== undefined) this.#open.delete(capture);
    return `${open}${body})`;
  }

  /** A character class; `[` is consumed. */
  #klass(flags: Flags): string {
    const p = this.#p;
    const start = this.#i - 1;
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
    this.#fail("unterminated character set", start);
  }

  /** An escape; the backslash is consumed. */
  #escape(flags: Flags, inClass: boolean): string {
    const p = this.#p;
    const at = this.#i - 1;
    const c = p[this.#i++];
    if (c === undefined) this.#fail("bad escape (end of pattern)", at);
    const ascii = flags.a;
    const bad = (): never => this.#fail(`bad escape \\${c}`, at);
    switch (c) {
      case "A":
        if (inClass) bad();
        return "(?<![\\s\\S])";
      case "Z":
        if (inClass) bad();
        return "(?![\\s\\S])";
      case "b":
        if (inClass) return "\\x08";
        return ascii ? "\\b" : UNICODE_BOUNDARY;
      case "B":
        if (inClass) bad();
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
      case "s": {
        const set = ascii ? ASCII_SPACE : SPACE;
        return inClass ? set : `[${set}]`;
      }
      case "S":
        // Inside a set JS's `\S` stands in (it differs only at a few rare characters).
        return inClass ? "\\S" : `[^${ascii ? ASCII_SPACE : SPACE}]`;
      case "n":
      case "r":
      case "t":
      case "f":
      case "v":
        return `\\${c}`;
      case "a":
        return "\\x07";
      case "x": {
        const hex = /^[0-9a-fA-F]{0,2}/.exec(p.slice(this.#i))![0];
        if (hex.length < 2) this.#fail(`incomplete escape \\x${hex}`, at);
        this.#i += 2;
        return `\\x${hex}`;
      }
      case "u":
      case "U": {
        if (this.#bytes) bad();
        const n = c === "u" ? 4 : 8;
        const hex = new RegExp(`^[0-9a-fA-F]{0,${n}}`).exec(p.slice(this.#i))![0];
        if (hex.length < n) this.#fail(`incomplete escape \\${c}${hex}`, at);
        if (parseInt(hex, 16) > 0x10ffff) this.#fail(`bad escape \\${c}${hex}`, at);
        this.#i += n;
        return `\\u{${hex.replace(/^0+(?=.)/, "")}}`;
      }
      case "N":
        if (this.#bytes) bad();
        this.#fail("named Unicode escapes \\N{...} are not supported", at);
    }
    if (isDigit(c)) return this.#number(c, inClass, at);
    if (/[A-Za-z]/.test(c)) bad();
    // Any other escaped char is itself; JS's `u` mode only allows escaping syntax chars.
    if (SYNTAX.has(c) || (inClass && c === "-")) return `\\${c}`;
    return c;
  }

  /** `\0`, octal `\012` and backreferences `\1`..`\99`, as sre_parse reads them. */
  #number(first: string, inClass: boolean, at: number): string {
    const p = this.#p;
    let digits = first;
    if (inClass || first === "0") {
      if (!isOct(first)) this.#fail(`bad escape \\${first}`, at);
      while (digits.length < 3 && isOct(p[this.#i])) digits += p[this.#i++];
      return octal(digits, (w) => this.#fail(w, at));
    }
    if (isDigit(p[this.#i])) {
      digits += p[this.#i++];
      if (isOct(digits[0]) && isOct(digits[1]) && isOct(p[this.#i])) {
        digits += p[this.#i++];
        return octal(digits, (w) => this.#fail(w, at));
      }
    }
    const n = Number(digits);
    if (n > this.groups) this.#fail(`invalid group reference ${n}`, at + 1);
    if (this.#open.has(n)) this.#fail("cannot refer to an open group", at);
    // The group keeps JS from reading a following digit into the number.
    return `(?:\\${digits})`;
  }
}

function octal(digits: string, fail: (what: string) => never): string {
  const code = parseInt(digits, 8);
  if (code > 0o377) fail(`octal escape value \\${digits} outside of range 0-0o377`);
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

// -- Replacement templates ----------------------------------------------------------------------

/** The characters `\n`, `\t`, ... stand for in a template. */
const TEMPLATE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  f: "\f",
  v: "\v",
  a: "\x07",
  b: "\b",
  "\\": "\\",
};

/** One piece of a compiled template: literal text, a group number or (unchecked) a name. */
type Piece = string | number | { name: string };

/** Python's `sre_parse.parse_template`, with its messages and positions. */
function compileTemplate(repl: string, groups?: GroupInfo): PyExpand {
  const subject = `invalid replacement ${JSON.stringify(repl)}`;
  const fail = (what: string, at: number): never => {
    throw new PyRegexError(subject, `${what} at position ${at}`);
  };
  const pieces: Piece[] = [];
  let lit = "";
  const addGroup = (ref: number | string, at: number) => {
    if (typeof ref === "string" && groups) {
      const n = groups.names.get(ref);
      if (n === undefined) {
        throw new PyRegexError(subject, `unknown group name '${ref}'`, "IndexError");
      }
      ref = n;
    }
    if (typeof ref === "number" && groups && ref > groups.count) {
      fail(`invalid group reference ${ref}`, at);
    }
    if (lit) pieces.push(lit);
    lit = "";
    pieces.push(typeof ref === "number" ? ref : { name: ref });
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== "\\") {
      lit += c;
      continue;
    }
    const at = i;
    const n = repl[++i];
    if (n === undefined) fail("bad escape (end of pattern)", at);
    if (n === "g") {
      if (repl[i + 1] !== "<") fail("missing <", i + 1);
      const start = i + 2;
      const end = repl.indexOf(">", start);
      if (end < 0) fail("missing >, unterminated name", start);
      const name = repl.slice(start, end);
      if (name === "") fail("missing group name", start);
      i = end;
      if (IDENTIFIER.test(name)) addGroup(name, start);
      else if (/^[0-9]+$/.test(name)) addGroup(Number(name), start);
      else fail(`bad character in group name '${name}'`, start);
    } else if (n === "0") {
      let digits = "0";
      while (digits.length < 3 && isOct(repl[i + 1])) digits += repl[++i];
      lit += String.fromCharCode(parseInt(digits, 8));
    } else if (isDigit(n)) {
      let digits = n!;
      if (isDigit(repl[i + 1])) {
        digits += repl[++i];
        if (isOct(digits[0]) && isOct(digits[1]) && isOct(repl[i + 1])) {
          digits += repl[++i];
          const code = parseInt(digits, 8);
          if (code > 0o377) fail(`octal escape value \\${digits} outside of range 0-0o377`, at);
          lit += String.fromCharCode(code);
          continue;
        }
      }
      addGroup(Number(digits), at + 1);
    } else if (n! in TEMPLATE_ESCAPES) {
      lit += TEMPLATE_ESCAPES[n!];
    } else if (/[A-Za-z]/.test(n!)) {
      fail(`bad escape \\${n}`, at);
    } else {
      lit += `\\${n}`;
    }
  }
  if (lit) pieces.push(lit);
  return (match) => {
    let out = "";
    for (const p of pieces) {
      if (typeof p === "string") out += p;
      else if (typeof p === "number") {
        if (p >= match.length) throw new PyRegexError(subject, `invalid group reference ${p}`);
        out += match[p] ?? "";
      } else {
        if (!match.groups || !(p.name in match.groups)) {
          throw new PyRegexError(subject, `unknown group name '${p.name}'`, "IndexError");
        }
        out += match.groups[p.name] ?? "";
      }
    }
    return out;
  };
}

// -- Binary strings -----------------------------------------------------------------------------

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
