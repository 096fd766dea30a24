import assert from "node:assert/strict";
import { commandCollector, parseCommandOutput } from "../../../lib/facts/command.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { valueOf } from "./_fixtures.ts";

Deno.test("parseCommandOutput() reads a number or the numbers of a JSON document", () => {
  assert.deepEqual(parseCommandOutput(" 42.5\n").values, [["", 42.5]]);
  assert.deepEqual(
    parseCommandOutput('{"queue": {"depth": 3, "ok": true}, "lag": [1, 2], "name": "x"}').values,
    [
      ["queue_depth", 3],
      ["queue_ok", 1],
      ["lag_0", 1],
      ["lag_1", 2],
    ],
  );
  assert.throws(() => parseCommandOutput("hello"), /expected a number or JSON/);
  assert.throws(() => parseCommandOutput('{"a": "b"}'), /no numbers/);
});

Deno.test("commandCollector() runs real commands, with a timeout that kills them", async () => {
  const errors: string[] = [];
  const collector = commandCollector({
    commands: [
      { name: "answer", command: ["/bin/echo", "42"], labels: { team: "ops" } },
      { name: "stats", command: `printf '{"files": 7, "bytes": 1024}'` },
      { name: "slow", command: ["sleep", "30"], timeoutMs: 200 },
      { name: "fails", command: "exit 3" },
    ],
    onError: (m) => errors.push(m),
  });
  const t0 = performance.now();
  const fams = await collector.collect({
    paths: DEFAULT_PATHS,
    signal: new AbortController().signal,
  });
  assert.ok(performance.now() - t0 < 10_000, "the sleeping command was killed");
  assert.equal(valueOf(fams, "answer", { team: "ops" }), 42);
  assert.equal(valueOf(fams, "stats_files"), 7);
  assert.equal(valueOf(fams, "driftless_command_success", { command: "answer" }), 1);
  assert.equal(valueOf(fams, "driftless_command_success", { command: "slow" }), 0);
  assert.equal(valueOf(fams, "driftless_command_success", { command: "fails" }), 0);
  assert.ok(errors.some((e) => /slow.*timed out/.test(e)), errors.join("\n"));
  assert.ok(errors.some((e) => /fails.*exited 3/.test(e)), errors.join("\n"));
});

Deno.test("commandCollector() kills a command that ignores SIGTERM, and keeps only 1 MiB of output", async () => {
  const collector = commandCollector({
    commands: [
      { name: "stubborn", command: "trap '' TERM; sleep 30", timeoutMs: 200 },
      { name: "loud", command: "echo 42; head -c 5000000 /dev/zero | tr '\\0' ' '" },
    ],
  });
  const t0 = performance.now();
  const fams = await collector.collect({
    paths: DEFAULT_PATHS,
    signal: new AbortController().signal,
  });
  assert.ok(performance.now() - t0 < 10_000, "SIGKILL followed the ignored SIGTERM");
  assert.equal(valueOf(fams, "driftless_command_success", { command: "stubborn" }), 0);
  // 5 MB of output, of which the first MiB is kept: the number at its start still counts.
  assert.equal(valueOf(fams, "loud"), 42);
});
