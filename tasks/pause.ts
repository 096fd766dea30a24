/**
 * `pause`: waits a number of seconds or minutes (Ansible's pause). Driftless runs unattended, so
 * a pause without a time does not wait for a key press: it returns at once with an empty
 * `user_input`, as Ansible does when stdin is not a terminal.
 *
 * @module
 */
import * as z from "zod";
import { type Change, defineTask } from "../lib/apply/task.ts";
import { bool, num } from "./_ansible_params.ts";

const schema = z.strictObject({
  seconds: num().optional(),
  minutes: num().optional(),
  prompt: z.string().optional(),
  echo: bool().default(true),
}).refine((p) => !(p.seconds !== undefined && p.minutes !== undefined), {
  message: "seconds and minutes are mutually exclusive",
});
type Params = z.output<typeof schema>;

/** The pause task. */
export const pause = defineTask({
  type: "pause",
  schema,
  mainParam: "seconds",
  acts: true,
  read: () => Promise.resolve({}),
  plan(p): Change<Params>[] {
    const what = p.minutes !== undefined
      ? `${p.minutes} minute(s)`
      : p.seconds !== undefined
      ? `${p.seconds} second(s)`
      : "no time given: not waiting for input (unattended)";
    return [{ op: p, summary: `pause: ${what}` }];
  },
  async apply(p) {
    const start = new Date();
    const ms = (p.minutes ?? 0) * 60_000 + (p.seconds ?? 0) * 1000;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    const stop = new Date();
    const delta = Math.round((stop.getTime() - start.getTime()) / 1000);
    return {
      start: start.toISOString(),
      stop: stop.toISOString(),
      delta,
      user_input: "",
      echo: p.echo,
      stdout: p.minutes !== undefined
        ? `Paused for ${p.minutes} minutes`
        : `Paused for ${p.seconds ?? 0} seconds`,
    };
  },
});
