/**
 * Jinja2's tests and ansible-core 2.14's (`x is defined`, `result is changed`,
 * `v is version('2.0', '>=')`, `path is file`...), with their `ansible.builtin.` names.
 *
 * @module
 */
import { existsSync, lstatSync, realpathSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { pyRegex } from "../pyregex.ts";
import { pyError } from "./error.ts";
import * as py from "./py.ts";
import { pyRe } from "./regex.ts";
import { addTest, FILTERS, TESTS } from "./registry.ts";
import { pyfn } from "./signature.ts";
import { compareVersions } from "./version.ts";
import { toBool } from "./filters/_util.ts";

const B = (name: string) => [name, `ansible.builtin.${name}`];

// -- Jinja2 -------------------------------------------------------------------------------------
function numOf(v: unknown, name: string): number {
  const n = py.num(v);
  if (n === null) {
    // Python's `v % 2`: on a str that is string formatting.
    throw pyError(
      "TypeError",
      typeof v === "string"
        ? "not all arguments converted during string formatting"
        : `unsupported operand type(s) for %: '${py.typeName(v)}' and 'int'`,
    );
  }
  void name;
  return n;
}

addTest("odd", pyfn("odd", "value", (v) => ((numOf(v, "odd") % 2) + 2) % 2 === 1));
addTest("even", pyfn("even", "value", (v) => numOf(v, "even") % 2 === 0));
addTest(
  "divisibleby",
  pyfn("divisibleby", "value, num", (v, n) => {
    const d = py.num(n);
    if (d === 0) throw pyError("ZeroDivisionError", "integer division or modulo by zero");
    return py.eq(py.mod(v, n, () => ""), 0);
  }),
);
addTest("defined", pyfn("defined", "value", (v) => !py.isUndefined(v)), { undefinedOk: true });
addTest("undefined", pyfn("undefined", "value", (v) => py.isUndefined(v)), { undefinedOk: true });
addTest("none", pyfn("none", "value", (v) => v === null), { undefinedOk: true });
addTest("boolean", pyfn("boolean", "value", (v) => typeof v === "boolean"), { undefinedOk: true });
addTest("false", pyfn("false", "value", (v) => v === false), { undefinedOk: true });
addTest("true", pyfn("true", "value", (v) => v === true), { undefinedOk: true });
addTest("integer", pyfn("integer", "value", (v) => py.isInt(v)), { undefinedOk: true });
addTest("float", pyfn("float", "value", (v) => py.isFloat(v)), { undefinedOk: true });
addTest(
  "lower",
  pyfn("lower", "value", (v) => {
    const s = py.str(v);
    return /\p{L}/u.test(s) && s === s.toLowerCase();
  }),
);
addTest(
  "upper",
  pyfn("upper", "value", (v) => {
    const s = py.str(v);
    return /\p{L}/u.test(s) && s === s.toUpperCase();
  }),
);
addTest("string", pyfn("string", "value", (v) => typeof v === "string"), { undefinedOk: true });
addTest("mapping", pyfn("mapping", "value", (v) => py.isDict(v)), { undefinedOk: true });
addTest("number", pyfn("number", "value", (v) => py.isNumber(v)), { undefinedOk: true });
addTest(
  "sequence",
  pyfn("sequence", "value", (v) => typeof v === "string" || Array.isArray(v) || py.isDict(v)),
  { undefinedOk: true },
);
addTest(
  "iterable",
  pyfn("iterable", "value", (v) => {
    if (v instanceof py.Undefined && !v.soft) v.fail();
    return typeof v === "string" || Array.isArray(v) || py.isDict(v) ||
      (v instanceof py.PyObject && v.iter() !== undefined) || (v instanceof py.Undefined && v.soft);
  }),
  { undefinedOk: true },
);
addTest(
  "sameas",
  pyfn(
    "sameas",
    "value, other",
    (a, b) => a === b || (a instanceof py.PyFloat && b instanceof py.PyFloat && a === b),
  ),
  { undefinedOk: true },
);
addTest("escaped", pyfn("escaped", "value", () => false), { undefinedOk: true });
addTest("in", pyfn("in", "value, seq", (v, seq) => py.contains(seq, v)));
addTest(["eq", "==", "equalto"], pyfn("eq", "a, b", (a, b) => py.eq(a, b)));
addTest(["ne", "!="], pyfn("ne", "a, b", (a, b) => !py.eq(a, b)));
addTest(["lt", "<", "lessthan"], pyfn("lt", "a, b", (a, b) => py.compare(a, b, "lt") < 0));
addTest(["le", "<="], pyfn("le", "a, b", (a, b) => py.compare(a, b, "lteq") <= 0));
addTest(["gt", ">", "greaterthan"], pyfn("gt", "a, b", (a, b) => py.compare(a, b, "gt") > 0));
addTest(["ge", ">="], pyfn("ge", "a, b", (a, b) => py.compare(a, b, "gteq") >= 0));
addTest(
  "callable",
  pyfn(
    "callable",
    "value",
    (v) => typeof v === "function" || (v instanceof py.PyObject && "call" in v),
  ),
  { undefinedOk: true },
);
// Ansible's plugin table raises for an unknown name instead of answering False.
const known = (table: Map<string, unknown>) => (v: unknown) => {
  if (typeof v !== "string") return false;
  if (!table.has(v)) throw pyError("TemplateSyntaxError", `Could not load "${v}": '${v}'`);
  return true;
};
addTest("filter", pyfn("filter", "value", known(FILTERS)));
addTest("test", pyfn("test", "value", known(TESTS)));

// -- Ansible: task results ----------------------------------------------------------------------
// Jinja passes an undefined result to the test as is: Ansible then says it wants a dictionary.
const onResult = { undefinedOk: true };
function result(name: string, v: unknown): Record<string, unknown> {
  if (!py.isDict(v)) throw pyError("AnsibleFilterError", `The '${name}' test expects a dictionary`);
  return v;
}
const get = (
  d: Record<string, unknown>,
  k: string,
  dflt: unknown,
) => (Object.hasOwn(d, k) ? d[k] : dflt);
const failed = (v: unknown) => py.truthy(get(result("failed", v), "failed", false));
const unreachable = (v: unknown) => py.truthy(get(result("unreachable", v), "unreachable", false));

addTest([...B("failed"), ...B("failure")], pyfn("failed", "result", failed), onResult);
addTest(
  [...B("succeeded"), ...B("success"), ...B("successful")],
  pyfn("success", "result", (v) => !failed(v)),
  onResult,
);
addTest(B("unreachable"), pyfn("unreachable", "result", unreachable), onResult);
addTest(B("reachable"), pyfn("reachable", "result", (v) => !unreachable(v)), onResult);
addTest(
  [...B("changed"), ...B("change")],
  pyfn("changed", "result", (v) => {
    const r = result("changed", v);
    if (Object.hasOwn(r, "changed")) return py.truthy(r.changed);
    const results = r.results;
    if (Array.isArray(results) && py.isDict(results[0])) {
      return results.some((x) => py.isDict(x) && py.truthy(get(x, "changed", false)));
    }
    return false;
  }),
  onResult,
);
addTest(
  [...B("skipped"), ...B("skip")],
  pyfn("skipped", "result", (v) => py.truthy(get(result("skipped", v), "skipped", false))),
  onResult,
);
addTest(
  B("finished"),
  pyfn("finished", "result", (v) => {
    const r = result("finished", v);
    return Object.hasOwn(r, "finished") ? py.eq(r.finished, 1) : true;
  }),
  onResult,
);
addTest(
  B("started"),
  pyfn("started", "result", (v) => {
    const r = result("started", v);
    return Object.hasOwn(r, "started") ? py.eq(r.started, 1) : true;
  }),
  onResult,
);

// -- Ansible: regex, versions, logic ------------------------------------------------------------
function regexTest(
  value: unknown,
  pattern: unknown,
  ignorecase: unknown,
  multiline: unknown,
  type: unknown,
) {
  const s = py.str(value);
  const flags = { ignorecase: py.truthy(ignorecase), multiline: py.truthy(multiline) };
  return pyRe(() => {
    const re = pyRegex(py.str(pattern), flags);
    return type === "match" ? re.match(s) : re.search(s);
  }) !== null;
}
addTest(
  B("regex"),
  pyfn(
    "regex",
    "value='', pattern='', ignorecase=False, multiline=False, match_type='search'",
    regexTest,
  ),
);
addTest(
  B("match"),
  pyfn(
    "match",
    "value, pattern='', ignorecase=False, multiline=False",
    (v, p, i, m) => regexTest(v, p, i, m, "match"),
  ),
);
addTest(
  B("search"),
  pyfn(
    "search",
    "value, pattern='', ignorecase=False, multiline=False",
    (v, p, i, m) => regexTest(v, p, i, m, "search"),
  ),
);
addTest(
  [...B("version"), ...B("version_compare")],
  pyfn("version", "value, version, operator='eq', strict=None, version_type=None", compareVersions),
);
addTest(B("any"), pyfn("any", "value", (v) => py.iterate(v).some(py.truthy)));
addTest(B("all"), pyfn("all", "value", (v) => py.iterate(v).every(py.truthy)));
const truthy = (v: unknown, convert: unknown) => {
  if (py.truthy(convert)) {
    const b = toBool(v, false);
    if (b !== undefined) return b;
  }
  return py.truthy(v);
};
addTest(B("truthy"), pyfn("truthy", "value, convert_bool=False", truthy));
addTest(B("falsy"), pyfn("falsy", "value, convert_bool=False", (v, c) => !truthy(v, c)));
addTest(B("vault_encrypted"), pyfn("vault_encrypted", "value", () => false));

// -- Ansible: sets and numbers ------------------------------------------------------------------
const has = (list: unknown[], x: unknown) => list.some((y) => py.eq(x, y));
addTest(
  [...B("subset"), ...B("issubset")],
  pyfn("issubset", "a, b", (a, b) => {
    const bb = py.iterate(b);
    return py.iterate(a).every((x) => has(bb, x));
  }),
);
addTest(
  [...B("superset"), ...B("issuperset")],
  pyfn("issuperset", "a, b", (a, b) => {
    const aa = py.iterate(a);
    return py.iterate(b).every((x) => has(aa, x));
  }),
);
addTest(B("contains"), pyfn("contains", "seq, value", (seq, v) => py.contains(seq, v)));
addTest(
  [...B("nan"), ...B("isnan")],
  pyfn("isnan", "x", (x) => (py.isNumber(x) ? Number.isNaN(py.num(x)) : false)),
);

// -- Ansible: files -----------------------------------------------------------------------------
function pathOf(v: unknown): string {
  return py.str(v);
}
const safe = (fn: (p: string) => boolean) => (v: unknown) => {
  try {
    return fn(pathOf(v));
  } catch {
    return false;
  }
};
addTest(
  [...B("directory"), ...B("is_dir")],
  pyfn("isdir", "path", safe((p) => statSync(p).isDirectory())),
);
addTest([...B("file"), ...B("is_file")], pyfn("isfile", "path", safe((p) => statSync(p).isFile())));
addTest(
  [...B("link"), ...B("is_link")],
  pyfn("islink", "path", safe((p) => lstatSync(p).isSymbolicLink())),
);
addTest(B("exists"), pyfn("exists", "path", safe((p) => existsSync(p))));
addTest(B("link_exists"), pyfn("lexists", "path", safe((p) => (lstatSync(p), true))));
addTest([...B("abs"), ...B("is_abs")], pyfn("isabs", "path", (v) => isAbsolute(pathOf(v))));
addTest(
  [...B("same_file"), ...B("is_same_file")],
  pyfn("samefile", "f1, f2", (a, b) => {
    const sa = statSync(pathOf(a));
    const sb = statSync(pathOf(b));
    return sa.dev === sb.dev && sa.ino === sb.ino;
  }),
);
addTest(
  [...B("mount"), ...B("is_mount")],
  pyfn(
    "ismount",
    "path",
    safe((p) => {
      if (!existsSync(p)) return false;
      const real = realpathSync(p);
      if (real === "/") return true;
      const parent = statSync(`${real}/..`);
      const self = statSync(real);
      return self.dev !== parent.dev || self.ino === parent.ino;
    }),
  ),
);

// -- Ansible: URIs ------------------------------------------------------------------------------
function urlparse(v: string): { scheme: string; netloc: string } {
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*):(.*)$/s.exec(v);
  if (!m) return { scheme: "", netloc: "" };
  const rest = m[2]!;
  const net = rest.startsWith("//") ? rest.slice(2).split(/[/?#]/)[0]! : "";
  return { scheme: m[1]!.toLowerCase(), netloc: net };
}
const isUri = (v: unknown, schemes: unknown) => {
  const x = urlparse(py.str(v));
  return !py.truthy(schemes) || py.contains(schemes, x.scheme);
};
addTest(B("uri"), pyfn("is_uri", "value, schemes=None", isUri));
addTest(
  B("url"),
  pyfn("is_url", "value, schemes=None", (v, schemes) => {
    if (!isUri(v, schemes)) return false;
    const x = urlparse(py.str(v));
    return Boolean(x.netloc) || x.scheme === "file";
  }),
);
addTest(B("urn"), pyfn("is_urn", "value", (v) => isUri(v, ["urn"])));
