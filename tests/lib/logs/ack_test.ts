import assert from "node:assert/strict";
import { Tracker } from "../../../lib/logs/ack.ts";

function tracker(start: number, sinks: number) {
  const saved: number[] = [];
  const t = new Tracker(start, sinks, { checkpoint: (c) => void saved.push(c) });
  return { t, saved };
}

const at = (offsets: number[]) => (i: number) => offsets[i]!;

Deno.test("Tracker commits the minimum over sinks, only once every sink acknowledged", () => {
  const { t, saved } = tracker(0, 2);
  const a = t.handle(0, 3, 30, at([0, 10, 20]));
  const b = t.handle(1, 3, 30, at([0, 10, 20]));
  a.ack(3);
  assert.equal(t.committed, 0);
  b.ack(2); // a batch boundary inside the push: lines before offset 20 are durable
  assert.equal(t.committed, 20);
  b.ack(3);
  assert.equal(t.committed, 30);
  assert.deepEqual(saved, [20, 30]);
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
  assert.deepEqual(saved, [10]);
  assert.equal(t.inflight, 0);
});
