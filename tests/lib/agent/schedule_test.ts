import assert from "node:assert/strict";
import { backoffDelay, nextSlot, splayOffset } from "../../../lib/agent/schedule.ts";

const HOSTS = Array.from({ length: 10_000 }, (_, i) => `web-${String(i).padStart(5, "0")}.dc1`);

Deno.test("splay: the same host always gets the same offset, other hosts other ones", async () => {
  const a = await splayOffset("web-1\0id", "apply", 180_000);
  assert.equal(await splayOffset("web-1\0id", "apply", 180_000), a);
  assert.notEqual(await splayOffset("web-2\0id", "apply", 180_000), a);
  assert.notEqual(await splayOffset("web-1\0id", "git", 180_000), a, "jobs are spread apart");
  assert.equal(await splayOffset("web-1\0id", "apply", 0), 0);
});

Deno.test("splay: 10,000 hosts sharing one config spread evenly over the interval", async () => {
  const interval = 30 * 60_000;
  const offsets = await Promise.all(HOSTS.map((h) => splayOffset(h, "apply", interval)));
  for (const o of offsets) assert.ok(o >= 0 && o < interval);
  // 60 buckets of 30 s: each expects 166.7 hosts; a uniform spread keeps every bucket within
  // ±40 % (a clumped one, e.g. all hosts hashing to a few values, does not).
  const buckets = new Array(60).fill(0);
  for (const o of offsets) buckets[Math.floor(o / 30_000)]++;
  const expected = HOSTS.length / 60;
  for (const [i, n] of buckets.entries()) {
    assert.ok(Math.abs(n - expected) < expected * 0.4, `bucket ${i}: ${n} hosts`);
  }
  // Pearson's chi-squared over the buckets: 59 degrees of freedom, p = 0.001 at 98.3.
  const chi2 = buckets.reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 98.3, `chi2 = ${chi2.toFixed(1)}`);
  // Never all in the same second: at most a few times the mean per second.
  const perSecond = new Map<number, number>();
  for (const o of offsets) {
    perSecond.set(Math.floor(o / 1000), (perSecond.get(Math.floor(o / 1000)) ?? 0) + 1);
  }
  const mean = HOSTS.length / (interval / 1000);
  assert.ok(
    Math.max(...perSecond.values()) <= mean * 4 + 4,
    `busiest second: ${Math.max(...perSecond.values())}`,
  );
});

Deno.test("splay: with the default window (10 % of the interval) hosts spread over the window", async () => {
  const interval = 30 * 60_000;
  const splay = interval / 10;
  const offsets = await Promise.all(HOSTS.map((h) => splayOffset(h, "apply", splay)));
  assert.ok(Math.max(...offsets) < splay);
  const buckets = new Array(18).fill(0); // 10 s each
  for (const o of offsets) buckets[Math.floor(o / 10_000)]++;
  const expected = HOSTS.length / 18;
  for (const n of buckets) assert.ok(Math.abs(n - expected) < expected * 0.3, String(buckets));
});

Deno.test("nextSlot: the next wall-clock slot at the host's offset, strictly after now", () => {
  assert.equal(nextSlot(1_000_500, 1000, 200), 1_001_200);
  assert.equal(nextSlot(1_000_100, 1000, 200), 1_000_200);
  assert.equal(nextSlot(1_000_200, 1000, 200), 1_001_200, "a slot that is now has passed");
  assert.equal(nextSlot(5_000, 60_000, 59_999), 59_999);
  // Two hosts restarted at the same moment still run at their own offsets.
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  assert.notEqual(nextSlot(now, 1_800_000, 17_000), nextSlot(now, 1_800_000, 912_000));
});

Deno.test("backoffDelay: doubles per failure, capped, jittered by at most 10 %", () => {
  const mid = () => 0.5;
  assert.equal(backoffDelay(1, 60_000, 600_000, mid), 120_000);
  assert.equal(backoffDelay(2, 60_000, 600_000, mid), 240_000);
  assert.equal(backoffDelay(3, 60_000, 600_000, mid), 480_000);
  assert.equal(backoffDelay(4, 60_000, 600_000, mid), 600_000, "capped");
  assert.equal(backoffDelay(40, 60_000, 600_000, mid), 600_000);
  assert.equal(backoffDelay(1, 1_800_000, 600_000, mid), 1_800_000, "never below the interval");
  assert.equal(backoffDelay(1, 60_000, 600_000, () => 0), 108_000);
  assert.equal(backoffDelay(1, 60_000, 600_000, () => 1), 132_000);
});
