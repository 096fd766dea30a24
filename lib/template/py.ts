/**
 * The Python value model templates see, so output and operators match Jinja2 under Ansible:
 * `repr()`/`str()` printing (`['a', 'b']`, `{'k': 1}`, `True`, `2.0`), truthiness, equality and
 * ordering, arithmetic (`10/5` is the float `2.0`), `len()`, iteration, and the undefined value.
 *
 * JS values map to Python ones as: `null` None, boolean bool, integral number int, other number
 * float, {@linkcode PyFloat} a float with an integral value (`2.0`), string str, array list, array
 * tagged by {@linkcode tuple} tuple, plain object dict, {@linkcode Undefined} undefined.
 *
 * @module
 */
import { pyError, TemplateError } from "./error.ts";

/** A float whose value is integral (`2.0`), which JS numbers cannot tell from the int `2`. */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return floatRepr(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** Whether a JS number stands for a Python int (integral and below 1e21, where JS prints digits). */
export function intLike(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 1e21;
}

/** Makes a Python float from a JS number (boxed when integral). */
export function toFloat(n: number): number | PyFloat {
  return intLike(n) ? new PyFloat(n) : n;
}

/** Whether `v` is a Python float. */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !intLike(v));
}

/** Whether `v` is a Python int (bool excluded). */
export function isInt(v: unknown): v is number {
  return typeof v === "number" && intLike(v);
}

/** Whether `v` is a Python number (int, float or bool, as `numbers.Number`). */
export function isNumber(v: unknown): boolean {
  return typeof v === "number" || v instanceof PyFloat || typeof v === "boolean";
}

/** The JS number of an int, float or bool; `null` for anything else. */
export function num(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

const TUPLE = Symbol.for("driftless.tuple");

/** Tags an array as a Python tuple (it prints as `(1, 2)` and is not equal to a list). */
export function tuple<T>(items: T[]): T[] {
  Object.defineProperty(items, TUPLE, { value: true });
  return items;
}

const FIELDS = Symbol.for("driftless.namedtuple");

/** A named tuple (e.g. groupby's `(grouper, list)`): a tuple whose items are also attributes. */
export function namedTuple<T>(items: T[], fields: string[]): T[] {
  tuple(items);
  Object.defineProperty(items, FIELDS, { value: fields });
  return items;
}

/** The attribute `name` of a named tuple, or undefined. */
export function namedField(v: unknown[], name: string): unknown {
  const fields = (v as unknown as Record<symbol, string[] | undefined>)[FIELDS];
  if (!fields) return undefined;
  const i = fields.indexOf(name);
  return i < 0 ? undefined : v[i];
}

/** Whether `v` is a tuple. */
export function isTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Whether `v` is a dict (a plain object). */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Base class of the objects the engine makes (namespace, loop, cycler, datetime...). */
export abstract class PyObject {
  /** Python type name, e.g. `Namespace`. */
  abstract get typeName(): string;
  /** `repr(self)`. */
  abstract repr(): string;
  /** `str(self)`. */
  str(): string {
    return this.repr();
  }
  /** `bool(self)`. */
  bool(): boolean {
    return true;
  }
  /** `getattr(self, name)`; `undefined` when missing. */
  getattr(_name: string): unknown {
    return undefined;
  }
  /** `iter(self)`; `undefined` when not iterable. */
  iter(): unknown[] | undefined {
    return undefined;
  }
  /** `self == other`. */
  eq(other: unknown): boolean {
    return this === other;
  }
}

/** Jinja's undefined value (Ansible's AnsibleUndefined): attribute access keeps the first failure. */
export class Undefined {
  constructor(
    readonly name?: string | number,
    readonly obj: unknown = MISSING,
    readonly hint?: string,
    /** Jinja's plain Undefined (an inline `if` without `else`): prints empty, is false. */
    readonly soft = false,
  ) {}

  /** Jinja's message: `'x' is undefined` or `'dict object' has no attribute 'y'`. */
  get message(): string {
    if (this.hint !== undefined) return this.hint;
    if (this.obj === MISSING) return `'${this.name}' is undefined`;
    if (typeof this.name !== "string") {
      // Jinja quotes the type for a missing attribute (%r) but not for an element (%s).
      return `${objectTypeRepr(this.obj).slice(1, -1)} has no element ${repr(this.name)}`;
    }
    return `${objectTypeRepr(this.obj)} has no attribute ${repr(this.name)}`;
  }

  /** The variable to name in errors: the top-level name, or the missing attribute. */
  get variable(): string | undefined {
    return this.name === undefined ? undefined : String(this.name);
  }

  /** Throws the undefined error. */
  fail(): never {
    const v = this.variable;
    throw new TemplateError(this.message, {
      kind: "UndefinedError",
      ...(v !== undefined ? { variable: v } : {}),
    });
  }
}

/** Marks "no object" for an undefined top-level name. */
export const MISSING: unique symbol = Symbol("missing");

/** Whether `v` is undefined (our Undefined or JS undefined). */
export function isUndefined(v: unknown): v is Undefined | undefined {
  return v === undefined || v instanceof Undefined;
}

/** Throws if `v` is undefined; returns it otherwise. */
export function defined<T>(v: T): Exclude<T, Undefined | undefined> {
  if (v instanceof Undefined) v.fail();
  if (v === undefined) throw new TemplateError("value is undefined", { kind: "UndefinedError" });
  return v as Exclude<T, Undefined | undefined>;
}

/** `object_type_repr`: `'dict object'`, `'None'`... as Jinja names objects in errors. */
export function objectTypeRepr(obj: unknown): string {
  if (obj === null) return "'None'";
  return `'${typeName(obj)} object'`;
}

/** The Python type name of a value. */
export function typeName(v: unknown): string {
  if (v === null) return "NoneType";
  if (v instanceof Undefined || v === undefined) return "AnsibleUndefined";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return intLike(v) ? "int" : "float";
    case "string":
      return "str";
    case "function":
      return "function";
  }
  if (v instanceof PyFloat) return "float";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (v instanceof PyObject) return v.typeName;
  if (isDict(v)) return "dict";
  if (v instanceof Uint8Array) return "bytes";
  return "object";
}

// ---------------------------------------------------------------------------------------------
// Printing

/** Python's `repr()` of a float. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const sign = n < 0 ? "-" : "";
  const [m, e] = Math.abs(n).toExponential().split("e") as [string, string];
  const digits = m.replace(".", "");
  const exp = parseInt(e, 10);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const a = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${a < 10 ? "0" : ""}${a}`;
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${intPart}.${digits.slice(exp + 1) || "0"}`;
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

/** Python's `repr()` of an int. */
export function intRepr(n: number): string {
  return Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a str. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x7f || ch === " ") out += ch;
    else if (NON_PRINTABLE.test(ch)) {
      out += cp <= 0xff
        ? `\\x${cp.toString(16).padStart(2, "0")}`
        : cp <= 0xffff
        ? `\\u${cp.toString(16).padStart(4, "0")}`
        : `\\U${cp.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's `repr()`. */
export function repr(v: unknown): string {
  switch (typeof v) {
    case "string":
      return strRepr(v);
    case "number":
      return intLike(v) ? intRepr(v) : floatRepr(v);
    case "boolean":
      return v ? "True" : "False";
    case "undefined":
      return "AnsibleUndefined";
    case "function":
      return `<function ${(v as { pyName?: string }).pyName ?? v.name ?? "function"}>`;
  }
  if (v === null) return "None";
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof Undefined) return "AnsibleUndefined";
  if (Array.isArray(v)) {
    const inner = v.map(repr).join(", ");
    if (isTuple(v)) return v.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  if (v instanceof PyObject) return v.repr();
  if (isDict(v)) {
    return `{${Object.entries(v).map(([k, x]) => `${strRepr(k)}: ${repr(x)}`).join(", ")}}`;
  }
  if (v instanceof Uint8Array) return `b${strRepr(new TextDecoder().decode(v))}`;
  if (typeof v === "object" && "toString" in v) return String(v);
  return String(v);
}

/** Python's `str()`; undefined raises. */
export function str(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return intLike(v) ? intRepr(v) : floatRepr(v);
    case "boolean":
      return v ? "True" : "False";
  }
  if (v === null) return "None";
  if (v instanceof Undefined && v.soft) return "";
  if (v instanceof Undefined || v === undefined) defined(v);
  if (v instanceof PyObject) return v.str();
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (isSafeString(v)) return String(v);
  return repr(v);
}

function isSafeString(v: unknown): boolean {
  return v instanceof String;
}

/** Raises on an undefined value anywhere inside a container (Ansible's `_fail_on_undefined`). */
export function failOnUndefined(v: unknown): void {
  if (v instanceof Undefined && v.soft) return;
  if (v instanceof Undefined || v === undefined) defined(v);
  if (Array.isArray(v)) { for (const x of v) failOnUndefined(x); }
  else if (isDict(v)) { for (const x of Object.values(v)) failOnUndefined(x); }
}

/** How a `{{ }}` prints under Ansible: None is empty, undefined raises, the rest is `str()`. */
export function finalize(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null) return "";
  if (typeof v === "object") failOnUndefined(v);
  return str(v);
}

// ---------------------------------------------------------------------------------------------
// Truth, equality, ordering

/** Python truthiness; undefined raises (StrictUndefined). */
export function truthy(v: unknown): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "function":
      return true;
    case "undefined":
      return defined(v);
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Undefined) return v.soft ? false : v.fail();
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof PyObject) return v.bool();
  if (isDict(v)) {
    for (const _ in v) return true;
    return false;
  }
  if (isSafeString(v)) return String(v).length > 0;
  return true;
}

/** Python `a == b`; undefined raises. */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b) {
    if (a instanceof Undefined || a === undefined) defined(a);
    return !(typeof a === "number" && Number.isNaN(a));
  }
  if (a instanceof Undefined || a === undefined) defined(a);
  if (b instanceof Undefined || b === undefined) defined(b);
  const x = num(a);
  if (x !== null) {
    const y = num(b);
    return y !== null && x === y;
  }
  if (typeof a === "string" || a === null || typeof b === "string" || b === null) {
    if (isSafeString(a) || isSafeString(b)) return String(a) === String(b);
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (isDict(a)) {
    if (!isDict(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !eq(a[k], b[k])) return false;
    return true;
  }
  if (a instanceof PyObject) return a.eq(b);
  if (b instanceof PyObject) return b.eq(a);
  return false;
}

const OP_SYMBOL: Record<string, string> = { lt: "<", gt: ">", lteq: "<=", gteq: ">=" };

/** Python ordering: -1, 0, 1; mixed types raise TypeError like Python 3. */
export function compare(a: unknown, b: unknown, op = "lt"): number {
  if (a instanceof Undefined || a === undefined) defined(a);
  if (b instanceof Undefined || b === undefined) defined(b);
  const x = num(a);
  const y = num(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!eq(a[i], b[i])) return compare(a[i], b[i], op);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  if (a instanceof PyObject && "compare" in a && typeof a.compare === "function") {
    return (a.compare as (o: unknown) => number)(b);
  }
  throw pyError(
    "TypeError",
    `'${OP_SYMBOL[op] ?? "<"}' not supported between instances of '${typeName(a)}' and '${
      typeName(b)
    }'`,
  );
}

/** Python `a in b`. */
export function contains(container: unknown, item: unknown): boolean {
  if (container instanceof Undefined || container === undefined) defined(container);
  if (item instanceof Undefined || item === undefined) defined(item);
  if (typeof container === "string") {
    if (typeof item !== "string") {
      throw pyError(
        "TypeError",
        `'in <string>' requires string as left operand, not ${typeName(item)}`,
      );
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => eq(x, item));
  if (isDict(container)) {
    if (typeof item === "string") return Object.hasOwn(container, item);
    if (typeof item === "number") return Object.hasOwn(container, String(item));
    if (Array.isArray(item) && !isTuple(item) || isDict(item)) {
      throw pyError("TypeError", `unhashable type: '${typeName(item)}'`);
    }
    return false;
  }
  if (container instanceof PyObject) {
    const items = container.iter();
    if (items) return items.some((x) => eq(x, item));
  }
  throw pyError("TypeError", `argument of type '${typeName(container)}' is not iterable`);
}

// ---------------------------------------------------------------------------------------------
// Sequences

const SURROGATE = /[\uD800-\uDFFF]/;

/** The code points of a string (Python indexes str by code point). */
export function chars(s: string): string[] {
  return SURROGATE.test(s) ? Array.from(s) : s.split("");
}

/** Python's `len()`. */
export function len(v: unknown): number {
  if (typeof v === "string") return SURROGATE.test(v) ? Array.from(v).length : v.length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof Undefined && v.soft) return 0;
  if (v instanceof Undefined || v === undefined) defined(v);
  if (v instanceof PyObject) {
    const items = v.iter();
    if (items) return items.length;
  }
  throw pyError("TypeError", `object of type '${typeName(v)}' has no len()`);
}

/** Python's `iter()`, materialised: list/tuple items, str code points, dict keys. */
export function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return chars(v);
  if (isDict(v)) return Object.keys(v);
  if (v instanceof Undefined && v.soft) return [];
  if (v instanceof Undefined || v === undefined) defined(v);
  if (v instanceof PyObject) {
    const items = v.iter();
    if (items) return items;
  }
  throw pyError("TypeError", `'${typeName(v)}' object is not iterable`);
}

/** Python's `list()`. */
export function list(v: unknown): unknown[] {
  return [...iterate(v)];
}

/** Python slicing `seq[start:stop:step]` for str, list and tuple. */
export function slice(seq: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (seq instanceof Undefined || seq === undefined) return seq;
  const items = typeof seq === "string" ? chars(seq) : Array.isArray(seq) ? seq : null;
  if (items === null) {
    throw pyError("TypeError", `'${typeName(seq)}' object is not subscriptable`);
  }
  const n = items.length;
  const st = step === null || step === undefined ? 1 : sliceIndex(step);
  if (st === 0) throw pyError("ValueError", "slice step cannot be zero");
  const norm = (v: unknown, dflt: number, lo: number, hi: number) => {
    if (v === null || v === undefined) return dflt;
    let i = sliceIndex(v);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = norm(start, 0, 0, n);
    const b = norm(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(items[i]);
  } else {
    const a = norm(start, n - 1, -1, n - 1);
    const b = norm(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(items[i]);
  }
  if (typeof seq === "string") return out.join("");
  return isTuple(seq) ? tuple(out) : out;
}

function sliceIndex(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (isInt(v)) return v;
  throw pyError(
    "TypeError",
    "slice indices must be integers or None or have an __index__ method",
  );
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

function operandError(op: string, a: unknown, b: unknown): TemplateError {
  return pyError(
    "TypeError",
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  );
}

function numResult(n: number, float: boolean): number | PyFloat {
  return float ? toFloat(n) : n;
}

/** Python `a + b`. */
export function add(a: unknown, b: unknown): unknown {
  if (a instanceof PyObject && "add" in a) {
    return (a as unknown as { add(o: unknown): unknown }).add(b);
  }
  const x = num(a);
  const y = num(b);
  if (x !== null && y !== null) return numResult(x + y, isFloat(a) || isFloat(b));
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const out = [...a, ...b];
    return isTuple(a) ? tuple(out) : out;
  }
  defined(a);
  defined(b);
  if (typeof a === "string") {
    throw pyError("TypeError", `can only concatenate str (not "${typeName(b)}") to str`);
  }
  if (Array.isArray(a)) {
    const t = isTuple(a) ? "tuple" : "list";
    throw pyError("TypeError", `can only concatenate ${t} (not "${typeName(b)}") to ${t}`);
  }
  throw operandError("+", a, b);
}

/** Python `a - b`. */
export function sub(a: unknown, b: unknown): unknown {
  if (a instanceof PyObject && "sub" in a) {
    return (a as unknown as { sub(o: unknown): unknown }).sub(b);
  }
  const x = num(defined(a));
  const y = num(defined(b));
  if (x === null || y === null) throw operandError("-", a, b);
  return numResult(x - y, isFloat(a) || isFloat(b));
}

/** Python `a * b`. */
export function mul(a: unknown, b: unknown): unknown {
  const x = num(defined(a));
  const y = num(defined(b));
  if (x !== null && y !== null) return numResult(x * y, isFloat(a) || isFloat(b));
  const repeat = (seq: unknown, n: unknown): unknown => {
    if (!isInt(n) && typeof n !== "boolean") return undefined;
    const count = Math.max(0, num(n)!);
    if (typeof seq === "string") return seq.repeat(count);
    if (Array.isArray(seq)) {
      const out: unknown[] = [];
      for (let i = 0; i < count; i++) out.push(...seq);
      return isTuple(seq) ? tuple(out) : out;
    }
    return undefined;
  };
  const r = repeat(a, b) ?? repeat(b, a);
  if (r !== undefined) return r;
  if (typeof a === "string" || typeof b === "string" || Array.isArray(a) || Array.isArray(b)) {
    const other = typeof a === "string" || Array.isArray(a) ? b : a;
    throw pyError(
      "TypeError",
      `can't multiply sequence by non-int of type '${typeName(other)}'`,
    );
  }
  throw operandError("*", a, b);
}

/** Python `a / b` (always a float). */
export function div(a: unknown, b: unknown): unknown {
  const x = num(defined(a));
  const y = num(defined(b));
  if (x === null || y === null) throw operandError("/", a, b);
  if (y === 0) throw pyError("ZeroDivisionError", "division by zero");
  return toFloat(x / y);
}

/** Python `a // b`. */
export function floordiv(a: unknown, b: unknown): unknown {
  const x = num(defined(a));
  const y = num(defined(b));
  if (x === null || y === null) throw operandError("//", a, b);
  const float = isFloat(a) || isFloat(b);
  if (y === 0) {
    throw pyError(
      "ZeroDivisionError",
      float ? "float floor division by zero" : "integer division or modulo by zero",
    );
  }
  return numResult(Math.floor(x / y), float);
}

/** Python `a % b`: modulo for numbers, printf-style formatting for strings. */
export function mod(a: unknown, b: unknown, format: (f: string, args: unknown) => string): unknown {
  if (typeof a === "string") return format(a, b);
  const x = num(defined(a));
  const y = num(defined(b));
  if (x === null || y === null) throw operandError("%", a, b);
  const float = isFloat(a) || isFloat(b);
  if (y === 0) {
    throw pyError(
      "ZeroDivisionError",
      float ? "float modulo" : "integer division or modulo by zero",
    );
  }
  return numResult(((x % y) + y) % y, float);
}

/** Python `a ** b`. */
export function pow(a: unknown, b: unknown): unknown {
  const x = num(defined(a));
  const y = num(defined(b));
  if (x === null || y === null) throw operandError("** or pow()", a, b);
  if (x === 0 && y < 0) {
    throw pyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
  }
  return numResult(Math.pow(x, y), isFloat(a) || isFloat(b) || y < 0);
}

/** Python unary `-x`. */
export function neg(a: unknown): unknown {
  const x = num(defined(a));
  if (x === null) throw pyError("TypeError", `bad operand type for unary -: '${typeName(a)}'`);
  return numResult(-x, isFloat(a));
}

/** Python unary `+x`. */
export function pos(a: unknown): unknown {
  const x = num(defined(a));
  if (x === null) throw pyError("TypeError", `bad operand type for unary +: '${typeName(a)}'`);
  return numResult(x, isFloat(a));
}

/** Jinja's `~`: the `str()` of each operand, joined. */
export function concat(parts: unknown[]): string {
  let out = "";
  for (const p of parts) out += str(p);
  return out;
}

/** A dict built from `[key, value, key, value...]` (keys become strings). */
export function dictFrom(pairs: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < pairs.length; i += 2) out[dictKey(pairs[i])] = pairs[i + 1];
  return out;
}

/** The string key a Python key maps to in a JS object. */
export function dictKey(k: unknown): string {
  if (typeof k === "string") return k;
  defined(k);
  if (Array.isArray(k) && !isTuple(k) || isDict(k)) {
    throw pyError("TypeError", `unhashable type: '${typeName(k)}'`);
  }
  return str(k);
}

/** Converts engine values to plain JSON-like JS values (for native results and to_json). */
export function toNative(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof Undefined) return defined(v);
  if (Array.isArray(v)) return v.map(toNative);
  if (isDict(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toNative(x);
    return out;
  }
  if (v instanceof PyObject) return v.str();
  if (isSafeString(v)) return String(v);
  return v;
}
