import assert from "node:assert/strict";
import { type JobSpec, Scheduler } from "../../../lib/agent/scheduler.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (generous: the suite runs under load). */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function job(over: Partial<JobSpec> & Pick<JobSpec, "run">): JobSpec {
  return { name: "j", intervalMs: 0, offsetMs: 0, runOnStart: false, timeoutMs: 10_000, ...over };
}

Deno.test("scheduler: a slow job never overlaps itself; slots during a run are coalesced", async () => {
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  const s = new Scheduler();
  s.add(job({
    intervalMs: 20,
    runOnStart: true,
    run: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(150);
      active--;
      runs++;
    },
  }));
  s.start();
  await until(() => runs >= 3, "three runs");
  await s.stop();
  assert.equal(maxActive, 1, "runs overlapped");
  const st = s.state("j")!;
  assert.ok(st.coalesced >= 3, `coalesced ${st.coalesced}`);
  assert.equal(st.runs.success, runs);
});

Deno.test("scheduler: triggers during a run queue exactly one more run", async () => {
  let runs = 0;
  const gate = Promise.withResolvers<void>();
  const s = new Scheduler();
  s.add(job({
    run: async () => {
      runs++;
      if (runs === 1) await gate.promise;
    },
  }));
  s.start();
  assert.equal(s.trigger("j", "first"), true);
  assert.equal(s.state("j")!.running, true);
  for (let i = 0; i < 5; i++) s.trigger("j", `again ${i}`);
  gate.resolve();
  await until(() => runs === 2 && !s.state("j")!.running, "the queued run");
  await sleep(50);
  assert.equal(runs, 2, "five triggers during a run make one more run");
  assert.deepEqual(s.state("j")!.last.map((r) => r.reason), ["first", "again 4"]);
  assert.equal(s.trigger("nope", "x"), false);
  await s.stop();
  assert.equal(s.trigger("j", "after stop"), false);
});

Deno.test("scheduler: a run past its timeout is aborted and counted; a stuck one still never overlaps", async () => {
  const s = new Scheduler();
  let aborted = false;
  s.add(job({
    name: "polite",
    timeoutMs: 30,
    run: (signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(signal.reason);
        })
      ),
  }));
  let stuckRuns = 0;
  let stuckDone = false;
  s.add(job({
    name: "stuck",
    timeoutMs: 30,
    run: async () => {
      stuckRuns++;
      await sleep(300); // ignores its signal
      stuckDone = true;
    },
  }));
  s.start();
  s.trigger("polite", "t");
  s.trigger("stuck", "t");
  await until(() => s.state("polite")!.runs.timeout === 1, "the polite timeout");
  assert.ok(aborted);
  await until(() => s.state("stuck")!.runs.timeout === 1, "the stuck timeout");
  assert.equal(s.state("stuck")!.running, true, "still running after its timeout");
  assert.equal(stuckDone, false);
  s.trigger("stuck", "again");
  assert.equal(stuckRuns, 1, "no second run while the first is still going");
  await until(() => stuckRuns === 2, "the queued run after the stuck one ended");
  assert.ok(stuckDone);
  assert.match(s.state("stuck")!.last[0]!.error!, /timed out after 30 ms/);
  await s.stop();
});

Deno.test("scheduler: a failing job backs off exponentially, then returns to its slots", async () => {
  const starts: number[] = [];
  let fail = 3;
  const s = new Scheduler();
  s.add(job({
    intervalMs: 25,
    runOnStart: true,
    backoffMaxMs: 150,
    run: () => {
      starts.push(performance.now());
      if (fail-- > 0) throw new Error("remote down");
      return Promise.resolve();
    },
  }));
  s.start();
  await until(() => starts.length >= 4, "four runs");
  const st = s.state("j")!;
  assert.equal(st.runs.failure, 3);
  assert.equal(st.runs.success >= 1, true);
  assert.equal(st.failures, 0, "recovered");
  assert.equal(st.last[0]!.error, "remote down");
  // Waits after the 1st, 2nd and 3rd failure: 50, 100, then the 150 cap (±10 % jitter; timers
  // only ever fire late, so these are lower bounds).
  const gaps = starts.slice(1, 4).map((t, i) => t - starts[i]!);
  assert.ok(gaps[0]! >= 45 - 2, `gap 1: ${gaps[0]}`);
  assert.ok(gaps[1]! >= 90 - 2, `gap 2: ${gaps[1]}`);
  assert.ok(gaps[2]! >= 135 - 2, `gap 3: ${gaps[2]}`);
  // Back on its slots: the next run is at most one interval away.
  await until(() => s.state("j")!.next !== undefined, "a planned slot");
  assert.ok(s.state("j")!.next! - Date.now() <= 25);
  await s.stop();
});

Deno.test("scheduler: replacing a job on reload keeps its counters and its run in progress", async () => {
  const gate = Promise.withResolvers<void>();
  let runs = 0;
  const s = new Scheduler();
  s.add(job({ runOnStart: true, run: async () => void (runs++, await gate.promise) }));
  s.start();
  await until(() => s.state("j")!.running, "the first run");
  s.add(job({ intervalMs: 60_000, run: () => Promise.resolve(void runs++) }));
  assert.equal(s.state("j")!.running, true);
  s.trigger("j", "after reload");
  gate.resolve();
  await until(() => runs === 2 && !s.state("j")!.running, "the run with the new definition");
  assert.equal(s.state("j")!.runs.success, 2);
  assert.ok(s.state("j")!.next! > Date.now(), "planned on the new interval");
  s.remove("j");
  assert.equal(s.state("j"), undefined);
  await s.stop();
});
