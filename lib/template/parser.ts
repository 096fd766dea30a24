/**
 * A port of Jinja2 3.1's parser (grammar, precedence, error messages) producing the nodes of
 * `nodes.ts`. Jinja's grammar differs from nunjucks' in many places: `is` tests bind like filters,
 * tests take an argument without parentheses, adjacent strings concatenate, `a.b` and `a['b']`
 * are different lookups, slices, tuples, `for ... if ...`, `recursive`, `set ns.x`, `with`.
 *
 * @module
 */
import { TemplateError } from "./error.ts";
import {
  describeToken,
  describeTokenType,
  type LexOptions,
  type Token,
  tokenize,
} from "./lexer.ts";
import type { Node, NodeList, NodeSet } from "./nodes.ts";
import { PyFloat } from "./py.ts";

const STATEMENT_KEYWORDS = new Set([
  "for",
  "if",
  "block",
  "extends",
  "print",
  "macro",
  "include",
  "from",
  "import",
  "set",
  "with",
  "autoescape",
]);
const COMPARE_OPERATORS = new Set(["eq", "ne", "lt", "lteq", "gt", "gteq"]);
/** The node classes of binary operators. */
type BinaryOp = "Or" | "And" | "Add" | "Sub" | "Mul" | "Div" | "FloorDiv" | "Mod" | "Pow";
/** Binary operators by precedence level: token (`type` or `type:value`) and node class. */
const OR: readonly [string, BinaryOp][] = [["name:or", "Or"]];
const AND: readonly [string, BinaryOp][] = [["name:and", "And"]];
const MATH1: readonly [string, BinaryOp][] = [["add", "Add"], ["sub", "Sub"]];
const MATH2: readonly [string, BinaryOp][] = [
  ["mul", "Mul"],
  ["div", "Div"],
  ["floordiv", "FloorDiv"],
  ["mod", "Mod"],
];
const POW: readonly [string, BinaryOp][] = [["pow", "Pow"]];

class Stream {
  #tokens: Token[];
  #i = 0;
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }
  get current(): Token {
    return this.#tokens[this.#i]!;
  }
  look(): Token {
    return this.#tokens[Math.min(this.#i + 1, this.#tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.current;
    if (t.type !== "eof") this.#i++;
    return t;
  }
  skip(n = 1): void {
    for (let i = 0; i < n; i++) this.next();
  }
  test(t: Token, expr: string): boolean {
    if (t.type === expr) return true;
    const c = expr.indexOf(":");
    return c > 0 && t.type === expr.slice(0, c) && t.value === expr.slice(c + 1);
  }
  is(expr: string): boolean {
    return this.test(this.current, expr);
  }
  isAny(...exprs: string[]): boolean {
    return exprs.some((e) => this.is(e));
  }
  skipIf(expr: string): boolean {
    if (this.is(expr)) {
      this.next();
      return true;
    }
    return false;
  }
}

/** Parses a template into a nunjucks `Root` node. */
export function parse(source: string, N: NodeSet, options: LexOptions): NodeList {
  return new Parser(tokenize(source, options), N, options.name).parse();
}

/** Parses a bare expression (Ansible's `when:`) into a nunjucks `Root` printing its value. */
export function parseExpression(source: string, N: NodeSet, options: LexOptions): NodeList {
  return parse(`{{ ${source} }}`, N, options);
}

class Parser {
  #s: Stream;
  #N: NodeSet;
  #name: string | undefined;
  #tagStack: string[] = [];
  #endTokenStack: string[][] = [];

  constructor(tokens: Token[], N: NodeSet, name: string | undefined) {
    this.#s = new Stream(tokens);
    this.#N = N;
    this.#name = name;
  }

  fail(msg: string, lineno?: number, col?: number): never {
    const t = this.#s.current;
    const line = lineno ?? t.lineno;
    const column = col ?? (line === t.lineno ? t.col : undefined);
    throw new TemplateError(msg, {
      kind: "TemplateSyntaxError",
      ...(this.#name !== undefined ? { templateName: this.#name } : {}),
      line,
      ...(column !== undefined ? { column } : {}),
    });
  }

  #describeExpr(expr: string): string {
    const c = expr.indexOf(":");
    if (c > 0 && expr.slice(0, c) === "name") return expr.slice(c + 1);
    return describeTokenType(c > 0 ? expr.slice(0, c) : expr);
  }

  #failUtEof(name: string | null, stack: string[][], lineno?: number): never {
    const expected = new Set<string>();
    for (const exprs of stack) for (const e of exprs) expected.add(this.#describeExpr(e));
    const looking = stack.length
      ? stack[stack.length - 1]!.map((e) => `'${this.#describeExpr(e)}'`).join(" or ")
      : null;
    const message = [
      name === null ? "Unexpected end of template." : `Encountered unknown tag '${name}'.`,
    ];
    if (looking) {
      if (name !== null && expected.has(name)) {
        message.push(
          `You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ${looking}.`,
        );
      } else message.push(`Jinja was looking for the following tags: ${looking}.`);
    }
    if (this.#tagStack.length) {
      message.push(
        `The innermost block that needs to be closed is '${
          this.#tagStack[this.#tagStack.length - 1]
        }'.`,
      );
    }
    this.fail(message.join(" "), lineno);
  }

  #expect(expr: string): Token {
    const s = this.#s;
    if (!s.is(expr)) {
      const e = this.#describeExpr(expr);
      if (s.current.type === "eof") this.fail(`unexpected end of template, expected '${e}'.`);
      this.fail(`expected token '${e}', got '${describeToken(s.current)}'`);
    }
    return s.next();
  }

  #line(t: Token): [number, number] {
    return [t.lineno, t.col];
  }

  #list(nodes: Node[], t?: Token): NodeList {
    const [l, c] = t ? this.#line(t) : [0, 0];
    return new this.#N.NodeList(l, c, nodes);
  }

  parse(): NodeList {
    const body = this.#subparse(null);
    return new this.#N.Root(0, 0, body);
  }

  #subparse(endTokens: string[] | null): Node[] {
    const s = this.#s;
    const N = this.#N;
    const body: Node[] = [];
    let data: Node[] = [];
    const flush = () => {
      if (data.length) {
        body.push(new N.Output(data[0]!.lineno, data[0]!.colno, data));
        data = [];
      }
    };
    if (endTokens) this.#endTokenStack.push(endTokens);
    try {
      while (s.current.type !== "eof") {
        const t = s.current;
        if (t.type === "data") {
          data.push(new N.TemplateData(t.lineno, t.col, t.value));
          s.next();
        } else if (t.type === "variable_begin") {
          s.next();
          data.push(this.#parseTuple({ withCondexpr: true }));
          this.#expect("variable_end");
        } else if (t.type === "block_begin") {
          flush();
          s.next();
          if (endTokens && s.isAny(...endTokens)) return body;
          const rv = this.#parseStatement();
          if (Array.isArray(rv)) body.push(...rv);
          else body.push(rv);
          this.#expect("block_end");
        } else {
          this.fail("internal parsing error");
        }
      }
      flush();
    } finally {
      if (endTokens) this.#endTokenStack.pop();
    }
    return body;
  }

  #parseStatement(): Node {
    const s = this.#s;
    const t = s.current;
    if (t.type !== "name") this.fail("tag name expected", t.lineno);
    const name = String(t.value);
    this.#tagStack.push(name);
    let pop = true;
    try {
      if (STATEMENT_KEYWORDS.has(name)) {
        switch (name) {
          case "for":
            return this.#parseFor();
          case "if":
            return this.#parseIf();
          case "block":
            return this.#parseBlock();
          case "extends":
            return this.#parseExtends();
          case "print":
            return this.#parsePrint();
          case "macro":
            return this.#parseMacro();
          case "include":
            return this.#parseInclude();
          case "from":
            return this.#parseFrom();
          case "import":
            return this.#parseImport();
          case "set":
            return this.#parseSet();
          case "with":
            return this.#parseWith();
          case "autoescape":
            return this.#parseAutoescape();
        }
      }
      if (name === "call") return this.#parseCallBlock();
      if (name === "filter") return this.#parseFilterBlock();
      this.#tagStack.pop();
      pop = false;
      return this.#failUtEof(name, this.#endTokenStack, t.lineno);
    } finally {
      if (pop) this.#tagStack.pop();
    }
  }

  #parseStatements(endTokens: string[], dropNeedle = false): Node {
    const s = this.#s;
    s.skipIf("colon");
    const start = this.#expect("block_end");
    const result = this.#subparse(endTokens);
    if (s.current.type === "eof") this.#failUtEof(null, [...this.#endTokenStack, endTokens]);
    if (dropNeedle) s.next();
    return this.#list(result, start);
  }

  #parseSet(): Node {
    const s = this.#s;
    const t = s.next();
    const target = this.#parseAssignTarget({ withNamespace: true });
    if (s.skipIf("assign")) {
      const expr = this.#parseTuple({});
      return new this.#N.PySet(t.lineno, t.col, target, expr);
    }
    const filter = this.#parseFilter(null);
    const body = this.#parseStatements(["name:endset"], true);
    return new this.#N.PySetBlock(t.lineno, t.col, target, filter, body);
  }

  #parseFor(): Node {
    const s = this.#s;
    const t = this.#expect("name:for");
    const target = this.#parseAssignTarget({ extraEndRules: ["name:in"] });
    this.#expect("name:in");
    const iter = this.#parseTuple({ withCondexpr: false, extraEndRules: ["name:recursive"] });
    let test = null;
    if (s.skipIf("name:if")) test = this.#parseExpression();
    const recursive = s.skipIf("name:recursive");
    const body = this.#parseStatements(["name:endfor", "name:else"]);
    let else_ = null;
    if (s.next().value !== "endfor") else_ = this.#parseStatements(["name:endfor"], true);
    return new this.#N.PyFor(t.lineno, t.col, target, iter, body, else_, test, recursive);
  }

  #parseIf(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = this.#expect("name:if");
    const root = new N.If(t.lineno, t.col);
    let node = root;
    for (;;) {
      node.cond = this.#parseTuple({ withCondexpr: false });
      node.body = this.#parseStatements(["name:elif", "name:else", "name:endif"]);
      node.else_ = null;
      const tok = s.next();
      if (s.test(tok, "name:elif")) {
        const next = new N.If(s.current.lineno, s.current.col);
        node.else_ = next;
        node = next;
        continue;
      } else if (s.test(tok, "name:else")) {
        node.else_ = this.#parseStatements(["name:endif"], true);
      }
      break;
    }
    return root;
  }

  #parseWith(): Node {
    const s = this.#s;
    const t = s.next();
    const targets: Node[] = [];
    const values: Node[] = [];
    while (s.current.type !== "block_end") {
      if (targets.length) this.#expect("comma");
      targets.push(this.#parseAssignTarget({}));
      this.#expect("assign");
      values.push(this.#parseExpression());
    }
    const body = this.#parseStatements(["name:endwith"], true);
    return new this.#N.PyWith(t.lineno, t.col, this.#list(targets), this.#list(values), body);
  }

  #parseAutoescape(): Node {
    const t = this.#s.next();
    this.#parseExpression();
    const body = this.#parseStatements(["name:endautoescape"], true);
    return new this.#N.PyWith(t.lineno, t.col, this.#list([]), this.#list([]), body);
  }

  #parseBlock(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.next();
    const nameTok = this.#expect("name");
    s.skipIf("name:scoped");
    s.skipIf("name:required");
    if (s.current.type === "sub") {
      this.fail(
        "Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.",
      );
    }
    const body = this.#parseStatements(["name:endblock"], true);
    s.skipIf(`name:${nameTok.value}`);
    return new N.Block(
      t.lineno,
      t.col,
      new N.Symbol(nameTok.lineno, nameTok.col, nameTok.value),
      body,
    );
  }

  #parseExtends(): Node {
    const t = this.#s.next();
    const node = new this.#N.Extends(t.lineno, t.col);
    node.template = this.#parseExpression();
    return node;
  }

  #parseContext(dflt: boolean): boolean {
    const s = this.#s;
    if (s.isAny("name:with", "name:without") && s.test(s.look(), "name:context")) {
      const v = s.next().value === "with";
      s.skip();
      return v;
    }
    return dflt;
  }

  #parseInclude(): Node {
    const s = this.#s;
    const t = s.next();
    const template = this.#parseExpression();
    let ignoreMissing = false;
    if (s.is("name:ignore") && s.test(s.look(), "name:missing")) {
      ignoreMissing = true;
      s.skip(2);
    }
    const withContext = this.#parseContext(true);
    return new this.#N.PyInclude(t.lineno, t.col, template, ignoreMissing, withContext);
  }

  #parseImport(): Node {
    const N = this.#N;
    const t = this.#s.next();
    const template = this.#parseExpression();
    this.#expect("name:as");
    const target = this.#expect("name");
    const withContext = this.#parseContext(false);
    return new N.Import(
      t.lineno,
      t.col,
      template,
      new N.Symbol(target.lineno, target.col, target.value),
      withContext,
    );
  }

  #parseFrom(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.next();
    const template = this.#parseExpression();
    this.#expect("name:import");
    const names: Node[] = [];
    let withContext = false;
    const parseContext = () => {
      if (
        (s.current.value === "with" || s.current.value === "without") &&
        s.test(s.look(), "name:context")
      ) {
        withContext = s.next().value === "with";
        s.skip();
        return true;
      }
      return false;
    };
    for (;;) {
      if (names.length) this.#expect("comma");
      if (s.current.type === "name") {
        if (parseContext()) break;
        const target = this.#expect("name");
        if (String(target.value).startsWith("_")) {
          this.fail("names starting with an underline can not be imported", target.lineno);
        }
        const sym = new N.Symbol(target.lineno, target.col, target.value);
        if (s.skipIf("name:as")) {
          const alias = this.#expect("name");
          names.push(
            new N.Pair(
              target.lineno,
              target.col,
              sym,
              new N.Symbol(alias.lineno, alias.col, alias.value),
            ),
          );
        } else names.push(sym);
        if (parseContext() || (s.current as Token).type !== "comma") break;
      } else this.#expect("name");
    }
    return new N.FromImport(t.lineno, t.col, template, this.#list(names), withContext);
  }

  #parseSignature(): [Node[], Node[]] {
    const s = this.#s;
    const N = this.#N;
    const args: Node[] = [];
    const defaults: Node[] = [];
    this.#expect("lparen");
    while (s.current.type !== "rparen") {
      if (args.length) this.#expect("comma");
      const a = this.#expect("name");
      if (s.skipIf("assign")) defaults.push(this.#parseExpression());
      else if (defaults.length) this.fail("non-default argument follows default argument");
      args.push(new N.Symbol(a.lineno, a.col, a.value));
    }
    this.#expect("rparen");
    return [args, defaults];
  }

  #parseCallBlock(): Node {
    const s = this.#s;
    const t = s.next();
    let args: Node[] = [];
    let defaults: Node[] = [];
    if (s.current.type === "lparen") [args, defaults] = this.#parseSignature();
    const call = this.#parseExpression();
    if (!(call instanceof this.#N.PyCall)) this.fail("expected call", t.lineno);
    const body = this.#parseStatements(["name:endcall"], true);
    return new this.#N.PyCallBlock(
      t.lineno,
      t.col,
      call,
      this.#list(args),
      this.#list(defaults),
      body,
    );
  }

  #parseFilterBlock(): Node {
    const t = this.#s.next();
    const filter = this.#parseFilter(null, true);
    const body = this.#parseStatements(["name:endfilter"], true);
    return new this.#N.PyFilterBlock(t.lineno, t.col, filter, body);
  }

  #parseMacro(): Node {
    const t = this.#s.next();
    const name = this.#expect("name");
    const [args, defaults] = this.#parseSignature();
    const body = this.#parseStatements(["name:endmacro"], true);
    return new this.#N.PyMacro(
      t.lineno,
      t.col,
      String(name.value),
      this.#list(args),
      this.#list(defaults),
      body,
    );
  }

  #parsePrint(): Node {
    const s = this.#s;
    const t = s.next();
    const nodes: Node[] = [];
    while (s.current.type !== "block_end") {
      if (nodes.length) this.#expect("comma");
      nodes.push(this.#parseExpression());
    }
    return new this.#N.Output(t.lineno, t.col, nodes);
  }

  #parseAssignTarget(
    o: {
      withTuple?: boolean;
      nameOnly?: boolean;
      extraEndRules?: string[];
      withNamespace?: boolean;
    },
  ): Node {
    const s = this.#s;
    const N = this.#N;
    if (o.withNamespace && s.look().type === "dot") {
      const t = this.#expect("name");
      s.next();
      const attr = this.#expect("name");
      return new N.PyNSRef(t.lineno, t.col, t.value, attr.value);
    }
    if (o.nameOnly) {
      const t = this.#expect("name");
      return new N.Symbol(t.lineno, t.col, t.value);
    }
    const target = o.withTuple === false ? this.#parsePrimary() : this.#parseTuple({
      simplified: true,
      ...(o.extraEndRules ? { extraEndRules: o.extraEndRules } : {}),
    });
    const ok = (n: Node): boolean =>
      n instanceof N.Symbol &&
        !["true", "false", "none", "True", "False", "None"].includes(n.value) ||
      n instanceof N.PyTuple && n.children.every(ok);
    if (!ok(target)) {
      const kind = target instanceof N.Literal ? "const" : String(target.typename).toLowerCase();
      this.fail(`can't assign to '${kind}'`, target.lineno);
    }
    return target;
  }

  #parseExpression(withCondexpr = true): Node {
    return withCondexpr ? this.#parseCondexpr() : this.#parseOr();
  }

  #parseCondexpr(): Node {
    const s = this.#s;
    const N = this.#N;
    let t = s.current;
    let expr1 = this.#parseOr();
    while (s.skipIf("name:if")) {
      const expr2 = this.#parseOr();
      const expr3 = s.skipIf("name:else") ? this.#parseCondexpr() : null;
      const node = new N.InlineIf(t.lineno, t.col, expr2, expr1, expr3);
      expr1 = node;
      t = s.current;
    }
    return expr1;
  }

  #parseOr(): Node {
    return this.#binary(OR, () => this.#parseAnd());
  }

  #parseAnd(): Node {
    return this.#binary(AND, () => this.#parseNot());
  }

  #parseNot(): Node {
    const s = this.#s;
    if (s.is("name:not")) {
      const t = s.next();
      return new this.#N.Not(t.lineno, t.col, this.#parseNot());
    }
    return this.#parseCompare();
  }

  #parseCompare(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.current;
    const expr = this.#parseMath1();
    const ops: Node[] = [];
    for (;;) {
      const c = s.current;
      if (COMPARE_OPERATORS.has(c.type)) {
        s.next();
        ops.push(new N.CompareOperand(c.lineno, c.col, this.#parseMath1(), c.type));
      } else if (s.skipIf("name:in")) {
        ops.push(new N.CompareOperand(c.lineno, c.col, this.#parseMath1(), "in"));
      } else if (s.is("name:not") && s.test(s.look(), "name:in")) {
        s.skip(2);
        ops.push(new N.CompareOperand(c.lineno, c.col, this.#parseMath1(), "notin"));
      } else break;
    }
    if (!ops.length) return expr;
    return new N.Compare(t.lineno, t.col, expr, ops);
  }

  /** A left-associative chain `a op b op c` of one precedence level's operators. */
  #binary(ops: readonly [string, BinaryOp][], next: () => Node): Node {
    const s = this.#s;
    const N = this.#N;
    let t = s.current;
    let left = next();
    for (;;) {
      const op = ops.find(([token]) => s.is(token));
      if (!op) return left;
      s.next();
      left = new N[op[1]](t.lineno, t.col, left, next());
      t = s.current;
    }
  }

  #parseMath1(): Node {
    return this.#binary(MATH1, () => this.#parseConcat());
  }

  #parseConcat(): Node {
    const s = this.#s;
    const t = s.current;
    const args = [this.#parseMath2()];
    while (s.current.type === "tilde") {
      s.next();
      args.push(this.#parseMath2());
    }
    if (args.length === 1) return args[0]!;
    return new this.#N.PyConcat(t.lineno, t.col, args);
  }

  #parseMath2(): Node {
    return this.#binary(MATH2, () => this.#parsePow());
  }

  #parsePow(): Node {
    return this.#binary(POW, () => this.#parseUnary());
  }

  #parseUnary(withFilter = true): Node {
    const s = this.#s;
    const t = s.current;
    let node: Node;
    if (t.type === "sub") {
      s.next();
      node = new this.#N.Neg(t.lineno, t.col, this.#parseUnary(false));
    } else if (t.type === "add") {
      s.next();
      node = new this.#N.Pos(t.lineno, t.col, this.#parseUnary(false));
    } else node = this.#parsePrimary();
    node = this.#parsePostfix(node);
    if (withFilter) node = this.#parseFilterExpr(node);
    return node;
  }

  #parsePrimary(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.current;
    if (t.type === "name") {
      s.next();
      if (["true", "false", "True", "False"].includes(String(t.value))) {
        return new N.Literal(t.lineno, t.col, t.value === "true" || t.value === "True");
      }
      if (t.value === "none" || t.value === "None") return new N.Literal(t.lineno, t.col, null);
      return new N.Symbol(t.lineno, t.col, t.value);
    }
    if (t.type === "string") {
      s.next();
      let buf = String(t.value);
      while (s.current.type === "string") buf += String(s.next().value);
      return new N.Literal(t.lineno, t.col, buf);
    }
    if (t.type === "integer") {
      s.next();
      return new N.Literal(t.lineno, t.col, t.value);
    }
    if (t.type === "float") {
      s.next();
      return new N.Literal(t.lineno, t.col, new PyFloat(Number(t.value)));
    }
    if (t.type === "lparen") {
      s.next();
      const node = this.#parseTuple({ explicitParentheses: true });
      this.#expect("rparen");
      return node;
    }
    if (t.type === "lbracket") return this.#parseList();
    if (t.type === "lbrace") return this.#parseDict();
    this.fail(`unexpected '${describeToken(t)}'`, t.lineno);
  }

  #isTupleEnd(extra?: string[]): boolean {
    const s = this.#s;
    if (["variable_end", "block_end", "rparen"].includes(s.current.type)) return true;
    return extra ? s.isAny(...extra) : false;
  }

  #parseTuple(
    o: {
      simplified?: boolean;
      withCondexpr?: boolean;
      extraEndRules?: string[];
      explicitParentheses?: boolean;
    },
  ): Node {
    const s = this.#s;
    let t = s.current;
    const parse = o.simplified
      ? () => this.#parsePrimary()
      : () => this.#parseExpression(o.withCondexpr !== false);
    const args: Node[] = [];
    let isTuple = false;
    for (;;) {
      if (args.length) this.#expect("comma");
      if (this.#isTupleEnd(o.extraEndRules)) break;
      args.push(parse());
      if (s.current.type === "comma") isTuple = true;
      else break;
      t = s.current;
    }
    if (!isTuple) {
      if (args.length) return args[0]!;
      if (!o.explicitParentheses) {
        this.fail(`Expected an expression, got '${describeToken(s.current)}'`);
      }
    }
    return new this.#N.PyTuple(t.lineno, t.col, args);
  }

  #parseList(): Node {
    const s = this.#s;
    const t = this.#expect("lbracket");
    const items: Node[] = [];
    while (s.current.type !== "rbracket") {
      if (items.length) this.#expect("comma");
      if (s.current.type === "rbracket") break;
      items.push(this.#parseExpression());
    }
    this.#expect("rbracket");
    return new this.#N.Array(t.lineno, t.col, items);
  }

  #parseDict(): Node {
    const s = this.#s;
    const N = this.#N;
    const t = this.#expect("lbrace");
    const items: Node[] = [];
    while (s.current.type !== "rbrace") {
      if (items.length) this.#expect("comma");
      if (s.current.type === "rbrace") break;
      const key = this.#parseExpression();
      this.#expect("colon");
      const value = this.#parseExpression();
      items.push(new N.Pair(key.lineno, key.colno, key, value));
    }
    this.#expect("rbrace");
    return new N.Dict(t.lineno, t.col, items);
  }

  #parsePostfix(node: Node): Node {
    const s = this.#s;
    for (;;) {
      const type = s.current.type;
      if (type === "dot" || type === "lbracket") node = this.#parseSubscript(node);
      else if (type === "lparen") node = this.#parseCall(node);
      else break;
    }
    return node;
  }

  #parseFilterExpr(node: Node): Node {
    const s = this.#s;
    for (;;) {
      const type = s.current.type;
      if (type === "pipe") node = this.#parseFilter(node);
      else if (type === "name" && s.current.value === "is") node = this.#parseTest(node);
      else if (type === "lparen") node = this.#parseCall(node);
      else break;
    }
    return node;
  }

  #parseSubscript(node: Node): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.next();
    if (t.type === "dot") {
      const attr = s.current;
      s.next();
      if (attr.type === "name") return new N.PyGetattr(t.lineno, t.col, node, String(attr.value));
      if (attr.type !== "integer") this.fail("expected name or number", attr.lineno);
      return new N.LookupVal(
        t.lineno,
        t.col,
        node,
        new N.Literal(attr.lineno, attr.col, attr.value),
      );
    }
    if (t.type === "lbracket") {
      const args: Node[] = [];
      while (s.current.type !== "rbracket") {
        if (args.length) this.#expect("comma");
        args.push(this.#parseSubscribed());
      }
      this.#expect("rbracket");
      const arg = args.length === 1 ? args[0] : new N.PyTuple(t.lineno, t.col, args);
      return new N.LookupVal(t.lineno, t.col, node, arg);
    }
    this.fail("expected subscript expression", t.lineno);
  }

  #parseSubscribed(): Node {
    const s = this.#s;
    const t = s.current;
    const args: (Node | null)[] = [];
    if (s.current.type === "colon") {
      s.next();
      args.push(null);
    } else {
      const node = this.#parseExpression();
      if (s.current.type !== "colon") return node;
      s.next();
      args.push(node);
    }
    if (s.current.type === "colon") args.push(null);
    else if (!["rbracket", "comma"].includes(s.current.type)) args.push(this.#parseExpression());
    else args.push(null);
    if (s.current.type === "colon") {
      s.next();
      if (!["rbracket", "comma"].includes(s.current.type)) args.push(this.#parseExpression());
      else args.push(null);
    } else args.push(null);
    return new this.#N.PySlice(t.lineno, t.col, args[0], args[1], args[2]);
  }

  #parseCallArgs(): [NodeList, NodeList, Node | null, Node | null] {
    const s = this.#s;
    const N = this.#N;
    const t = this.#expect("lparen");
    const args: Node[] = [];
    const kwargs: Node[] = [];
    let dynArgs: Node | null = null;
    let dynKwargs: Node | null = null;
    let requireComma = false;
    const ensure = (ok: boolean) => {
      if (!ok) this.fail("invalid syntax for function call expression", t.lineno);
    };
    while (s.current.type !== "rparen") {
      if (requireComma) {
        this.#expect("comma");
        if (s.current.type === "rparen") break;
      }
      if (s.current.type === "mul") {
        ensure(dynArgs === null && dynKwargs === null);
        s.next();
        dynArgs = this.#parseExpression();
      } else if (s.current.type === "pow") {
        ensure(dynKwargs === null);
        s.next();
        dynKwargs = this.#parseExpression();
      } else if (s.current.type === "name" && s.look().type === "assign") {
        ensure(dynKwargs === null);
        const key = s.current;
        s.skip(2);
        const value = this.#parseExpression();
        kwargs.push(new N.PyKeyword(key.lineno, key.col, String(key.value), value));
      } else {
        ensure(dynArgs === null && dynKwargs === null && !kwargs.length);
        args.push(this.#parseExpression());
      }
      requireComma = true;
    }
    this.#expect("rparen");
    return [this.#list(args, t), this.#list(kwargs, t), dynArgs, dynKwargs];
  }

  #parseCall(node: Node): Node {
    const t = this.#s.current;
    const [args, kwargs, dynArgs, dynKwargs] = this.#parseCallArgs();
    return new this.#N.PyCall(t.lineno, t.col, node, args, kwargs, dynArgs, dynKwargs);
  }

  #parseFilter(node: Node, startInline?: boolean): Node;
  #parseFilter(node: null, startInline?: boolean): Node | null;
  #parseFilter(node: Node | null, startInline = false): Node | null {
    const s = this.#s;
    while (s.current.type === "pipe" || startInline) {
      if (!startInline) s.next();
      const t = this.#expect("name");
      const name = this.#dottedName(t);
      let args = this.#list([], t);
      let kwargs = this.#list([], t);
      let dynArgs: Node | null = null;
      let dynKwargs: Node | null = null;
      if (s.current.type === "lparen") [args, kwargs, dynArgs, dynKwargs] = this.#parseCallArgs();
      node = new this.#N.PyFilter(t.lineno, t.col, node, name, args, kwargs, dynArgs, dynKwargs);
      startInline = false;
    }
    return node;
  }

  /** A filter or test name, `a` or `ns.coll.a`, from its first name token on. */
  #dottedName(first: Token): string {
    let name = String(first.value);
    while (this.#s.current.type === "dot") {
      this.#s.next();
      name += "." + String(this.#expect("name").value);
    }
    return name;
  }

  #parseTest(node: Node): Node {
    const s = this.#s;
    const N = this.#N;
    const t = s.next();
    let negated = false;
    if (s.is("name:not")) {
      s.next();
      negated = true;
    }
    const name = this.#dottedName(this.#expect("name"));
    let args = this.#list([], t);
    let kwargs = this.#list([], t);
    let dynArgs: Node | null = null;
    let dynKwargs: Node | null = null;
    if (s.current.type === "lparen") {
      [args, kwargs, dynArgs, dynKwargs] = this.#parseCallArgs();
    } else if (
      ["name", "string", "integer", "float", "lparen", "lbracket", "lbrace"].includes(
        s.current.type,
      ) &&
      !s.isAny("name:else", "name:or", "name:and")
    ) {
      if (s.is("name:is")) this.fail("You cannot chain multiple tests with is");
      let arg = this.#parsePrimary();
      arg = this.#parsePostfix(arg);
      args = this.#list([arg], t);
    }
    const test = new N.PyTest(t.lineno, t.col, node, name, args, kwargs, dynArgs, dynKwargs);
    return negated ? new N.Not(t.lineno, t.col, test) : test;
  }
}
