/**
 * The pressure collector: PSI totals from /proc/pressure/{cpu,io,memory} as
 * `node_pressure_*_seconds_total` (the kernel counts microseconds).
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { type MetricFamily, single } from "./metric.ts";

/** The `total=` values of the `some` and `full` lines, in seconds. */
export function parsePressure(text: string): { some?: number; full?: number } {
  const out: { some?: number; full?: number } = {};
  for (const line of text.split("\n")) {
    const m = /^(some|full)\b.*\btotal=(\d+)/.exec(line);
    // µs to s as node_exporter divides (twice by 1000), so the float is the same to the last bit.
    if (m) out[m[1] as "some" | "full"] = Number(m[2]) / 1000 / 1000;
  }
  return out;
}

/** The families for parsed cpu, io and memory pressure (node_exporter 1.5's set). */
export function pressureFamilies(
  p: {
    cpu?: { some?: number };
    io?: { some?: number; full?: number };
    memory?: { some?: number; full?: number };
  },
): MetricFamily[] {
  const out: MetricFamily[] = [];
  const add = (v: number | undefined, name: string, help: string) => {
    if (v !== undefined) out.push(single(`node_pressure_${name}`, help, v, "counter"));
  };
  add(
    p.cpu?.some,
    "cpu_waiting_seconds_total",
    "Total time in seconds that processes have waited for CPU time",
  );
  add(
    p.io?.full,
    "io_stalled_seconds_total",
    "Total time in seconds no process could make progress due to IO congestion",
  );
  add(
    p.io?.some,
    "io_waiting_seconds_total",
    "Total time in seconds that processes have waited due to IO congestion",
  );
  add(
    p.memory?.full,
    "memory_stalled_seconds_total",
    "Total time in seconds no process could make progress due to memory congestion",
  );
  add(
    p.memory?.some,
    "memory_waiting_seconds_total",
    "Total time in seconds that processes have waited for memory",
  );
  return out;
}

/** The pressure collector. */
export function pressureCollector(): Collector {
  return {
    name: "pressure",
    collect({ paths }) {
      const [cpu, io, memory] = ["cpu", "io", "memory"].map((r) =>
        readOptional(at(paths.proc, `pressure/${r}`))
      );
      if (cpu === undefined && io === undefined && memory === undefined) {
        throw new NoDataError("pressure stall information is not available (kernel without PSI)");
      }
      return pressureFamilies({
        ...(cpu ? { cpu: parsePressure(cpu) } : {}),
        ...(io ? { io: parsePressure(io) } : {}),
        ...(memory ? { memory: parsePressure(memory) } : {}),
      });
    },
  };
}
