/**
 * Ansible's math filters: `log`, `pow`, `root`, `human_readable`, `human_to_bytes`.
 *
 * @module
 */
import { pyError } from "../error.ts";
import { bytesToHuman, SIZE_RANGES } from "../../human_size.ts";
import * as py from "../py.ts";
import { builtin, filterError } from "./_util.ts";

function number(v: unknown, fn: string): number {
  const n = py.num(v);
  if (n === null) {
    throw pyError(
      "AnsibleFilterTypeError",
      `${fn}() can only be used on numbers: must be real number, not ${py.typeName(v)}`,
    );
  }
  return n;
}

builtin("log", "x, base=2.718281828459045", (x: unknown, base: unknown) => {
  const v = number(x, "log");
  const b = number(base, "log");
  if (v <= 0 || b <= 0 || b === 1) throw pyError("ValueError", "math domain error");
  return py.toFloat(
    b === 10 ? Math.log10(v) : b === Math.E ? Math.log(v) : Math.log(v) / Math.log(b),
  );
});
builtin(
  "pow",
  "x, y",
  (x: unknown, y: unknown) => py.toFloat(Math.pow(number(x, "pow"), number(y, "pow"))),
);
builtin("root", "x, base=2", (x: unknown, base: unknown) => {
  const v = number(x, "root");
  const b = number(base, "root");
  if (b === 2) {
    if (v < 0) {
      throw pyError(
        "AnsibleFilterTypeError",
        "root() can only be used on numbers: math domain error",
      );
    }
    return py.toFloat(Math.sqrt(v));
  }
  return py.toFloat(Math.pow(v, 1 / b));
});

builtin(
  "human_readable",
  "size, isbits=False, unit=None",
  (size: unknown, isbits: unknown, unit: unknown) => {
    const n = py.num(size);
    if (n === null) {
      throw pyError(
        "AnsibleFilterTypeError",
        `human_readable() failed on bad input: '>=' not supported between instances of '${
          py.typeName(size)
        }' and 'int'`,
      );
    }
    return bytesToHuman(n, {
      isbits: py.truthy(isbits),
      unit: unit === null ? null : py.str(unit),
    });
  },
);
builtin(
  "human_to_bytes",
  "size, default_unit=None, isbits=False",
  (size: unknown, defaultUnit: unknown, isbits: unknown) => {
    const text = py.str(size);
    const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text);
    const bad = () => filterError(`human_to_bytes() can't interpret following string: ${text}`);
    if (!m || m[1] === "" || m[1] === ".") return bad();
    const num = parseFloat(m[1]!);
    const unit = m[2] ?? (defaultUnit === null ? null : py.str(defaultUnit));
    if (unit === null) return Math.round(num);
    const range = SIZE_RANGES.find(([k]) => k === unit[0]!.toUpperCase());
    if (!range) return bad();
    const unitClass = py.truthy(isbits) ? "b" : "B";
    const unitName = py.truthy(isbits) ? "bit" : "byte";
    if (unit.length > 1 && !unit.toLowerCase().includes(unitName) && unit[1] !== unitClass) {
      return bad();
    }
    const v = num * range[1];
    // Python's round(): half to even.
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
);
