/**
 * `set_fact`: sets variables for the rest of the run (they outrank every other vars source
 * except `register`, as in Ansible).
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

const name = /^[A-Za-z_]\w*$/;

/** The set_fact task. */
export const setFact = defineRunnerTask({
  type: "set_fact",
  schema: z.record(z.string().regex(name, "expected a variable name"), z.unknown())
    .refine((p) => Object.keys(p).some((k) => k !== "cacheable"), {
      message: "set at least one variable",
    }),
  evaluate(params) {
    // As Ansible's set_fact action, the strings true/false/yes/no (any case) become booleans.
    const facts = Object.fromEntries(
      Object.entries(params).filter(([k]) => k !== "cacheable").map((
        [k, v],
      ) => [
        k,
        typeof v === "string" && /^(true|false|yes|no)$/i.test(v) ? /^(true|yes)$/i.test(v) : v,
      ]),
    );
    return Promise.resolve({ facts, result: { ansible_facts: facts } });
  },
});
