/**
 * The cost of one facts poll in-process: the typical poll (cpu, meminfo, loadavg, filesystem,
 * netdev, diskstats — what systeminformation's currentLoad+mem+fsSize+networkStats covers), a
 * full scrape of the default collectors rendered as text, and `gatherFacts()` (the Ansible-style
 * facts `apply` uses). Median wall time and CPU time per call over N calls after a warm-up.
 *
 * Usage: deno run -A bench/facts_poll.ts [N]    (prints one JSON object)
 * Child processes: run it under `strace -f -e trace=execve,fork,vfork` (bench/metrics_vs_node_exporter.sh does).
 */
import { configureCollectors } from "../lib/facts/collectors.ts";
import { toPrometheusText } from "../lib/facts/exposition.ts";
import { gatherFacts } from "../lib/facts/host_facts.ts";
import { Scraper } from "../lib/facts/scraper.ts";
import { setReadCache } from "../lib/facts/_read.ts";

const N = Number(Deno.args[0] ?? 200);

function cpuSeconds(): number {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function measure(
  fn: () => Promise<unknown>,
): Promise<{ median_ms: number; p90_ms: number; cpu_ms: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  const c0 = cpuSeconds();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const cpu = (cpuSeconds() - c0) * 1000 / N;
  times.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    median_ms: r(times[Math.floor(N / 2)]!),
    p90_ms: r(times[Math.floor(N * 0.9)]!),
    cpu_ms: r(cpu),
  };
}

const log = () => {};
const typical = new Scraper(configureCollectors(undefined, {
  log,
  only: ["cpu", "meminfo", "loadavg", "filesystem", "netdev", "diskstats"],
}));
const full = new Scraper(configureCollectors(undefined, { log }));

// As `facts --serve` and the agent run: /proc and /sys files stay open between polls.
setReadCache(true);
const out = {
  n: N,
  typical_poll: await measure(() => typical.scrape()),
  full_scrape_and_render: await measure(async () =>
    toPrometheusText((await full.scrape()).families)
  ),
  gather_facts: await measure(() => gatherFacts()),
};
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(out) + "\n"));
