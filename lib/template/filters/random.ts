/**
 * Ansible's `random` and `shuffle` filters. With `seed=` they use Python's Mersenne Twister
 * (seeding, `randrange`, `choice`, `shuffle` as CPython does), so seeded results equal Ansible's.
 *
 * @module
 */
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { PyRandom, systemRandom } from "../pyrandom.ts";
import { builtin, filterError } from "./_util.ts";

builtin(
  "random",
  "end, start=None, step=None, seed=None",
  (end: unknown, start: unknown, step: unknown, seed: unknown) => {
    const r = seed === null ? systemRandom() : new PyRandom(seed);
    if (py.isInt(end) || typeof end === "boolean") {
      const e = py.num(end)!;
      const s = py.truthy(start) ? py.num(start)! : 0;
      const st = py.truthy(step) ? py.num(step)! : 1;
      return r.randrange(s, e, st);
    }
    if (typeof end === "string" || Array.isArray(end) || py.isDict(end)) {
      if (py.truthy(start) || py.truthy(step)) {
        filterError(
          "start and step can only be used with integer values",
        );
      }
      const items = py.iterate(end);
      if (!items.length) throw pyError("IndexError", "Cannot choose from an empty sequence");
      if (py.isDict(end)) {
        // random.choice(dict) indexes the dict by position: a KeyError unless that key exists.
        const i = r.randbelow(items.length);
        if (!Object.hasOwn(end, String(i))) throw pyError("KeyError", String(i));
        return end[String(i)];
      }
      return r.choice(items);
    }
    filterError("random can only be used on sequences and integers");
  },
);
builtin("shuffle", "mylist, seed=None", (list: unknown, seed: unknown) => {
  let items: unknown[];
  try {
    items = py.list(list);
  } catch {
    return list;
  }
  const r = py.truthy(seed) ? new PyRandom(seed) : systemRandom();
  r.shuffle(items);
  return items;
});
