/**
 * Ansible's `key=value` argument strings (`apt: name=git state=present`,
 * `command: ls -l chdir=/tmp`), split as Ansible's `split_args` and `parse_kv` split them:
 * on whitespace outside quotes and outside `{{ }}`, `{% %}` and `{# #}`, with quotes around a
 * value removed.
 *
 * @module
 */

/** One token of an argument string and the whitespace that followed it. */
interface Token {
  readonly text: string;
  readonly after: string;
}

/** Splits on whitespace that is neither quoted nor inside a Jinja block. */
function splitArgs(text: string): Token[] {
  const out: Token[] = [];
  let cur = "";
  let quote = "";
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (quote) {
      cur += c;
      if (c === "\\" && i + 1 < text.length) {
        cur += text[i + 1];
        i += 2;
        continue;
      }
      if (c === quote) quote = "";
      i++;
      continue;
    }
    if (two === "{{" || two === "{%" || two === "{#") {
      depth++;
      cur += two;
      i += 2;
      continue;
    }
    if (depth > 0 && (two === "}}" || two === "%}" || two === "#}")) {
      depth--;
      cur += two;
      i += 2;
      continue;
    }
    if ((c === '"' || c === "'") && depth === 0) {
      quote = c;
      cur += c;
      i++;
      continue;
    }
    if (/\s/.test(c) && depth === 0) {
      let ws = "";
      while (i < text.length && /\s/.test(text[i]!)) ws += text[i++];
      if (cur) out.push({ text: cur, after: ws });
      else if (out.length) out[out.length - 1] = { ...out[out.length - 1]!, after: ws };
      cur = "";
      continue;
    }
    cur += c;
    i++;
  }
  if (quote) throw new Error(`unbalanced quotes in ${JSON.stringify(text)}`);
  if (cur) out.push({ text: cur, after: "" });
  return out;
}

/** Removes one pair of matching quotes around a value, as Ansible's `unquote`. */
function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0] ? s.slice(1, -1) : s;
}

/** The result of splitting an argument string. */
export interface ParsedArgs {
  /** `key=value` pairs, values unquoted. */
  readonly args: Record<string, string>;
  /** What is left, as written (for free-form modules, the command). */
  readonly raw: string;
}

/**
 * Parses an argument string. With `keys`, only those keys are taken as arguments and the rest
 * stays free-form text (command, shell, script); without, every `key=value` token is one.
 */
export function parseKv(text: string, keys?: readonly string[]): ParsedArgs {
  const args: Record<string, string> = {};
  let raw = "";
  for (const { text: token, after } of splitArgs(text)) {
    const eq = token.indexOf("=");
    const key = eq > 0 ? token.slice(0, eq) : "";
    const isKey = /^[A-Za-z_][\w-]*$/.test(key) && (keys === undefined || keys.includes(key));
    if (isKey) args[key] = unquote(token.slice(eq + 1));
    else raw += token + after;
  }
  return { args, raw: raw.trim() };
}
