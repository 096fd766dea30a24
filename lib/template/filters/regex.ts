/**
 * Ansible's regex filters with Python's `re` semantics: `regex_replace`, `regex_search`
 * (with `\\1` / `\\g<name>` group arguments), `regex_findall`, `regex_escape`.
 *
 * @module
 */
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { pyEscape, pyRegex } from "../../pyregex.ts";
import { pyRe } from "../regex.ts";
import type { Kw } from "../signature.ts";
import { builtin, builtinRaw, filterError } from "./_util.ts";

/** Ansible's `to_text(value, nonstring='simplerepr')`. */
function text(v: unknown): string {
  return py.str(v);
}

builtin(
  "regex_replace",
  "value='', pattern='', replacement='', ignorecase=False, multiline=False",
  (v: unknown, pattern: unknown, repl: unknown, ic: unknown, ml: unknown) =>
    pyRe(() =>
      pyRegex(py.str(pattern), { ignorecase: py.truthy(ic), multiline: py.truthy(ml) })
        .sub(py.str(repl), text(v))
    ),
);
builtin(
  "regex_findall",
  "value, regex, multiline=False, ignorecase=False",
  (v: unknown, re: unknown, ml: unknown, ic: unknown) =>
    pyRe(() =>
      pyRegex(py.str(re), { ignorecase: py.truthy(ic), multiline: py.truthy(ml) }).findall(text(v))
    ).map((m) => Array.isArray(m) ? py.tuple(m) : m),
);
builtinRaw(
  "regex_search",
  ((args: unknown[], kw: Kw) => {
    if (args.length < 2) {
      throw pyError(
        "TypeError",
        `regex_search() missing ${2 - args.length} required positional argument(s)`,
      );
    }
    const value = text(args[0]);
    const regex = py.str(args[1]);
    const groups: (string | number)[] = [];
    for (const a of args.slice(2)) {
      const arg = py.str(a);
      if (arg.startsWith("\\g")) {
        const m = /^\\g<(\S+)>/.exec(arg);
        if (!m) throw pyError("AttributeError", "'NoneType' object has no attribute 'group'");
        groups.push(/^\d+$/.test(m[1]!) ? parseInt(m[1]!, 10) : m[1]!);
      } else if (arg.startsWith("\\")) {
        const m = /^\\(\d+)/.exec(arg);
        if (!m) throw pyError("AttributeError", "'NoneType' object has no attribute 'group'");
        groups.push(parseInt(m[1]!, 10));
      } else filterError("Unknown argument");
    }
    const flags = {
      ignorecase: py.truthy(kw.ignorecase ?? false),
      multiline: py.truthy(kw.multiline ?? false),
    };
    const m = pyRe(() => pyRegex(regex, flags).search(value));
    if (!m) return null;
    if (!groups.length) return m[0];
    return groups.map((g) => {
      if (typeof g === "number") {
        if (g >= m.length) throw pyError("IndexError", "no such group");
        return m[g] ?? null;
      }
      if (!m.groups || !(g in m.groups)) throw pyError("IndexError", "no such group");
      return m.groups[g] ?? null;
    });
  }) as never,
);
builtin("regex_escape", "string, re_type='python'", (s: unknown, type: unknown) => {
  const t = text(s);
  if (type === "python") return pyEscape(t);
  if (type === "posix_basic") return t.replace(/([\].[^$*\\])/g, "\\$1");
  if (type === "posix_extended") filterError(`Regex type (${py.str(type)}) not yet implemented`);
  filterError(`Invalid regex type (${py.str(type)})`);
});
