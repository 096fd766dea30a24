/**
 * nunjucks' compiler with Jinja2 semantics: every expression and statement node is compiled to
 * calls into the runtime (`R.*`, see runtime.ts) so values behave as Python values, loops get
 * Jinja's `loop` object, filters and scoping rules, and `set` does not leak out of loops. Template
 * inheritance, blocks and imports keep nunjucks' own code generation.
 *
 * @module
 */
import { TemplateError } from "./error.ts";
import type {
  Binary,
  Compare,
  Extends,
  Frame,
  FromImport,
  If,
  Import,
  Literal,
  LookupVal,
  Name,
  Node,
  NodeList,
  NodeSet,
  Nunjucks,
  Pair,
  PyArgs,
  PyCall,
  PyCallBlock,
  PyFilter,
  PyFilterBlock,
  PyFor,
  PyGetattr,
  PyInclude,
  PyMacro,
  PySet,
  PySetBlock,
  PyTest,
  PyWith,
  Unary,
} from "./nodes.ts";
import { PyFloat } from "./py.ts";
import { FILTERS, TESTS, unknownPlugin } from "./registry.ts";

const J = JSON.stringify;

/** Options for one compilation. */
export interface CompileOptions {
  /** Template name for error messages. */
  readonly name: string;
  /** The root holds one `{{ expr }}`: return its value instead of printing it. */
  readonly capture?: boolean;
}

/** A compiler: `compile(root)`, then `getCode()` is the template's JS. */
export interface Compiler {
  compile(node: Node, frame?: Frame): void;
  getCode(): string;
}

/** What this compiler uses of nunjucks' own (untyped) Compiler. */
interface NunjucksCompiler extends Compiler {
  templateName: string;
  buffer: string | null;
  inBlock: boolean;
  _scopeClosers: string;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _pushBuffer(): string;
  _popBuffer(): void;
  _withScopedSyntax(fn: () => void): void;
  _closeScopeLevels(): void;
  _addScopeLevel(): void;
  _templateName(): string;
  _makeCallback(id: string): string;
  _compileGetTemplate(node: Node, frame: Frame, eager: boolean, ignoreMissing: boolean): string;
  _compileChildren(node: Node, frame: Frame): void;
  compileImport(node: Import, frame: Frame): void;
  compileExtends(node: Extends, frame: Frame): void;
}

/** Builds the compiler class on top of the loaded nunjucks module. */
export function defineCompiler(
  nunjucks: Nunjucks,
  N: NodeSet,
): new (options: CompileOptions) => Compiler {
  const Base = nunjucks.compiler.Compiler as new (
    name: string,
    throwOnUndefined: boolean,
  ) => NunjucksCompiler;
  const Frame = nunjucks.runtime.Frame;

  class PyCompiler extends Base {
    declare capture: boolean;
    declare currentBlock: string | null;
    declare filterInput: (() => void) | null;

    constructor(options: CompileOptions) {
      super(options.name, false);
      this.capture = Boolean(options.capture);
      this.currentBlock = null;
      this.filterInput = null;
    }

    fail(msg: string, lineno?: number, colno?: number, kind = "TemplateSyntaxError"): never {
      throw new TemplateError(msg, {
        kind,
        templateName: this.templateName,
        ...(lineno !== undefined ? { line: lineno } : {}),
        ...(colno !== undefined ? { column: colno } : {}),
      });
    }

    _emitFuncBegin(node: Node, name: string): void {
      this.buffer = "output";
      this._scopeClosers = "";
      this._emitLine(`function ${name}(env, context, frame, runtime, cb) {`);
      this._emitLine(`var lineno = ${node.lineno || 0}; var colno = ${node.colno || 0};`);
      this._emitLine("var R = env.py;");
      this._emitLine(`var ${this.buffer} = "";`);
      this._emitLine("try {");
    }

    _emitFuncEnd(noReturn?: boolean): void {
      if (!noReturn) this._emitLine(`cb(null, ${this.buffer});`);
      this._closeScopeLevels();
      this._emitLine("} catch (e) {");
      this._emitLine(`  cb(R.locate(e, ${J(this.templateName)}, lineno, colno));`);
      this._emitLine("}");
      this._emitLine("}");
      this.buffer = null;
    }

    _compileExpression(node: Node, frame: Frame): void {
      this.compile(node, frame);
    }

    assertType(): void {}

    _pos(node: Node): void {
      if (node.lineno) this._emitLine(`lineno = ${node.lineno}; colno = ${node.colno || 0};`);
    }

    _list(nodes: readonly Node[], frame: Frame): void {
      nodes.forEach((n, i) => {
        if (i) this._emit(", ");
        this.compile(n, frame);
      });
    }

    // -- expressions ---------------------------------------------------------------------------
    compileLiteral(node: Literal): void {
      const v = node.value;
      if (typeof v === "string") this._emit(J(v));
      else if (v === null) this._emit("null");
      else if (v instanceof PyFloat) {
        const n = v.value;
        this._emit(
          `R.F(${
            Number.isFinite(n)
              ? String(n)
              : n > 0
              ? "Infinity"
              : Number.isNaN(n)
              ? "NaN"
              : "-Infinity"
          })`,
        );
      } else if (typeof v === "number" && !Number.isFinite(v)) {
        this._emit(v > 0 ? "Infinity" : "-Infinity");
      } else this._emit(String(v));
    }

    compileTemplateData(node: Name): void {
      this._emit(J(node.value));
    }

    compileSymbol(node: Name, frame: Frame): void {
      const name = node.value;
      const id = frame.lookup(name);
      if (id) this._emit(`(${id} !== undefined ? ${id} : R.name(context, frame, ${J(name)}))`);
      else this._emit(`R.name(context, frame, ${J(name)})`);
    }

    compileLookupVal(node: LookupVal, frame: Frame): void {
      if (node.val instanceof N.PySlice) {
        this._emit("R.slice(");
        this.compile(node.target, frame);
        for (const part of [node.val.start, node.val.stop, node.val.step]) {
          this._emit(", ");
          if (part) this.compile(part, frame);
          else this._emit("null");
        }
        this._emit(")");
        return;
      }
      this._emit("R.item(");
      this.compile(node.target, frame);
      this._emit(", ");
      this.compile(node.val, frame);
      this._emit(")");
    }

    compilePySlice(node: Node): void {
      this.fail("slices are only valid inside []", node.lineno);
    }

    compilePyGetattr(node: PyGetattr, frame: Frame): void {
      this._emit("R.attr(");
      this.compile(node.target, frame);
      this._emit(`, ${J(node.attr)})`);
    }

    compileArray(node: NodeList, frame: Frame): void {
      this._emit("[");
      this._list(node.children, frame);
      this._emit("]");
    }

    compilePyTuple(node: NodeList, frame: Frame): void {
      this._emit("R.tuple([");
      this._list(node.children, frame);
      this._emit("])");
    }

    compileDict(node: NodeList<Pair>, frame: Frame): void {
      this._emit("R.dict([");
      node.children.forEach((pair, i) => {
        if (i) this._emit(", ");
        this.compile(pair.key, frame);
        this._emit(", ");
        this.compile(pair.value, frame);
      });
      this._emit("])");
    }

    compilePyConcat(node: NodeList, frame: Frame): void {
      this._emit("R.concat([");
      this._list(node.children, frame);
      this._emit("])");
    }

    compileInlineIf(node: If, frame: Frame): void {
      this._emit("(R.bool(");
      this.compile(node.cond, frame);
      this._emit(") ? (");
      this.compile(node.body, frame);
      this._emit(") : (");
      if (node.else_) this.compile(node.else_, frame);
      else {
        this._emit(
          `R.undef(${
            J(`the inline if-expression on line ${node.lineno} evaluated to false and no else section was defined.`)
          })`,
        );
      }
      this._emit("))");
    }

    _lazyBinary(fn: string, node: Binary, frame: Frame): void {
      this._emit(`R.${fn}(`);
      this.compile(node.left, frame);
      this._emit(", function() { return ");
      this.compile(node.right, frame);
      this._emit("; })");
    }

    compileOr(node: Binary, frame: Frame): void {
      this._lazyBinary("or", node, frame);
    }
    compileAnd(node: Binary, frame: Frame): void {
      this._lazyBinary("and", node, frame);
    }
    compileNot(node: Unary, frame: Frame): void {
      this._emit("!R.bool(");
      this.compile(node.target, frame);
      this._emit(")");
    }

    _binary(fn: string, node: Binary, frame: Frame): void {
      this._emit(`R.${fn}(`);
      this.compile(node.left, frame);
      this._emit(", ");
      this.compile(node.right, frame);
      this._emit(")");
    }
    compileAdd(node: Binary, frame: Frame): void {
      this._binary("add", node, frame);
    }
    compileSub(node: Binary, frame: Frame): void {
      this._binary("sub", node, frame);
    }
    compileMul(node: Binary, frame: Frame): void {
      this._binary("mul", node, frame);
    }
    compileDiv(node: Binary, frame: Frame): void {
      this._binary("div", node, frame);
    }
    compileFloorDiv(node: Binary, frame: Frame): void {
      this._binary("floordiv", node, frame);
    }
    compileMod(node: Binary, frame: Frame): void {
      this._binary("mod", node, frame);
    }
    compilePow(node: Binary, frame: Frame): void {
      this._binary("pow", node, frame);
    }
    compileNeg(node: Unary, frame: Frame): void {
      this._emit("R.neg(");
      this.compile(node.target, frame);
      this._emit(")");
    }
    compilePos(node: Unary, frame: Frame): void {
      this._emit("R.pos(");
      this.compile(node.target, frame);
      this._emit(")");
    }

    compileCompare(node: Compare, frame: Frame): void {
      const ops = node.ops;
      const [only] = ops;
      if (ops.length === 1 && only) {
        this._emit(`R.cmp(${J(only.type)}, `);
        this.compile(node.expr, frame);
        this._emit(", ");
        this.compile(only.expr, frame);
        this._emit(")");
        return;
      }
      this._emit("R.chain(");
      this.compile(node.expr, frame);
      this._emit(", [");
      ops.forEach((op, i) => {
        if (i) this._emit(", ");
        this._emit(`[${J(op.type)}, function() { return `);
        this.compile(op.expr, frame);
        this._emit("; }]");
      });
      this._emit("])");
    }

    _callTail(node: PyArgs, frame: Frame, extraKw?: string): void {
      this._emit("], ");
      const kws = node.kwargs.children;
      if (kws.length || extraKw) {
        this._emit("{");
        kws.forEach((k, i) => {
          if (i) this._emit(", ");
          this._emit(`${J(k.key)}: `);
          this.compile(k.value, frame);
        });
        if (extraKw) this._emit(`${kws.length ? ", " : ""}${extraKw}`);
        this._emit("}");
      } else this._emit("null");
      if (node.dynArgs || node.dynKwargs) {
        this._emit(", ");
        if (node.dynArgs) this.compile(node.dynArgs, frame);
        else this._emit("undefined");
        this._emit(", ");
        if (node.dynKwargs) this.compile(node.dynKwargs, frame);
        else this._emit("undefined");
      }
      this._emit(")");
    }

    compilePyCall(node: PyCall, frame: Frame, extraKw?: string): void {
      if (
        node.node instanceof N.Symbol && node.node.value === "super" && this.currentBlock &&
        !node.args.children.length && !frame.lookup("super")
      ) {
        const b = this.currentBlock;
        this._emit(`R.superBlock(env, context, frame, runtime, ${J(b)}, b_${b})`);
        return;
      }
      this._emit("R.call(");
      this.compile(node.node, frame);
      this._emit(", [");
      this._list(node.args.children, frame);
      this._callTail(node, frame, extraKw);
    }

    compilePyFilter(node: PyFilter, frame: Frame): void {
      if (!FILTERS.has(node.name)) this.fail(unknownPlugin(node.name).reason, node.lineno);
      this._emit(`R.filter(${J(node.name)}, [`);
      if (node.node) this.compile(node.node, frame);
      else if (this.filterInput) this.filterInput();
      else this._emit("undefined");
      for (const a of node.args.children) {
        this._emit(", ");
        this.compile(a, frame);
      }
      this._callTail(node, frame);
    }

    compilePyTest(node: PyTest, frame: Frame): void {
      if (!TESTS.has(node.name)) this.fail(unknownPlugin(node.name).reason, node.lineno);
      this._emit(`R.test(${J(node.name)}, [`);
      this.compile(node.node, frame);
      for (const a of node.args.children) {
        this._emit(", ");
        this.compile(a, frame);
      }
      this._callTail(node, frame);
    }

    compilePyKeyword(node: Node): void {
      this.fail("unexpected keyword argument", node.lineno);
    }

    // -- output and control flow ---------------------------------------------------------------
    compileOutput(node: NodeList, frame: Frame): void {
      if (this.capture) {
        // The parser captures only a root whose one child is one expression.
        const child = node.children[0]!;
        this._pos(child);
        this._emit(`${this.buffer} = `);
        this.compile(child, frame);
        this._emitLine(";");
        return;
      }
      for (const child of node.children) {
        if (child instanceof N.TemplateData) {
          if (child.value) this._emitLine(`${this.buffer} += ${J(child.value)};`);
          continue;
        }
        this._pos(child);
        this._emit(`${this.buffer} += R.out(`);
        this.compile(child, frame);
        this._emitLine(");");
      }
    }

    compileIf(node: If, frame: Frame): void {
      this._pos(node);
      this._emit("if (R.bool(");
      this.compile(node.cond, frame);
      this._emitLine(")) {");
      this._withScopedSyntax(() => this.compile(node.body, frame));
      const else_ = node.else_;
      if (else_) {
        this._emitLine("} else {");
        this._withScopedSyntax(() => this.compile(else_, frame));
      }
      this._emitLine("}");
    }

    /** Binds an assignment target to the JS expression `code` in the current scope. */
    _bind(target: Node, code: string, frame: Frame, declareOnly = false): void {
      if (target instanceof N.PyTuple) {
        const u = this._tmpid();
        this._emitLine(`var ${u} = R.unpack(${code}, ${target.children.length});`);
        target.children.forEach((c, i) => this._bind(c, `${u}[${i}]`, frame, declareOnly));
        return;
      }
      if (!(target instanceof N.Symbol)) {
        this.fail(`cannot assign to ${target.typename}`, target.lineno);
      }
      const name = target.value;
      let id = frame.variables[name];
      if (!id) {
        id = this._tmpid();
        this._emitLine(`var ${id};`);
        frame.set(name, id);
      }
      this._emitLine(`${id} = ${code};`);
      this._emitLine(`frame.set(${J(name)}, ${id});`);
      if (!declareOnly) {
        this._emitLine(
          `if (frame.topLevel) { context.setVariable(${J(name)}, ${id});${
            name.startsWith("_") ? "" : ` context.addExport(${J(name)});`
          } }`,
        );
      }
    }

    compilePyFor(node: PyFor, frame: Frame): void {
      this._pos(node);
      const iter = this._tmpid();
      const outer = this._tmpid();
      this._emit(`var ${iter} = `);
      this.compile(node.iter, frame);
      this._emitLine(";");
      this._emitLine(`var ${outer} = frame;`);
      let test = "null";
      if (node.test) {
        test = this._tmpid();
        const tf = frame.push();
        const item = this._tmpid();
        this._emitLine(`var ${test} = function(${item}) {`);
        this._emitLine(`var frame = ${outer}.push();`);
        this._bind(node.target, item, tf, true);
        this._emit("return R.bool(");
        this.compile(node.test, tf);
        this._emitLine(");");
        this._emitLine("};");
      }
      const body = this._tmpid();
      const item = this._tmpid();
      const loop = this._tmpid();
      const bf = frame.push();
      this._emitLine(`var ${body} = function(${item}, ${loop}) {`);
      this._emitLine(`var frame = ${outer}.push();`);
      this._emitLine(`frame.set("loop", ${loop});`);
      bf.set("loop", loop);
      this._bind(node.target, item, bf, true);
      const buf = this._pushBuffer();
      this._withScopedSyntax(() => this.compile(node.body, bf));
      this._emitLine(`return ${buf};`);
      this._popBuffer();
      this._emitLine("};");
      this._emitLine(
        `${this.buffer} += R.forLoop(${iter}, ${test}, ${body}, ${Boolean(node.recursive)});`,
      );
      const else_ = node.else_;
      if (else_) {
        this._emitLine("if (R.loopCount === 0) {");
        this._withScopedSyntax(() => this.compile(else_, frame));
        this._emitLine("}");
      }
    }

    compilePySet(node: PySet, frame: Frame): void {
      this._pos(node);
      const t = node.target;
      if (t instanceof N.PyNSRef) {
        this._emit(`R.nsSet(R.name(context, frame, ${J(t.name)}), ${J(t.attr)}, `);
        this.compile(node.value, frame);
        this._emitLine(");");
        return;
      }
      const v = this._tmpid();
      this._emit(`var ${v} = `);
      this.compile(node.value, frame);
      this._emitLine(";");
      this._bind(t, v, frame);
    }

    /** Emits an expression that renders `body` and returns the text. */
    _capture(body: Node, frame: Frame): void {
      this._emitLine("(function() {");
      const buf = this._pushBuffer();
      this._withScopedSyntax(() => this.compile(body, frame));
      this._emitLine(`return ${buf};`);
      this._popBuffer();
      this._emit("})()");
    }

    _filtered(filter: PyFilter, frame: Frame, input: () => void): void {
      const saved = this.filterInput;
      // The innermost filter of the chain has no node: it reads the captured text.
      this.filterInput = input;
      this.compile(filter, frame);
      this.filterInput = saved;
    }

    compilePySetBlock(node: PySetBlock, frame: Frame): void {
      this._pos(node);
      const v = this._tmpid();
      this._emit(`var ${v} = `);
      this._capture(node.body, frame);
      this._emitLine(";");
      if (node.filter) {
        this._emit(`${v} = `);
        this._filtered(node.filter, frame, () => this._emit(v));
        this._emitLine(";");
      }
      const t = node.target;
      if (t instanceof N.PyNSRef) {
        this._emitLine(`R.nsSet(R.name(context, frame, ${J(t.name)}), ${J(t.attr)}, ${v});`);
        return;
      }
      this._bind(t, v, frame);
    }

    compilePyFilterBlock(node: PyFilterBlock, frame: Frame): void {
      this._pos(node);
      const v = this._tmpid();
      this._emit(`var ${v} = `);
      this._capture(node.body, frame);
      this._emitLine(";");
      this._emit(`${this.buffer} += R.out(`);
      this._filtered(node.filter, frame, () => this._emit(v));
      this._emitLine(");");
    }

    compilePyWith(node: PyWith, frame: Frame): void {
      this._pos(node);
      const values = node.values.children.map((v) => {
        const id = this._tmpid();
        this._emit(`var ${id} = `);
        this.compile(v, frame);
        this._emitLine(";");
        return id;
      });
      const wf = frame.push();
      this._emitLine("frame = frame.push();");
      node.targets.children.forEach((t, i) => this._bind(t, values[i]!, wf, true));
      this._withScopedSyntax(() => this.compile(node.body, wf));
      this._emitLine("frame = frame.pop();");
    }

    /** Emits `R.macro(...)` for a macro or a call block's caller; returns the JS id. */
    _macro(
      name: string,
      args: NodeList<Name>,
      defaults: NodeList,
      body: Node,
      frame: Frame,
    ): string {
      const id = `macro_${this._tmpid()}`;
      const outer = this._tmpid();
      const params: string[] = args.children.map((a) => a.value);
      const used = new Set(body.findAll(N.Symbol).map((s) => s.value));
      const mf = frame.push(true);
      this._emitLine(`var ${outer} = frame;`);
      const locals = params.map((p) => `l_${p}`);
      this._emitLine(
        `var ${id} = R.macro(${J(name)}, ${J(params)}, ${defaults.children.length}, ${
          used.has("varargs")
        }, ${used.has("kwargs")}, ${used.has("caller")}, function(${
          [...locals, "l_varargs", "l_kwargs", "l_caller"].join(", ")
        }) {`,
      );
      this._emitLine(`var frame = ${outer}.push(true);`);
      const first = params.length - defaults.children.length;
      params.forEach((p, i) => {
        if (i >= first) {
          this._emit(`if (l_${p} === R.MISSING) l_${p} = `);
          this.compile(defaults.children[i - first]!, mf);
          this._emitLine(";");
        }
        this._emitLine(`frame.set(${J(p)}, l_${p});`);
        mf.set(p, `l_${p}`);
      });
      for (const special of ["varargs", "kwargs", "caller"]) {
        if (!params.includes(special)) {
          this._emitLine(`frame.set(${J(special)}, l_${special});`);
          mf.set(special, `l_${special}`);
        }
      }
      const buf = this._pushBuffer();
      this._withScopedSyntax(() => this.compile(body, mf));
      this._emitLine(`return ${buf};`);
      this._popBuffer();
      this._emitLine("});");
      return id;
    }

    compilePyMacro(node: PyMacro, frame: Frame): void {
      this._pos(node);
      const id = this._macro(node.name, node.args, node.defaults, node.body, frame);
      frame.set(node.name, id);
      this._emitLine(`frame.set(${J(node.name)}, ${id});`);
      this._emitLine(
        `if (frame.topLevel) { context.setVariable(${J(node.name)}, ${id});${
          node.name.startsWith("_") ? "" : ` context.addExport(${J(node.name)});`
        } }`,
      );
    }

    compilePyCallBlock(node: PyCallBlock, frame: Frame): void {
      this._pos(node);
      const id = this._macro("caller", node.args, node.defaults, node.body, frame);
      this._emit(`${this.buffer} += R.out(`);
      this.compilePyCall(node.call, frame, `"caller": ${id}`);
      this._emitLine(");");
    }

    compilePyInclude(node: PyInclude, frame: Frame): void {
      this._pos(node);
      this._emit(`${this.buffer} += R.include(env, context, frame, `);
      this.compile(node.template, frame);
      this._emitLine(`, ${node.ignoreMissing}, ${node.withContext}, ${this._templateName()});`);
    }

    override compileImport(node: Import, frame: Frame): void {
      this._pos(node);
      super.compileImport(node, frame);
    }

    compileFromImport(node: FromImport, frame: Frame): void {
      this._pos(node);
      const imported = this._compileGetTemplate(node, frame, false, false);
      this._addScopeLevel();
      this._emitLine(
        `${imported}.getExported(${node.withContext ? "context.getVariables(), frame, " : ""}${
          this._makeCallback(imported)
        }`,
      );
      this._addScopeLevel();
      for (const nameNode of node.names.children) {
        const name = nameNode instanceof N.Pair ? nameNode.key.value : nameNode.value;
        const alias = nameNode instanceof N.Pair ? nameNode.value.value : name;
        const id = this._tmpid();
        this._emitLine(
          `var ${id} = Object.prototype.hasOwnProperty.call(${imported}, ${
            J(name)
          }) ? ${imported}[${J(name)}] : R.missingImport(${J(name)}, ${node.lineno});`,
        );
        frame.set(alias, id);
        this._emitLine(`frame.set(${J(alias)}, ${id});`);
        this._emitLine(`if (frame.topLevel) { context.setVariable(${J(alias)}, ${id}); }`);
      }
    }

    override compileExtends(node: Extends, frame: Frame): void {
      this._pos(node);
      if (this.buffer === "output") this._emitLine("if (!parentTemplate) preExtends = output;");
      super.compileExtends(node, frame);
    }

    compileRoot(node: NodeList, frame: Frame): void {
      if (frame) this.fail("compileRoot: root node can't have frame");
      frame = new Frame();
      this._emitFuncBegin(node, "root");
      this._emitLine("var parentTemplate = null;");
      this._emitLine('var preExtends = "";');
      this._compileChildren(node, frame);
      this._emitLine("if(parentTemplate) {");
      // Jinja prints what came before {% extends %}, then the parent.
      this._emitLine(
        "parentTemplate.rootRenderFunc(env, context, frame, runtime, function(e, r) { cb(e, e ? r : preExtends + r); });",
      );
      this._emitLine("} else {");
      this._emitLine(`cb(null, ${this.buffer});`);
      this._emitLine("}");
      this._emitFuncEnd(true);
      this.inBlock = true;
      const names: string[] = [];
      for (const block of node.findAll(N.Block)) {
        const name = block.name.value;
        if (names.includes(name)) {
          this.fail(
            `block '${name}' defined twice`,
            block.lineno,
            undefined,
            "TemplateAssertionError",
          );
        }
        names.push(name);
        this.currentBlock = name;
        this._emitFuncBegin(block, `b_${name}`);
        this._emitLine("var frame = frame.push(true);");
        this.compile(block.body, new Frame());
        this._emitFuncEnd();
        this.currentBlock = null;
      }
      this._emitLine("return {");
      for (const name of names) this._emitLine(`b_${name}: b_${name},`);
      this._emitLine("root: root\n};");
    }
  }
  return PyCompiler;
}
