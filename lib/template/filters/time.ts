/**
 * Ansible's time filters: `to_datetime` (Python's strptime into a datetime) and `strftime`
 * (C strftime of an epoch, local time or UTC).
 *
 * @module
 */
import { localTm, strftime, strptime } from "../datetime.ts";
import * as py from "../py.ts";
import { builtin, filterError } from "./_util.ts";

builtin(
  "to_datetime",
  "string, format='%Y-%m-%d %H:%M:%S'",
  (s: unknown, f: unknown) => strptime(py.str(s), py.str(f)),
);
builtin(
  "strftime",
  "string_format, second=None, utc=False",
  (fmt: unknown, second: unknown, utc: unknown) => {
    let epoch = Date.now() / 1000;
    if (second !== null) {
      const n = py.num(second) ??
        (typeof second === "string" && /^\s*[-+]?\d+(\.\d*)?\s*$/.test(second)
          ? parseFloat(second)
          : NaN);
      if (Number.isNaN(n)) filterError(`Invalid value for epoch value (${py.str(second)})`);
      epoch = n;
    }
    return strftime(py.str(fmt), localTm(Math.floor(epoch), py.truthy(utc)));
  },
);
