/**
 * Ansible's general filters: `bool`, `ternary`, `mandatory`, `type_debug`, `comment`, `quote`,
 * `split`.
 *
 * @module
 */
import { pySplit } from "../access.ts";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { builtin, builtinRaw, filterError } from "./_util.ts";
import type { Kw } from "../signature.ts";

builtin("bool", "a", (a: unknown) => {
  if (a === null || typeof a === "boolean") return a;
  const v = typeof a === "string" ? a.toLowerCase() : a;
  return ["yes", "on", "1", "true"].includes(v as string) || (py.isNumber(v) && py.num(v) === 1);
});
builtin(
  "ternary",
  "value, true_val, false_val, none_val=None",
  (v: unknown, t: unknown, f: unknown, n: unknown) => {
    if (v === null && n !== null) return n;
    return py.truthy(v) ? t : f;
  },
);
builtin("mandatory", "a, msg=None", (a: unknown, msg: unknown) => {
  if (a instanceof py.Undefined) {
    if (msg !== null) filterError(py.str(msg));
    const name = a.name !== undefined ? `'${a.name}' ` : "";
    // Ansible's own text, with its double space after a name.
    filterError(`Mandatory variable ${name} not defined.`);
  }
  return a;
}, { undefinedOk: true });
builtin("type_debug", "o", (o: unknown) => py.typeName(o), { undefinedOk: true });
builtin("quote", "a", (a: unknown) => {
  const s = a === null ? "" : py.str(a);
  if (!s) return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
});
builtin(
  "split",
  "value, sep=None, maxsplit=-1",
  (v: unknown, sep: unknown, max: unknown) => pySplit(py.str(v), sep, py.num(max) ?? -1),
);

const STYLES: Record<string, Record<string, string>> = {
  plain: { decoration: "# " },
  erlang: { decoration: "% " },
  c: { decoration: "// " },
  cblock: { beginning: "/*", decoration: " * ", end: " */" },
  xml: { beginning: "<!--", decoration: " - ", end: "-->" },
};
builtinRaw(
  "comment",
  ((args: unknown[], kw: Kw) => {
    const text = py.str(args[0]);
    const style = py.str(args[1] ?? kw.style ?? "plain");
    const styleParams = STYLES[style];
    if (!styleParams) throw pyError("KeyError", `'${style}'`);
    const rest = { ...kw };
    delete rest.style;
    const prepostfix = "decoration" in rest ? py.str(rest.decoration) : styleParams.decoration!;
    const p: Record<string, unknown> = {
      newline: "\n",
      beginning: "",
      prefix: prepostfix.trimEnd(),
      prefix_count: 1,
      decoration: "",
      postfix: prepostfix.trimEnd(),
      postfix_count: 1,
      end: "",
      ...styleParams,
      ...rest,
    };
    const nl = py.str(p.newline);
    const dec = py.str(p.decoration);
    const strBeginning = p.beginning ? `${py.str(p.beginning)}${nl}` : "";
    let strPrefix = "";
    if (p.prefix) {
      strPrefix = p.prefix !== nl
        ? `${py.str(p.prefix)}${nl}`.repeat(py.num(p.prefix_count) ?? 1)
        : nl.repeat(py.num(p.prefix_count) ?? 1);
    }
    const strText = `${dec}${text.split(nl).join(`${nl}${dec}`)}`.split(`${dec}${nl}`).join(
      `${dec.trimEnd()}${nl}`,
    );
    const strPostfix = [
      "",
      ...Array(Math.trunc(py.num(p.postfix_count) ?? 1)).fill(py.str(p.postfix)),
    ].join(nl);
    const strEnd = p.end ? `${nl}${py.str(p.end)}` : "";
    return `${strBeginning}${strPrefix}${strText}${strPostfix}${strEnd}`;
  }) as never,
);
