import assert from "node:assert/strict";
import { toPrometheusText } from "../../../lib/facts/exposition.ts";
import { logsMetrics } from "../../../lib/logs/metrics.ts";
import { append, once, withDir } from "./_pipeline.ts";

function which(cmd: string): string | undefined {
  for (const d of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${d}/${cmd}`).isFile) return `${d}/${cmd}`;
    } catch { /* next */ }
  }
  return undefined;
}
const promtool = which("promtool");

Deno.test("logsMetrics() counts lines, events, drops and sink deliveries", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/logs`);
    await append(`${dir}/logs/a.log`, 0, 100);
    const p = await once({
      state_dir: `${dir}/state`,
      sources: [{
        name: "app",
        paths: [`${dir}/logs/*.log`],
        filters: [{ exclude: "seq=00000[0-4]" }],
        outputs: ["out"],
      }],
      outputs: [{ name: "out", type: "file", path: `${dir}/out.log` }],
    });
    const text = toPrometheusText(logsMetrics(p));
    assert.match(text, /^driftless_logs_lines_read_total\{source="app"\} 100$/m);
    assert.match(text, /^driftless_logs_events_total\{source="app"\} 50$/m);
    assert.match(text, /^driftless_logs_dropped_total\{source="app",reason="filtered"\} 50$/m);
    assert.match(text, /^driftless_sink_events_sent_total\{sink="out"\} 50$/m);
    assert.match(text, /^driftless_logs_lag_bytes\{source="app"\} 0$/m);
    assert.match(text, /^# TYPE driftless_sink_queue_bytes gauge$/m);
    assert.match(text, /^driftless_logs_dropped_total\{source="app",reason="truncated"\} 0$/m);
    assert.match(text, /^driftless_logs_files\{source="app"\} 1$/m);
    assert.match(
      text,
      /^driftless_logs_open_files\{source="app"\} 0$/m,
      "--once closes what it read",
    );
    assert.match(text, /^driftless_logs_unreadable_paths\{source="app"\} 0$/m);
    assert.match(text, /^driftless_logs_watch_overflows_total\{source="app"\} 0$/m);
  }));

Deno.test({
  name: `the logs metrics exposition passes promtool check metrics${
    promtool ? "" : " (skipped: needs promtool, apt-get install prometheus)"
  }`,
  ignore: !promtool,
  fn: () =>
    withDir(async (dir) => {
      await Deno.mkdir(`${dir}/logs`);
      await append(`${dir}/logs/a.log`, 0, 10);
      const p = await once({
        state_dir: `${dir}/state`,
        sources: [{ name: "app", paths: [`${dir}/logs/*.log`], outputs: ["out"] }],
        outputs: [{ name: "out", type: "file", path: `${dir}/out.log` }],
      });
      const child = new Deno.Command(promtool!, {
        args: ["check", "metrics"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(toPrometheusText(logsMetrics(p))));
      await w.close();
      const out = await child.output();
      const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, report);
    }),
});
