import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import { pause } from "../../tasks/pause.ts";

const ctx = { configDir: "/x", renderTemplate: () => Promise.reject(new Error("none")) };
const host = new LocalHost();

Deno.test("pause: waits the given seconds; without a time it does not wait for input", async () => {
  const p = pause.schema.parse({ seconds: "0.2" });
  const [c] = pause.plan(p, {});
  assert.equal(c!.summary, "pause: 0.2 second(s)");
  const r = await pause.apply(c!.op, host, ctx) as Record<string, unknown>;
  assert.equal(r.stdout, "Paused for 0.2 seconds");
  assert.ok(Date.parse(String(r.stop)) >= Date.parse(String(r.start)));
  assert.equal(r.user_input, "");
  const q = pause.schema.parse({ prompt: "Press enter" });
  assert.match(pause.plan(q, {})[0]!.summary, /not waiting for input/);
  assert.equal(pause.schema.safeParse({ seconds: 1, minutes: 1 }).success, false);
});
