/**
 * Run by many_files_test.ts in its own process with `--expose-gc`: follows N one-line files and
 * prints, as JSON, the heap each followed file costs (measured after full GCs) and counts.
 * Usage: deno run -A --v8-flags=--expose-gc _many_files.ts DIR N
 */
import { LogsPipeline } from "../../../lib/logs/pipeline.ts";
import { logsConfig } from "./_pipeline.ts";

const [dir, count] = Deno.args;
const n = Number(count);
await Deno.mkdir(`${dir}/logs`);
for (let i = 0; i < n; i++) {
  await Deno.writeTextFile(
    `${dir}/logs/f${i}.log`,
    `2024-05-01T10:00:00Z app[${i}]: seq=${String(i).padStart(7, "0")} a line of its own\n`,
  );
}
const gc = (globalThis as unknown as { gc: () => void }).gc;
const config = logsConfig({
  state_dir: `${dir}/state`,
  sources: [{
    name: "many",
    paths: [`${dir}/logs/*.log`],
    max_open_files: 1000,
    scan_interval: 3600,
    outputs: ["out"],
  }],
  outputs: [{ name: "out", type: "file", path: `${dir}/out.log`, format: "raw" }],
});
gc();
const before = Deno.memoryUsage().heapUsed;
const p = await LogsPipeline.create(config, { host: "h" });
const running = p.run();
const sink = p.sinks.get("out")!;
while (sink.stats.eventsSent < n) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 200));
gc();
gc();
const after = Deno.memoryUsage().heapUsed;
const source = p.sources[0]!;
const result = {
  heapPerFile: (after - before) / n,
  open: source.openFiles,
  followed: source.followedFiles,
  shipped: sink.stats.eventsSent,
};
await p.stop();
await running;
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result) + "\n"));
