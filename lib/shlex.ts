/**
 * Python's `shlex`: `split` (POSIX mode, no comments) is how Ansible turns a command string into
 * an argv without a shell (command, script, validate) and how the pipe and lines lookups and
 * `parse_kv` split their terms; `quote` and `join` show an argv as a shell would need it.
 *
 * @module
 */

/** A string `shlex.split` refuses (Python raises ValueError with `reason`). */
export class ShlexError extends Error {
  /** Python's words: `No closing quotation` or `No escaped character`. */
  readonly reason: string;

  /** `text` is the string that could not be split (it is named in the message). */
  constructor(reason: string, text: string) {
    super(`${reason} in: ${text}`);
    this.name = "ShlexError";
    this.reason = reason;
  }
}

/** shlex's whitespace (not JS's `\s`: `\v`, `\f` and Unicode spaces stay in words). */
const SPACE = " \t\r\n";

/**
 * Splits `text` as `shlex.split(text)` does: quotes group, `\` escapes outside single quotes,
 * inside double quotes only `\"` and `\\` are escapes, `#` is an ordinary character.
 *
 * @example
 * ```ts
 * shlexSplit(`printf '%s|' "a b" c`); // ["printf", "%s|", "a b", "c"]
 * ```
 */
export function shlexSplit(text: string): string[] {
  const out: string[] = [];
  let token = "";
  let inToken = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (SPACE.includes(c)) {
      if (inToken) out.push(token);
      token = "";
      inToken = false;
      i++;
      continue;
    }
    inToken = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError("No closing quotation", text);
      token += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new ShlexError("No closing quotation", text);
        const d = text[i]!;
        if (d === '"') {
          i++;
          break;
        }
        // Inside double quotes a backslash escapes only `"` and `\`.
        if (d === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) {
          token += text[i + 1];
          i += 2;
          continue;
        }
        token += d;
        i++;
      }
    } else if (c === "\\") {
      if (i + 1 >= text.length) throw new ShlexError("No escaped character", text);
      token += text[i + 1];
      i += 2;
    } else {
      token += c;
      i++;
    }
  }
  if (inToken) out.push(token);
  return out;
}

/**
 * Quotes one argument as Python's `shlex.quote` does: left bare when it holds only safe
 * characters, else single-quoted with each `'` written as `'"'"'`.
 *
 * @example
 * ```ts
 * shellQuote("it's"); // `'it'"'"'s'`
 * ```
 */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/** Joins an argv into one shell-safe line, as Python's `shlex.join` does. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
