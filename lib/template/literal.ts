/**
 * Python's `ast.literal_eval` (with Ansible's JSON names `true`/`false`/`null`), which Ansible
 * applies to rendered text that looks like a list, dict or bool, and to `#jinja2:` header values.
 *
 * @module
 */
import { unescapePython } from "./lexer.ts";
import { PyFloat, tuple } from "./py.ts";

/** Thrown when the text is not a Python literal. */
export class LiteralError extends Error {}

/** Evaluates a Python literal; throws {@linkcode LiteralError} when it is not one. */
export function literalEval(text: string): unknown {
  const p = new LiteralParser(text);
  const v = p.expr(true);
  p.ws();
  if (!p.done()) throw new LiteralError(`unexpected text at ${p.pos}`);
  return v;
}

class LiteralParser {
  pos = 0;
  constructor(readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }
  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "\\" && this.s[this.pos + 1] === "\n") this.pos += 2;
      else break;
    }
  }
  peek(): string {
    this.ws();
    return this.s[this.pos] ?? "";
  }
  eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.pos++;
      return true;
    }
    return false;
  }
  fail(): never {
    throw new LiteralError(`not a literal at ${this.pos}`);
  }

  /** An expression, or a bare tuple at the top level (`1, 2`). */
  expr(top = false): unknown {
    const first = this.atom();
    if (top && this.peek() === ",") {
      const items = [first];
      while (this.eat(",")) {
        if (this.done() || this.peek() === "") break;
        items.push(this.atom());
      }
      return tuple(items);
    }
    return first;
  }

  seq(close: string): unknown[] {
    const items: unknown[] = [];
    while (!this.eat(close)) {
      if (items.length && !this.eat(",")) this.fail();
      if (this.eat(close)) break;
      items.push(this.atom());
    }
    return items;
  }

  atom(): unknown {
    const c = this.peek();
    if (c === "[") {
      this.pos++;
      return this.seq("]");
    }
    if (c === "(") {
      this.pos++;
      if (this.eat(")")) return tuple([]);
      const first = this.atom();
      if (this.eat(")")) return first;
      if (!this.eat(",")) this.fail();
      const rest = this.seq(")");
      return tuple([first, ...rest]);
    }
    if (c === "{") {
      this.pos++;
      const out: Record<string, unknown> = {};
      let first = true;
      while (!this.eat("}")) {
        if (!first && !this.eat(",")) this.fail();
        if (this.eat("}")) break;
        first = false;
        const k = this.atom();
        if (!this.eat(":")) this.fail();
        const v = this.atom();
        if (Array.isArray(k) || (k !== null && typeof k === "object" && !(k instanceof PyFloat))) {
          throw new LiteralError("unhashable key");
        }
        out[k === null ? "None" : typeof k === "boolean" ? (k ? "True" : "False") : String(k)] = v;
      }
      return out;
    }
    if (c === "-" || c === "+") {
      this.pos++;
      const v = this.atom();
      if (typeof v === "number") return c === "-" ? -v : v;
      if (v instanceof PyFloat) return new PyFloat(c === "-" ? -v.value : v.value);
      this.fail();
    }
    const strM = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(this.s.slice(this.pos));
    if (strM) return this.string(strM[1]!, strM[2]!);
    const numM =
      /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?|\d[\d_]*\.)/
        .exec(this.s.slice(this.pos));
    if (numM && numM[0]) {
      this.pos += numM[0].length;
      if (/^[jJ]/.test(this.s.slice(this.pos))) this.fail();
      const t = numM[0].replaceAll("_", "");
      if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
      if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
      if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
      if (/[.eE]/.test(t)) {
        const f = parseFloat(t);
        return Number.isInteger(f) ? new PyFloat(f) : f;
      }
      return parseInt(t, 10);
    }
    const nameM = /^[A-Za-z_]\w*/.exec(this.s.slice(this.pos));
    if (nameM) {
      this.pos += nameM[0].length;
      switch (nameM[0]) {
        case "True":
        case "true":
          return true;
        case "False":
        case "false":
          return false;
        case "None":
        case "null":
          return null;
      }
    }
    this.fail();
  }

  string(prefix: string, quote: string): string {
    let out = "";
    // Adjacent literals concatenate.
    for (;;) {
      this.pos += prefix.length + quote.length;
      const start = this.pos;
      let end = -1;
      for (let i = start; i < this.s.length; i++) {
        if (this.s[i] === "\\") {
          i++;
          continue;
        }
        if (this.s.startsWith(quote, i)) {
          end = i;
          break;
        }
        if (quote.length === 1 && this.s[i] === "\n") break;
      }
      if (end < 0) this.fail();
      const body = this.s.slice(start, end);
      out += /[rR]/.test(prefix) ? body : unescapePython(body);
      this.pos = end + quote.length;
      const next = /^\s*([rRbBuU]{0,2})('''|"""|'|")/.exec(this.s.slice(this.pos));
      if (!next) return out;
      this.pos += next[0].length - next[1]!.length - next[2]!.length;
      prefix = next[1]!;
      quote = next[2]!;
    }
  }
}
