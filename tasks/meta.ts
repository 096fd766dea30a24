/**
 * `meta`: actions for the runner. `flush_handlers` runs the notified handlers now;
 * `end_play` and `end_host` end the run here, successfully; `noop`, `clear_facts`,
 * `clear_host_errors`, `refresh_inventory` and `reset_connection` change nothing on one host.
 *
 * @module
 */
import * as z from "zod";
import { defineRunnerTask } from "../lib/apply/task.ts";

/** The meta task. */
export const meta = defineRunnerTask({
  type: "meta",
  schema: z.strictObject({
    free_form: z.enum([
      "flush_handlers",
      "end_play",
      "end_host",
      "noop",
      "clear_facts",
      "clear_host_errors",
      "refresh_inventory",
      "reset_connection",
    ]),
  }),
  freeForm: "free_form",
  mainParam: "free_form",
  evaluate: (p) => Promise.resolve({ meta: p.free_form }),
});
