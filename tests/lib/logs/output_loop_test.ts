import assert from "node:assert/strict";
import { logsSchema } from "../../../lib/config/logs_schema.ts";
import { outputLoops } from "../../../lib/logs/output_loop.ts";

const config = (outPath: string, extra: Record<string, unknown> = {}) => ({
  sources: [
    { name: "app", paths: ["/var/log/app/*.log"], outputs: ["out"], ...extra },
    { name: "other", paths: ["/srv/other.log"], outputs: ["out"] },
  ],
  outputs: [{ name: "out", type: "file", path: outPath }],
});

Deno.test("outputLoops() finds a file output that a source's globs read back", () => {
  const now = new Date("2024-05-01T10:00:00Z");
  // Rendered per routed source ({source}), with the host, and rotated names too.
  assert.deepEqual(
    outputLoops(config("/var/log/app/{source}.log") as never, "web-1", now).map((
      l,
    ) => [l.source, l.output, l.path]),
    [[0, 0, "/var/log/app/app.log"]],
  );
  assert.equal(
    outputLoops(config("/var/log/app/{host}.log") as never, "web-1", now)[0]!.path,
    "/var/log/app/web-1.log",
  );
  const rotatedOnly = {
    ...config("/var/log/app/ship.out"),
    sources: [{ name: "app", paths: ["/var/log/app/ship.out.*"], outputs: ["out"] }],
  };
  assert.equal(
    outputLoops(rotatedOnly as never, "h", now)[0]!.path,
    "/var/log/app/ship.out.20240501T100000Z",
  );
  // Elsewhere, or excluded: no loop.
  assert.deepEqual(outputLoops(config("/var/log/shipped/{source}.log") as never, "h", now), []);
  assert.deepEqual(
    outputLoops(
      config("/var/log/app/{source}.log", { exclude: ["app.log", "other.log"] }) as never,
      "h",
      now,
    ),
    [],
  );
});

Deno.test("the logs schema refuses an output path a source reads (exit 2 with the output's key)", () => {
  const r = logsSchema.safeParse(config("/var/log/app/shipped.log"));
  assert.ok(!r.success);
  const issue = r.error.issues.find((i) => i.path.join(".") === "outputs.0.path");
  assert.ok(issue, JSON.stringify(r.error.issues));
  assert.match(
    issue.message,
    /source "app" would read back \/var\/log\/app\/shipped\.log, which output "out" writes: .* add its path to the source's exclude/,
  );
});
