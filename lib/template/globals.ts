/**
 * Template globals: Jinja's `range`, `dict`, `lipsum`, `cycler`, `joiner`, `namespace` and
 * Ansible's `lookup`, `query`/`q`, `now` and `undef`.
 *
 * @module
 */
import { localTm, PyDateTime, strftime } from "./datetime.ts";
import { pyError } from "./error.ts";
import { lookupFn, queryFn } from "./lookups.ts";
import { Cycler, Joiner, lipsum, Namespace } from "./objects.ts";
import * as py from "./py.ts";
import { GLOBALS } from "./registry.ts";
import { type Kw, type PyFn, pyfn } from "./signature.ts";

const MAX_RANGE = 100000;

function dictOf(args: unknown[], kw: Kw, name: string): Record<string, unknown> {
  if (args.length > 1) {
    throw pyError("TypeError", `${name} expected at most 1 argument, got ${args.length}`);
  }
  const out: Record<string, unknown> = {};
  if (args.length) {
    const a = args[0];
    if (py.isDict(a)) Object.assign(out, a);
    else {
      for (const pair of py.iterate(a)) {
        const items = py.iterate(pair);
        if (items.length !== 2) {
          throw pyError(
            "ValueError",
            `dictionary update sequence element has length ${items.length}; 2 is required`,
          );
        }
        out[py.dictKey(items[0])] = items[1];
      }
    }
  }
  return Object.assign(out, kw);
}

GLOBALS.set(
  "range",
  ((args: unknown[]) => {
    const nums = args.map((a) => {
      const n = py.num(a);
      if (n === null || !Number.isInteger(n)) {
        throw pyError(
          "TypeError",
          `'${py.typeName(a)}' object cannot be interpreted as an integer`,
        );
      }
      return n;
    });
    const [start, stop, step] = nums.length === 1
      ? [0, nums[0]!, 1]
      : [nums[0]!, nums[1]!, nums[2] ?? 1];
    if (!nums.length || nums.length > 3) {
      throw pyError(
        "TypeError",
        `range expected at most 3 arguments, got ${nums.length}`,
      );
    }
    if (step === 0) throw pyError("ValueError", "range() arg 3 must not be zero");
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.push(i);
      if (out.length > MAX_RANGE * 100) throw pyError("OverflowError", "range too big");
    }
    return out;
  }) as PyFn,
);
GLOBALS.set("dict", ((args: unknown[], kw: Kw) => dictOf(args, kw, "dict")) as PyFn);
GLOBALS.set(
  "namespace",
  ((args: unknown[], kw: Kw) => new Namespace(dictOf(args, kw, "namespace"))) as PyFn,
);
GLOBALS.set("cycler", ((args: unknown[]) => new Cycler(args)) as PyFn);
GLOBALS.set("joiner", pyfn("joiner", "sep=', '", (sep) => new Joiner(py.str(sep))));
GLOBALS.set(
  "lipsum",
  pyfn(
    "lipsum",
    "n=5, html=True, min=20, max=100",
    (n, html, min, max) => lipsum(py.num(n)!, py.truthy(html), py.num(min)!, py.num(max)!),
  ),
);
GLOBALS.set("lookup", lookupFn);
GLOBALS.set("query", queryFn);
GLOBALS.set("q", queryFn);
GLOBALS.set(
  "now",
  pyfn("now", "utc=False, fmt=None", (utc, fmt) => {
    const ms = Date.now();
    const tm = localTm(ms / 1000, py.truthy(utc));
    tm.microsecond = (ms % 1000) * 1000;
    tm.offset = null;
    if (fmt !== null) return strftime(py.str(fmt), tm);
    return new PyDateTime(tm);
  }),
);
GLOBALS.set(
  "undef",
  pyfn("undef", "hint=None", (hint) =>
    new py.Undefined(
      undefined,
      py.MISSING,
      hint === null || hint === "" || hint instanceof py.Undefined
        ? "Mandatory variable has not been overridden"
        : py.str(hint),
    )),
);
