/**
 * A port of Jinja2 3.1's lexer, so whitespace control (`{%-`, `-%}`, `{%+`), `trim_blocks`,
 * `lstrip_blocks`, raw blocks, newline normalisation and Python string escapes behave exactly as
 * under Ansible. nunjucks' own lexer differs on each of these.
 *
 * @module
 */
import { TemplateError } from "./error.ts";

/** A token: Jinja's token types (`name`, `string`, `add`, `block_begin`...). */
export interface Token {
  readonly type: string;
  readonly value: string | number;
  readonly lineno: number;
  readonly col: number;
}

/** Lexer settings (the Jinja environment options that affect lexing). */
export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  newlineSequence: string;
  /** Jinja's keep_trailing_newline; Ansible leaves it off and restores newlines itself. */
  keepTrailingNewline?: boolean;
  name?: string;
}

const OPERATORS: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "/": "div",
  "//": "floordiv",
  "*": "mul",
  "%": "mod",
  "**": "pow",
  "~": "tilde",
  "[": "lbracket",
  "]": "rbracket",
  "(": "lparen",
  ")": "rparen",
  "{": "lbrace",
  "}": "rbrace",
  "==": "eq",
  "!=": "ne",
  ">": "gt",
  ">=": "gteq",
  "<": "lt",
  "<=": "lteq",
  "=": "assign",
  ".": "dot",
  ":": "colon",
  "|": "pipe",
  ",": "comma",
  ";": "semicolon",
};

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const OPERATOR_RE = new RegExp(
  `(${Object.keys(OPERATORS).sort((a, b) => b.length - a.length).map(esc).join("|")})`,
  "y",
);
const WHITESPACE_RE = /\s+/y;
const FLOAT_RE = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INTEGER_RE = /(?:0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*)/iy;
const NAME_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const STRING_RE = /('([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)")/sy;
const NEWLINE_RE = /\r\n|\r|\n/g;

interface Rules {
  root: RegExp;
  comment: RegExp;
  block: RegExp;
  variable: RegExp;
  raw: RegExp;
}

const RULES = new Map<string, Rules>();

function rules(trimBlocks: boolean): Rules {
  const key = String(trimBlocks);
  let r = RULES.get(key);
  if (r) return r;
  const suffix = trimBlocks ? "\\n?" : "";
  r = {
    root: new RegExp(
      "(.*?)(?:(?<raw_begin>\\{%(\\-|\\+|)\\s*raw\\s*(?:\\-%\\}\\s*|%\\}))" +
        "|(?<variable_begin>\\{\\{(\\-|\\+|))|(?<comment_begin>\\{#(\\-|\\+|))" +
        "|(?<block_begin>\\{%(\\-|\\+|)))",
      "msy",
    ),
    comment: new RegExp(`(.*?)((?:\\+#\\}|\\-#\\}\\s*|#\\}${suffix}))`, "msy"),
    block: new RegExp(`(?:\\+%\\}|\\-%\\}\\s*|%\\}${suffix})`, "msy"),
    variable: /\-\}\}\s*|\}\}/msy,
    raw: new RegExp(
      `(.*?)((?:\\{%(\\-|\\+|))\\s*endraw\\s*(?:\\+%\\}|\\-%\\}\\s*|%\\}${suffix}))`,
      "msy",
    ),
  };
  RULES.set(key, r);
  return r;
}

function match(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

function rstripPy(s: string): string {
  return s.replace(/\s+$/, "");
}

/** Decodes a Python string literal body with the `unicode-escape` codec's rules. */
export function unescapePython(body: string): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\" || i === body.length - 1) {
      out += ch;
      continue;
    }
    const n = body[++i]!;
    switch (n) {
      case "\n":
        break;
      case "\\":
      case "'":
      case '"':
        out += n;
        break;
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "v":
        out += "\v";
        break;
      case "x":
      case "u":
      case "U": {
        const width = n === "x" ? 2 : n === "u" ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) {
          throw new TemplateError(`truncated \\${n}${"X".repeat(width)} escape`, {
            kind: "TemplateSyntaxError",
          });
        }
        out += String.fromCodePoint(parseInt(hex, 16));
        i += width;
        break;
      }
      case "N": {
        const m = /^\{([^}]*)\}/.exec(body.slice(i + 1));
        if (!m) {
          throw new TemplateError("malformed \\N character escape", {
            kind: "TemplateSyntaxError",
          });
        }
        throw new TemplateError(`unknown Unicode character name ${m[1]}`, {
          kind: "TemplateSyntaxError",
        });
      }
      default:
        if (/[0-7]/.test(n)) {
          let oct = n;
          while (oct.length < 3 && /[0-7]/.test(body[i + 1] ?? "")) oct += body[++i];
          out += String.fromCodePoint(parseInt(oct, 8));
        } else out += `\\${n}`;
    }
  }
  return out;
}

/** Tokenises a template source the way Jinja's `Lexer.tokenize` does. */
export function tokenize(source: string, options: LexOptions): Token[] {
  const lines = source.split(/\r\n|\r|\n/);
  if (!options.keepTrailingNewline && lines[lines.length - 1] === "") lines.pop();
  const src = lines.join("\n");
  const nl = options.newlineSequence;
  const normalize = (s: string) => (nl === "\n" ? s : s.replace(NEWLINE_RE, nl));
  const R = rules(options.trimBlocks);
  const out: Token[] = [];
  let pos = 0;
  let lineno = 1;
  let lineStart = 0;
  let lineStarting = true;
  const balancing: string[] = [];
  const fail = (msg: string, line = lineno, col?: number): never => {
    throw new TemplateError(msg, {
      kind: "TemplateSyntaxError",
      ...(options.name !== undefined ? { templateName: options.name } : {}),
      line,
      ...(col !== undefined ? { column: col } : {}),
    });
  };
  const advance = (text: string, at: number) => {
    let k = text.indexOf("\n");
    while (k >= 0) {
      lineno++;
      lineStart = at + k + 1;
      k = text.indexOf("\n", k + 1);
    }
  };
  const push = (type: string, value: string | number, at: number) => {
    out.push({ type, value, lineno, col: at - lineStart + 1 });
  };

  /** Applies `-` stripping or lstrip_blocks to the text before a tag. */
  const stripBefore = (text: string, sign: string, isVariable: boolean): string => {
    if (sign === "-") return rstripPy(text);
    if (sign !== "+" && options.lstripBlocks && !isVariable) {
      const lPos = text.lastIndexOf("\n") + 1;
      if (lPos > 0 || lineStarting) {
        const tail = text.slice(lPos);
        if (tail.length > 0 && /^\s+$/.test(tail)) return text.slice(0, lPos);
      }
    }
    return text;
  };

  type State = "root" | "comment" | "block" | "variable" | "raw";
  let state: State = "root";
  while (pos < src.length || state !== "root") {
    if (state === "root") {
      const m = match(R.root, src, pos);
      if (!m) {
        const rest = src.slice(pos);
        if (rest) push("data", normalize(rest), pos);
        advance(rest, pos);
        break;
      }
      const g = m.groups!;
      const kind = g.raw_begin !== undefined
        ? "raw"
        : g.variable_begin !== undefined
        ? "variable"
        : g.comment_begin !== undefined
        ? "comment"
        : "block";
      const sign =
        (kind === "raw" ? m[3] : kind === "variable" ? m[5] : kind === "comment" ? m[7] : m[9]) ??
          "";
      const text = m[1]!;
      const kept = stripBefore(text, sign, kind === "variable");
      if (kept) push("data", normalize(kept), pos);
      advance(text, pos);
      const tagAt = pos + text.length;
      const tag = g[`${kind}_begin`]!;
      if (kind === "block") push("block_begin", tag, tagAt);
      else if (kind === "variable") push("variable_begin", tag, tagAt);
      advance(tag, tagAt);
      lineStarting = m[0].endsWith("\n");
      pos = m.index + m[0].length;
      state = kind;
      if (kind === "raw") lineStarting = tag.endsWith("\n");
      continue;
    }
    if (state === "comment") {
      const m = match(R.comment, src, pos);
      if (!m) fail("Missing end of comment tag");
      advance(m![0], pos);
      lineStarting = m![0].endsWith("\n");
      pos += m![0].length;
      state = "root";
      continue;
    }
    if (state === "raw") {
      const m = match(R.raw, src, pos);
      if (!m) fail("Missing end of raw directive");
      const text = m![1]!;
      const kept = stripBefore(text, m![3] ?? "", false);
      if (kept) push("data", normalize(kept), pos);
      advance(m![0], pos);
      lineStarting = m![0].endsWith("\n");
      pos += m![0].length;
      state = "root";
      continue;
    }
    // block or variable: expression tokens until the end tag.
    if (pos >= src.length) {
      fail(state === "block" ? "unexpected end of template" : "unexpected end of template");
    }
    const endRe = state === "block" ? R.block : R.variable;
    if (!balancing.length) {
      const m = match(endRe, src, pos);
      if (m) {
        push(state === "block" ? "block_end" : "variable_end", m[0], pos);
        advance(m[0], pos);
        lineStarting = m[0].endsWith("\n");
        pos += m[0].length;
        state = "root";
        continue;
      }
    }
    let m: RegExpExecArray | null;
    if ((m = match(WHITESPACE_RE, src, pos))) {
      advance(m[0], pos);
    } else if ((m = match(FLOAT_RE, src, pos))) {
      push("float", parseFloat(m[0].replaceAll("_", "")), pos);
    } else if ((m = match(INTEGER_RE, src, pos))) {
      const t = m[0].replaceAll("_", "").toLowerCase();
      const v = t.startsWith("0b")
        ? parseInt(t.slice(2), 2)
        : t.startsWith("0o")
        ? parseInt(t.slice(2), 8)
        : t.startsWith("0x")
        ? parseInt(t.slice(2), 16)
        : parseInt(t, 10);
      push("integer", v, pos);
    } else if ((m = match(NAME_RE, src, pos))) {
      push("name", m[0], pos);
    } else if ((m = match(STRING_RE, src, pos))) {
      let value: string;
      try {
        value = unescapePython(normalize(m[0].slice(1, -1)));
      } catch (e) {
        if (e instanceof TemplateError) fail(e.reason);
        throw e;
      }
      push("string", value!, pos);
      advance(m[0], pos);
    } else if ((m = match(OPERATOR_RE, src, pos))) {
      const op = m[0];
      if (op === "{") balancing.push("}");
      else if (op === "(") balancing.push(")");
      else if (op === "[") balancing.push("]");
      else if (op === "}" || op === ")" || op === "]") {
        if (!balancing.length) fail(`unexpected '${op}'`, lineno, pos - lineStart + 1);
        const expected = balancing.pop();
        if (expected !== op) {
          fail(`unexpected '${op}', expected '${expected}'`, lineno, pos - lineStart + 1);
        }
      }
      push(OPERATORS[op]!, op, pos);
    } else {
      fail(`unexpected char ${JSON.stringify(src[pos])} at ${pos}`, lineno, pos - lineStart + 1);
    }
    pos += m![0].length;
  }
  out.push({ type: "eof", value: "", lineno, col: pos - lineStart + 1 });
  return out;
}

/** How Jinja describes a token type in syntax errors. */
export function describeTokenType(type: string): string {
  for (const [op, t] of Object.entries(OPERATORS)) if (t === type) return op;
  return ({
    block_begin: "begin of statement block",
    block_end: "end of statement block",
    variable_begin: "begin of print statement",
    variable_end: "end of print statement",
    data: "template data / text",
    eof: "end of template",
  } as Record<string, string>)[type] ?? type;
}

/** How Jinja describes a token in syntax errors. */
export function describeToken(t: Token): string {
  return t.type === "name" ? String(t.value) : describeTokenType(t.type);
}
