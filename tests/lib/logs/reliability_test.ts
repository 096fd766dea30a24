/**
 * The shipper tried the way one is tried in production, seeded so a failure can be replayed
 * (`RELIABILITY_SEED=n`): a writer appends numbered events (some multi-line, some UTF-8) to
 * two files, which are rotated by rename and by copytruncate; `driftless logs` ships them to a
 * file output and an HTTP output that answers 500 and 429 (Retry-After) at random and goes down
 * for a while (with a copytruncate while it is down and the reader is held up); and the
 * process is killed with SIGKILL again and again. At the end every event must be in both
 * outputs, whole, and no output may hold more than one batch of repeats per kill.
 */
import assert from "node:assert/strict";
import { ROOT } from "../../_helpers/cli.ts";
import { type Reply, startCollector } from "../sinks/_collector.ts";

const SEED = Number(Deno.env.get("RELIABILITY_SEED") ?? 14);
/** Events per second, and for how long the writer writes. */
const RATE = 2000;
const WRITE_MS = 55_000;
/** Events per batch (both outputs): a kill may repeat at most this many per output. */
const BATCH = 500;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The text of event `seq` (the same for a given seed): plain, UTF-8, or multi-line. */
function eventText(seq: number, multiline: boolean): string {
  const r = prng(SEED * 1_000_003 + seq);
  const head = `2024-05-01T10:00:00Z app[${1 + Math.floor(r() * 9)}]: seq=${
    String(seq).padStart(8, "0")
  }`;
  const kind = r();
  const pad = "abcdefghij".repeat(1 + Math.floor(r() * 12));
  if (multiline && kind < 0.1) {
    const lines = [`${head} error: boom ${pad}`];
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) lines.push(`    at frame${i} (app.js:${10 + i}) ${pad.slice(i)}`);
    return lines.join("\n");
  }
  if (kind < 0.25) return `${head} naïve café 日本語 ✓ ${pad}`;
  return `${head} ok ${pad}`;
}

/** Which file an event goes to: app.log (multiline source) or raw.log (lines as bytes). */
const fileOf = (seq: number) => (seq % 3 === 0 ? "raw" : "app");

/** Events of a file output written as raw lines: a line starting with a space continues one. */
function eventsOfRaw(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith(" ") && out.length > 0) out[out.length - 1] += "\n" + line;
    else out.push(line);
  }
  return out;
}

interface Tally {
  missing: number[];
  duplicates: number;
  corrupt: string[];
}

function tally(messages: string[], total: number): Tally {
  const count = new Uint8Array(total);
  let duplicates = 0;
  const corrupt: string[] = [];
  for (const m of messages) {
    const seqs = [...m.matchAll(/seq=(\d{8})/g)].map((x) => Number(x[1]));
    const seq = seqs[0];
    if (
      seqs.length !== 1 || seq === undefined || seq >= total ||
      m !== eventText(seq, fileOf(seq) === "app")
    ) {
      corrupt.push(m.slice(0, 300));
      continue;
    }
    if (count[seq]! > 0) duplicates++;
    count[seq] = Math.min(255, count[seq]! + 1);
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (count[i] === 0) missing.push(i);
  return { missing, duplicates, corrupt };
}

/** Ranges of numbers, for short messages: [1,2,3,7] → "1-3,7". */
function ranges(list: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j]! + 1) j++;
    out.push(i === j ? `${list[i]}` : `${list[i]}-${list[j]}`);
    if (out.length > 20) break;
    i = j;
  }
  return out.join(",");
}

/** logrotate: numbered names shift up, then the file is renamed or copied and truncated. */
async function rotate(dir: string, name: string, how: "rename" | "copytruncate") {
  const path = `${dir}/logs/${name}.log`;
  for (let i = 3; i >= 1; i--) {
    try {
      await Deno.rename(`${path}.${i}`, `${path}.${i + 1}`);
    } catch { /* not there yet */ }
  }
  if (how === "rename") {
    await Deno.rename(path, `${path}.1`);
    await Deno.writeFile(path, new Uint8Array());
  } else {
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
  }
}

async function peakRss(pid: number): Promise<number> {
  try {
    const s = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(/^VmHWM:\s+(\d+)/m.exec(s)![1]) * 1024;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name:
    `logs survives rotations, a failing and absent HTTP output and SIGKILLs: nothing lost or corrupt, at most a batch repeated per kill (seed ${SEED})`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const rand = prng(SEED);
    const dir = await Deno.makeTempDir({ prefix: "driftless_reliability_" });
    // 8% of requests fail with 500, 5% with 429 and Retry-After: 1.
    const script: Reply[] = []; // holes answer 200
    for (let i = 0; i < 50_000; i++) {
      const x = rand();
      if (x < 0.08) script[i] = { status: 500 };
      else if (x < 0.13) script[i] = { status: 429, retryAfter: "1" };
    }
    const web = await startCollector(script);
    await Deno.mkdir(`${dir}/logs`);
    await Deno.mkdir(`${dir}/config`);
    for (const n of ["app", "raw"]) await Deno.writeFile(`${dir}/logs/${n}.log`, new Uint8Array());
    await Deno.writeTextFile(
      `${dir}/config/logs.yml`,
      `state_dir: ${dir}/state
shutdown_timeout: 5s
sources:
  - name: app
    paths: ["${dir}/logs/app.log"]
    multiline: { pattern: "^\\\\s", match: after, timeout: 300ms }
    release_after: 2s
    outputs: [file, web]
  - name: raw
    paths: ["${dir}/logs/raw.log"]
    release_after: 2s
    outputs: [file, web]
outputs:
  - name: file
    type: file
    path: ${dir}/out/{source}.log
    format: raw
    batch: { max_events: ${BATCH}, timeout: 100ms }
  - name: web
    type: http
    url: ${web.url}/ingest
    batch: { max_events: ${BATCH}, timeout: 100ms }
    retry: { initial_backoff: 100ms, max_backoff: 1s }
`,
    );
    let child: Deno.ChildProcess | undefined;
    let peak = 0;
    const start = () => {
      child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", "-A", `${ROOT}/mod.ts`, "--config", `${dir}/config`, "logs"],
        env: { NO_COLOR: "1" },
        stdout: "null",
        stderr: "null",
      }).spawn();
    };
    const kill = async () => {
      if (!child) return;
      peak = Math.max(peak, await peakRss(child.pid));
      child.kill("SIGKILL");
      await child.status;
      child = undefined;
    };
    try {
      start();
      // The schedule, drawn from the seed: rotations every few seconds, kills every 5-9 s,
      // the HTTP output down for 12 s in the middle with a copytruncate while it is down.
      const t0 = Date.now();
      const outage = { from: 20_000, to: 32_000 };
      let nextRotate = 3000 + rand() * 3000;
      let nextKill = 5000 + rand() * 4000;
      let outageRotated = false;
      let kills = 0;
      let rotations = 0;
      let seq = 0;
      const enc = new TextEncoder();
      for (;;) {
        const t = Date.now() - t0;
        if (t >= WRITE_MS) break;
        // One write per file per tick, whole events only (as a logger does).
        const target = Math.floor((t / 1000) * RATE);
        const text: Record<string, string> = { app: "", raw: "" };
        for (; seq < target; seq++) {
          text[fileOf(seq)] += eventText(seq, fileOf(seq) === "app") + "\n";
        }
        for (const n of ["app", "raw"]) {
          if (text[n]) {
            await Deno.writeFile(`${dir}/logs/${n}.log`, enc.encode(text[n]), { append: true });
          }
        }
        web.down = t >= outage.from && t < outage.to;
        if (t >= nextRotate) {
          await rotate(dir, rand() < 0.5 ? "app" : "raw", rand() < 0.5 ? "rename" : "copytruncate");
          rotations++;
          nextRotate = t + 3000 + rand() * 4000;
        }
        if (!outageRotated && t >= outage.from + 8000) {
          // The reader has been held up by the full queue for a while: truncate under it.
          await rotate(dir, "app", "copytruncate");
          await rotate(dir, "raw", "copytruncate");
          outageRotated = true;
        }
        if (t >= nextKill) {
          await kill();
          kills++;
          await sleep(rand() * 500);
          start();
          nextKill = Date.now() - t0 + 5000 + rand() * 4000;
        }
        await sleep(50);
      }
      web.down = false;
      const total = seq;
      const fileEvents = async () => [
        ...eventsOfRaw(await Deno.readTextFile(`${dir}/out/app.log`).catch(() => "")),
        ...eventsOfRaw(await Deno.readTextFile(`${dir}/out/raw.log`).catch(() => "")),
      ];
      const webEvents = () => web.docs.map((d) => d.message as string);
      // Everything arrives once the writer stops (or the check below says what is missing).
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const f = tally(await fileEvents(), total);
        const w = tally(webEvents(), total);
        if (f.missing.length === 0 && w.missing.length === 0) break;
        await sleep(1000);
      }
      peak = Math.max(peak, child ? await peakRss(child.pid) : 0);
      child!.kill("SIGTERM");
      await child!.status;
      child = undefined;
      const f = tally(await fileEvents(), total);
      const w = tally(webEvents(), total);
      const summary = `seed ${SEED}: ${total} events, ${rotations} rotations + 2 during the ` +
        `outage, ${kills} kills; file output: ${f.duplicates} repeats, web output: ` +
        `${w.duplicates} repeats (${(f.duplicates / Math.max(1, kills)).toFixed(0)} and ` +
        `${(w.duplicates / Math.max(1, kills)).toFixed(0)} per kill); peak RSS ` +
        `${(peak / 2 ** 20).toFixed(1)} MiB\n`;
      Deno.stderr.writeSync(enc.encode(summary));
      assert.ok(kills >= 5, summary);
      assert.deepEqual(f.corrupt, [], `corrupt events in the file output; ${summary}`);
      assert.deepEqual(w.corrupt, [], `corrupt events in the web output; ${summary}`);
      assert.equal(ranges(f.missing), "", `events missing from the file output; ${summary}`);
      assert.equal(ranges(w.missing), "", `events missing from the web output; ${summary}`);
      assert.ok(f.duplicates <= kills * BATCH, `file output: too many repeats; ${summary}`);
      assert.ok(w.duplicates <= kills * BATCH, `web output: too many repeats; ${summary}`);
      // A backlog that was buffered, or state that grew with every event, would go far past it.
      assert.ok(peak < 160 * 2 ** 20, `peak RSS too high; ${summary}`);
    } finally {
      if (child) {
        child.kill("SIGKILL");
        await child.status;
      }
      await web.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
