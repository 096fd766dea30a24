/**
 * The syntax tree: nunjucks' node classes where their shape fits, plus the Jinja2 constructs
 * nunjucks lacks (attribute vs item access, slices, tuples, tests with arguments, loop filters,
 * namespaces, `with`, call blocks with arguments...). Defined once nunjucks is loaded.
 *
 * @module
 */

// nunjucks ships no types for its internals (nodes, compiler, runtime): these interfaces name the
// shapes the parser builds and the compiler reads.

/** A syntax tree node: nunjucks' Node, or one of ours built on it. */
export interface Node {
  readonly typename: string;
  lineno: number;
  colno: number;
  /** Every descendant that is a `type`. */
  findAll<T extends Node>(type: NodeClass<T>): T[];
}

/** A node constructor: `new C(lineno, colno, ...fields)`. */
export type NodeClass<T extends Node = Node> = new (
  lineno: number,
  colno: number,
  ...fields: unknown[]
) => T;

/** Root, Output, Array, tuples, concatenations, argument lists: an ordered list of nodes. */
export interface NodeList<T extends Node = Node> extends Node {
  children: T[];
}
/** A constant. */
export interface Literal extends Node {
  value: unknown;
}
/** A name, or template text. */
export interface Name extends Node {
  value: string;
}
/** A dict entry, or `name as alias` in a from-import. */
export interface Pair<K extends Node = Node, V extends Node = Node> extends Node {
  key: K;
  value: V;
}
/** `target[val]`. */
export interface LookupVal extends Node {
  target: Node;
  val: Node;
}
/** `{% if %}` and the inline `a if b else c`. */
export interface If extends Node {
  cond: Node;
  body: Node;
  else_: Node | null;
}
/** `left op right`. */
export interface Binary extends Node {
  left: Node;
  right: Node;
}
/** `op target`. */
export interface Unary extends Node {
  target: Node;
}
/** `expr op1 a op2 b ...`. */
export interface Compare extends Node {
  expr: Node;
  ops: CompareOperand[];
}
/** One `op expr` of a comparison. */
export interface CompareOperand extends Node {
  expr: Node;
  type: string;
}
/** `{% block name %}`. */
export interface Block extends Node {
  name: Name;
  body: Node;
}
/** `{% extends template %}`. */
export interface Extends extends Node {
  template: Node;
}
/** `{% import template as target %}`. */
export interface Import extends Node {
  template: Node;
  target: Name;
  withContext: boolean | null;
}
/** `{% from template import a, b as c %}`. */
export interface FromImport extends Node {
  template: Node;
  names: NodeList<Name | Pair<Name, Name>>;
  withContext: boolean | null;
}
/** `target.attr`. */
export interface PyGetattr extends Node {
  target: Node;
  attr: string;
}
/** `start:stop:step` inside `[]`. */
export interface PySlice extends Node {
  start: Node | null;
  stop: Node | null;
  step: Node | null;
}
/** `key=value` in a call. */
export interface PyKeyword extends Node {
  key: string;
  value: Node;
}
/** The arguments of a call, filter or test. */
export interface PyArgs extends Node {
  args: NodeList;
  kwargs: NodeList<PyKeyword>;
  dynArgs: Node | null;
  dynKwargs: Node | null;
}
/** `node(args)`. */
export interface PyCall extends PyArgs {
  node: Node;
}
/** `node | name(args)`; no node inside a filter block or `set` block chain. */
export interface PyFilter extends PyArgs {
  node: Node | null;
  name: string;
}
/** `node is name(args)`. */
export interface PyTest extends PyArgs {
  node: Node;
  name: string;
}
/** `{% for target in iter if test recursive %}`. */
export interface PyFor extends Node {
  target: Node;
  iter: Node;
  body: Node;
  else_: Node | null;
  test: Node | null;
  recursive: boolean;
}
/** `ns.attr` as an assignment target. */
export interface PyNSRef extends Node {
  name: string;
  attr: string;
}
/** `{% set target = value %}`. */
export interface PySet extends Node {
  target: Node;
  value: Node;
}
/** `{% set target | filter %}body{% endset %}`. */
export interface PySetBlock extends Node {
  target: Node;
  filter: PyFilter | null;
  body: Node;
}
/** `{% with a = 1, b = 2 %}`. */
export interface PyWith extends Node {
  targets: NodeList;
  values: NodeList;
  body: Node;
}
/** `{% macro name(args, defaults) %}`. */
export interface PyMacro extends Node {
  name: string;
  args: NodeList<Name>;
  defaults: NodeList;
  body: Node;
}
/** `{% call(args) call %}body{% endcall %}`. */
export interface PyCallBlock extends Node {
  call: PyCall;
  args: NodeList<Name>;
  defaults: NodeList;
  body: Node;
}
/** `{% filter f %}body{% endfilter %}`. */
export interface PyFilterBlock extends Node {
  filter: PyFilter;
  body: Node;
}
/** `{% include template ignore missing with context %}`. */
export interface PyInclude extends Node {
  template: Node;
  ignoreMissing: boolean;
  withContext: boolean | null;
}

/** The node classes the parser builds and the compiler compiles. */
export interface NodeSet {
  Node: NodeClass;
  NodeList: NodeClass<NodeList>;
  Root: NodeClass<NodeList>;
  Output: NodeClass<NodeList>;
  TemplateData: NodeClass<Name>;
  Literal: NodeClass<Literal>;
  Symbol: NodeClass<Name>;
  Array: NodeClass<NodeList>;
  Dict: NodeClass<NodeList<Pair>>;
  Pair: NodeClass<Pair>;
  LookupVal: NodeClass<LookupVal>;
  If: NodeClass<If>;
  InlineIf: NodeClass<If>;
  Or: NodeClass<Binary>;
  And: NodeClass<Binary>;
  Not: NodeClass<Unary>;
  Add: NodeClass<Binary>;
  Sub: NodeClass<Binary>;
  Mul: NodeClass<Binary>;
  Div: NodeClass<Binary>;
  FloorDiv: NodeClass<Binary>;
  Mod: NodeClass<Binary>;
  Pow: NodeClass<Binary>;
  Neg: NodeClass<Unary>;
  Pos: NodeClass<Unary>;
  Compare: NodeClass<Compare>;
  CompareOperand: NodeClass<CompareOperand>;
  Block: NodeClass<Block>;
  Extends: NodeClass<Extends>;
  Import: NodeClass<Import>;
  FromImport: NodeClass<FromImport>;
  // Jinja2 constructs
  PyGetattr: NodeClass<PyGetattr>;
  PySlice: NodeClass<PySlice>;
  PyTuple: NodeClass<NodeList>;
  PyConcat: NodeClass<NodeList>;
  PyCall: NodeClass<PyCall>;
  PyFilter: NodeClass<PyFilter>;
  PyTest: NodeClass<PyTest>;
  PyFor: NodeClass<PyFor>;
  PySet: NodeClass<PySet>;
  PySetBlock: NodeClass<PySetBlock>;
  PyNSRef: NodeClass<PyNSRef>;
  PyWith: NodeClass<PyWith>;
  PyMacro: NodeClass<PyMacro>;
  PyCallBlock: NodeClass<PyCallBlock>;
  PyFilterBlock: NodeClass<PyFilterBlock>;
  PyInclude: NodeClass<PyInclude>;
  PyKeyword: NodeClass<PyKeyword>;
}

/** A nunjucks node class as its module exports it: constructible and extendable. */
interface NunjucksNodeClass extends NodeClass {
  extend(name: string, props?: { fields: string[] }): NunjucksNodeClass;
}

/** The nunjucks node classes the engine uses as they are. */
type NunjucksNodes = {
  readonly [K in Exclude<keyof NodeSet, `Py${string}`>]: NunjucksNodeClass;
};

/** The parts of the nunjucks module the engine uses. */
export interface Nunjucks {
  readonly nodes: NunjucksNodes;
  readonly compiler: { readonly Compiler: new (name: string, throwOnUndefined: boolean) => object };
  readonly runtime: { readonly Frame: new () => Frame };
  readonly Environment: new (loaders: unknown[], options: object) => NunjucksEnvironment;
  readonly Template: new (
    src: object,
    env: NunjucksEnvironment,
    path: string,
  ) => NunjucksTemplate;
}

/** nunjucks' scope frame: compile-time and run-time variable bindings. */
export interface Frame {
  variables: Record<string, string | undefined>;
  topLevel: boolean;
  set(name: string, value: unknown): void;
  /** At compile time the JS id bound to a name; at run time its value. */
  lookup(name: string): unknown;
  push(isolate?: boolean): Frame;
  pop(): Frame;
}

/** A loaded template, as `getTemplate` returns it. */
export interface NunjucksTemplate {
  render(vars: object, frame?: Frame): string;
}

/** nunjucks' render context. */
export interface NunjucksContext {
  readonly ctx: Record<string, unknown>;
  getVariables(): Record<string, unknown>;
  getSuper(
    env: NunjucksEnvironment,
    name: string,
    block: unknown,
    frame: Frame,
    runtime: unknown,
    cb: (err: unknown, out: string) => void,
  ): void;
}

/** nunjucks' environment, as the engine configures it. */
export interface NunjucksEnvironment {
  globals: Record<string, unknown>;
  py: unknown;
  getTemplate(
    name: unknown,
    eager: unknown,
    parent: unknown,
    ignoreMissing: unknown,
    cb?: (err: unknown, tmpl?: NunjucksTemplate) => void,
  ): NunjucksTemplate;
}

/** Builds the node set on top of the loaded nunjucks module. */
export function defineNodes(nunjucks: Nunjucks): NodeSet {
  const n = nunjucks.nodes;
  const ext = (base: NunjucksNodeClass, name: string, fields: string[]) =>
    base.extend(name, { fields });
  const set: Record<keyof NodeSet, NunjucksNodeClass> = {
    Node: n.Node,
    NodeList: n.NodeList,
    Root: n.Root,
    Output: n.Output,
    TemplateData: n.TemplateData,
    Literal: n.Literal,
    Symbol: n.Symbol,
    Array: n.Array,
    Dict: n.Dict,
    Pair: n.Pair,
    LookupVal: n.LookupVal,
    If: n.If,
    InlineIf: n.InlineIf,
    Or: n.Or,
    And: n.And,
    Not: n.Not,
    Add: n.Add,
    Sub: n.Sub,
    Mul: n.Mul,
    Div: n.Div,
    FloorDiv: n.FloorDiv,
    Mod: n.Mod,
    Pow: n.Pow,
    Neg: n.Neg,
    Pos: n.Pos,
    Compare: n.Compare,
    CompareOperand: n.CompareOperand,
    Block: n.Block,
    Extends: n.Extends,
    Import: n.Import,
    FromImport: n.FromImport,
    PyGetattr: ext(n.Node, "PyGetattr", ["target", "attr"]),
    PySlice: ext(n.Node, "PySlice", ["start", "stop", "step"]),
    PyTuple: n.NodeList.extend("PyTuple"),
    PyConcat: n.NodeList.extend("PyConcat"),
    PyCall: ext(n.Node, "PyCall", ["node", "args", "kwargs", "dynArgs", "dynKwargs"]),
    PyFilter: ext(n.Node, "PyFilter", ["node", "name", "args", "kwargs", "dynArgs", "dynKwargs"]),
    PyTest: ext(n.Node, "PyTest", ["node", "name", "args", "kwargs", "dynArgs", "dynKwargs"]),
    PyFor: ext(n.Node, "PyFor", ["target", "iter", "body", "else_", "test", "recursive"]),
    PySet: ext(n.Node, "PySet", ["target", "value"]),
    PySetBlock: ext(n.Node, "PySetBlock", ["target", "filter", "body"]),
    PyNSRef: ext(n.Node, "PyNSRef", ["name", "attr"]),
    PyWith: ext(n.Node, "PyWith", ["targets", "values", "body"]),
    PyMacro: ext(n.Node, "PyMacro", ["name", "args", "defaults", "body"]),
    PyCallBlock: ext(n.Node, "PyCallBlock", ["call", "args", "defaults", "body"]),
    PyFilterBlock: ext(n.Node, "PyFilterBlock", ["filter", "body"]),
    PyInclude: ext(n.Node, "PyInclude", ["template", "ignoreMissing", "withContext"]),
    PyKeyword: ext(n.Node, "PyKeyword", ["key", "value"]),
  };
  // nunjucks is untyped: this is the one place its classes are declared to build the shapes above.
  return set as unknown as NodeSet;
}
