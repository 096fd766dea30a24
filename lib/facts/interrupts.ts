/**
 * The interrupts collector (off by default, as in node_exporter): per-CPU interrupt counts
 * from /proc/interrupts as `node_interrupts_total{cpu,devices,info,type}`.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One interrupt line: its name (`0`, `NMI`), description and a count per CPU. */
export interface Interrupt {
  readonly type: string;
  readonly info: string;
  readonly devices: string;
  readonly counts: readonly number[];
}

/**
 * Parses /proc/interrupts. Lines with fewer columns than CPUs (`ERR`, `MIS`) are skipped, as
 * node_exporter skips them; for numbered IRQs the first word after the counts is the chip and
 * the rest the devices.
 */
export function parseInterrupts(text: string): Interrupt[] {
  const lines = text.split("\n");
  const cpus = (lines[0] ?? "").trim().split(/\s+/).filter(Boolean).length;
  const out: Interrupt[] = [];
  for (const line of lines.slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < cpus + 2) continue;
    const type = parts[0]!.replace(/:$/, "");
    const rest = parts.slice(cpus + 1);
    const numbered = /^\d+$/.test(type);
    out.push({
      type,
      info: numbered ? rest[0]! : rest.join(" "),
      devices: numbered ? rest.slice(1).join(" ") : "",
      counts: parts.slice(1, cpus + 1).map(Number),
    });
  }
  return out;
}

/** The families for parsed interrupts. */
export function interruptsFamilies(interrupts: readonly Interrupt[]): MetricFamily[] {
  const set = new FamilySet();
  for (const i of interrupts) {
    i.counts.forEach((v, cpu) =>
      set.add("node_interrupts_total", "Interrupt details.", "counter", {
        cpu: String(cpu),
        devices: i.devices,
        info: i.info,
        type: i.type,
      }, v)
    );
  }
  return set.list();
}

/** The interrupts collector. */
export function interruptsCollector(): Collector {
  return {
    name: "interrupts",
    collect: ({ paths }) =>
      interruptsFamilies(parseInterrupts(readText(at(paths.proc, "interrupts")))),
  };
}
