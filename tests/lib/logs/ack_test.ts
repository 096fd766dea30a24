import assert from "node:assert/strict";
import { Tracker } from "../../../lib/logs/ack.ts";

/** A tracker whose saves record the committed offset and each sink's own. */
function tracker(start: number, sinks: number, ahead?: (number | undefined)[]) {
  const saved: { committed: number; acked: number[] }[] = [];
  const t: Tracker = new Tracker(start, sinks, {
    owner: { checkpoint: (c) => void saved.push({ committed: c, acked: t.acked }) },
    ...(ahead ? { ahead } : {}),
  });
  return { t, saved };
}

const at = (offsets: number[]) => (i: number) => offsets[i]!;

Deno.test("Tracker commits the minimum over sinks, and saves each sink's own progress", () => {
  const { t, saved } = tracker(0, 2);
  const a = t.handle(0, 3, 30, at([0, 10, 20]));
  const b = t.handle(1, 3, 30, at([0, 10, 20]));
  a.ack(3);
  assert.equal(t.committed, 0, "sink 1 has acknowledged nothing yet");
  b.ack(2); // a batch boundary inside the push: lines before offset 20 are durable
  assert.equal(t.committed, 20);
  b.ack(3);
  assert.equal(t.committed, 30);
  // Sink 0's batch is saved as soon as it is acknowledged: a crash then does not resend it.
  assert.deepEqual(saved, [
    { committed: 0, acked: [30, 0] },
    { committed: 20, acked: [30, 20] },
    { committed: 30, acked: [30, 30] },
  ]);
});

Deno.test("Tracker resumes each sink where it was: lines a sink had are not sent to it again", () => {
  const { t, saved } = tracker(100, 2, [250, undefined]);
  assert.equal(t.committed, 100);
  assert.equal(t.resumeOf(0), 250);
  assert.equal(t.resumeOf(1), 100);
  // Sink 1 catches up on 100..250 while sink 0 skips them.
  t.skipFor(0, 250);
  assert.deepEqual(saved, [], "skipping what sink 0 already had moves nothing");
  t.handle(1, 2, 250, at([100, 180])).ack(2);
  assert.equal(t.committed, 250);
  assert.deepEqual(saved.at(-1), { committed: 250, acked: [250, 250] });
});

Deno.test("Tracker moves past filtered-out lines only after earlier pushes are acknowledged", () => {
  const { t } = tracker(0, 1);
  const h = t.handle(0, 2, 100, at([0, 50]));
  t.skip(200); // everything in 100..200 was filtered
  assert.equal(t.committed, 0);
  h.ack(2);
  assert.equal(t.committed, 200);
  t.skip(300);
  assert.equal(t.committed, 300);
});

Deno.test("Tracker ignores repeated and stale acknowledgements", () => {
  const { t, saved } = tracker(5, 1);
  const h = t.handle(0, 1, 10, at([5]));
  h.ack(1);
  h.ack(1);
  h.ack(0);
  assert.equal(t.committed, 10);
  assert.deepEqual(saved, [{ committed: 10, acked: [10] }]);
  assert.equal(t.inflight, 0);
});
