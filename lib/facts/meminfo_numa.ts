/**
 * The meminfo_numa collector (off by default, as in node_exporter): each NUMA node's
 * /sys/devices/system/node/node<N>/meminfo as `node_memory_numa_<Field>{node}` (bytes for kB
 * fields) and its numastat counters as `node_memory_numa_<field>_total{node}`.
 *
 * @module
 */
import { at, listDir, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** Parses a node's meminfo (`Node 1 Active(anon): 590464 kB`): field name → value in bytes. */
export function parseNodeMeminfo(text: string): [string, number][] {
  const out: [string, number][] = [];
  for (const line of text.split("\n")) {
    const m = /^Node\s+\d+\s+(\S+):\s+(\d+)(\s+kB)?/.exec(line.trim());
    if (!m) continue;
    const name = m[1]!.replace(/\((.*)\)/, "_$1");
    out.push([name, Number(m[2]) * (m[3] ? 1024 : 1)]);
  }
  return out;
}

/** Parses a node's numastat (`numa_hit 326720946761`). */
export function parseNumastat(text: string): [string, number][] {
  return text.split("\n").flatMap((line) => {
    const [k, v] = line.trim().split(/\s+/);
    return k && v !== undefined ? [[k, Number(v)] as [string, number]] : [];
  });
}

/** The families of every node. */
export function meminfoNumaFamilies(
  nodes: ReadonlyArray<{ node: string; meminfo: [string, number][]; numastat: [string, number][] }>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const n of nodes) {
    for (const [k, v] of n.meminfo) {
      set.add(
        `node_memory_numa_${k}`,
        `Memory information field ${k}.`,
        "gauge",
        { node: n.node },
        v,
      );
    }
    for (const [k, v] of n.numastat) {
      set.add(
        `node_memory_numa_${k}_total`,
        `Memory information field ${k}_total.`,
        "counter",
        { node: n.node },
        v,
      );
    }
  }
  return set.list();
}

/** The meminfo_numa collector. */
export function meminfoNumaCollector(): Collector {
  return {
    name: "meminfo_numa",
    collect: ({ paths }) => {
      const base = at(paths.sys, "devices/system/node");
      const nodes = listDir(base).filter((d) => /^node\d+$/.test(d)).map((d) => ({
        node: d.slice(4),
        meminfo: parseNodeMeminfo(readText(`${base}/${d}/meminfo`)),
        numastat: parseNumastat(readText(`${base}/${d}/numastat`)),
      }));
      if (nodes.length === 0) throw new NoDataError("no NUMA nodes in sysfs");
      return meminfoNumaFamilies(nodes);
    },
  };
}
