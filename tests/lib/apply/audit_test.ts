import assert from "node:assert/strict";
import { AuditDirSink, type AuditEntry, AuditLog } from "../../../lib/apply/audit.ts";
import { Redactor } from "../../../lib/secrets.ts";

const entry = (task: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  time: "2026-11-25T10:00:00.000Z",
  host: "web1",
  run_id: "r1",
  dry_run: false,
  task,
  type: "copy",
  status: "changed",
  changed: true,
  summaries: [`write ${task}`],
  duration_ms: 1.5,
  ...extra,
});

function todayFile(dir: string): string {
  return `${dir}/audit-${new Date().toISOString().slice(0, 10)}.jsonl`;
}

Deno.test("AuditLog writes one redacted JSON line per task to a file per day", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = new Redactor();
    r.add("hunter2-secret");
    const log = new AuditLog([new AuditDirSink(`${dir}/audit`)], { redactor: r });
    await log.add(entry("one"));
    await log.add(entry("two", { error: "password hunter2-secret rejected", status: "failed" }));
    await log.close();
    const lines = (await Deno.readTextFile(todayFile(`${dir}/audit`))).trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.equal(JSON.parse(lines[0]!).task, "one");
    assert.equal(JSON.parse(lines[1]!).error, "password [redacted] rejected");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AuditDirSink cuts a line a crash left half-written before appending", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(todayFile(dir), '{"task":"complete"}\n{"task":"tor');
    const sink = new AuditDirSink(dir);
    await sink.send([{ task: "next" }]);
    assert.equal(await Deno.readTextFile(todayFile(dir)), '{"task":"complete"}\n{"task":"next"}\n');
    await Deno.writeTextFile(todayFile(dir), "no newline at all");
    await sink.send([{ task: "only" }]);
    assert.equal(await Deno.readTextFile(todayFile(dir)), '{"task":"only"}\n');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AuditLog keeps going when one sink fails, and reports it at close", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let attempts = 0;
    const down = {
      name: "down",
      check: () => Promise.resolve(),
      send: () => Promise.reject(new Error(`unreachable (${++attempts})`)),
      close: () => Promise.resolve(),
    };
    const log = new AuditLog([new AuditDirSink(dir), down]);
    for (let i = 0; i < 120; i++) await log.add(entry(`t${i}`)); // two batches flush, both fail
    await assert.rejects(log.close(), /unreachable/);
    assert.equal(attempts, 3, "tried at 50 and 100 entries, and at close; not on every entry");
    const lines = (await Deno.readTextFile(todayFile(dir))).trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).task),
      [...Array(120)].map((_, i) => `t${i}`),
      "no entry twice",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
