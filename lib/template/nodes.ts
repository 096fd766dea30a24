/**
 * The syntax tree: nunjucks' node classes where their shape fits, plus the Jinja2 constructs
 * nunjucks lacks (attribute vs item access, slices, tuples, tests with arguments, loop filters,
 * namespaces, `with`, call blocks with arguments...). Defined once nunjucks is loaded.
 *
 * @module
 */

// nunjucks ships no types for its internals (nodes, compiler, runtime).
// deno-lint-ignore no-explicit-any
export type Any = any;

/** A node constructor: `new C(lineno, colno, ...fields)`. */
export type NodeClass = new (lineno: number, colno: number, ...fields: Any[]) => Any;

/** The node classes the parser builds and the compiler compiles. */
export interface NodeSet {
  Node: NodeClass;
  NodeList: NodeClass;
  Root: NodeClass;
  Output: NodeClass;
  TemplateData: NodeClass;
  Literal: NodeClass;
  Symbol: NodeClass;
  Array: NodeClass;
  Dict: NodeClass;
  Pair: NodeClass;
  LookupVal: NodeClass;
  If: NodeClass;
  InlineIf: NodeClass;
  Or: NodeClass;
  And: NodeClass;
  Not: NodeClass;
  Add: NodeClass;
  Sub: NodeClass;
  Mul: NodeClass;
  Div: NodeClass;
  FloorDiv: NodeClass;
  Mod: NodeClass;
  Pow: NodeClass;
  Neg: NodeClass;
  Pos: NodeClass;
  Compare: NodeClass;
  CompareOperand: NodeClass;
  Block: NodeClass;
  Extends: NodeClass;
  Import: NodeClass;
  FromImport: NodeClass;
  // Jinja2 constructs
  PyGetattr: NodeClass;
  PySlice: NodeClass;
  PyTuple: NodeClass;
  PyConcat: NodeClass;
  PyCall: NodeClass;
  PyFilter: NodeClass;
  PyTest: NodeClass;
  PyFor: NodeClass;
  PySet: NodeClass;
  PySetBlock: NodeClass;
  PyNSRef: NodeClass;
  PyWith: NodeClass;
  PyMacro: NodeClass;
  PyCallBlock: NodeClass;
  PyFilterBlock: NodeClass;
  PyInclude: NodeClass;
  PyKeyword: NodeClass;
}

/** Builds the node set on top of the loaded nunjucks module. */
export function defineNodes(nunjucks: Any): NodeSet {
  const n = nunjucks.nodes;
  const ext = (base: Any, name: string, fields: string[]) => base.extend(name, { fields });
  return {
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
}
