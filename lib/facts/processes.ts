/**
 * The processes collector (off by default, as in node_exporter): how many processes and threads
 * exist and in which state, from /proc/<pid>/stat, beside the kernel's limits (pid_max and
 * threads-max). Processes that exit while being read are skipped.
 *
 * @module
 */
import { attempt } from "./_perm.ts";
import { at, listDir, readAttr, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily, single } from "./metric.ts";

/** The state letter and thread count of one /proc/<pid>/stat. */
export function parseStatState(text: string): { state: string; threads: number } | undefined {
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(" ");
  const threads = Number(f[17]);
  return f[0] ? { state: f[0], threads: Number.isFinite(threads) ? threads : 0 } : undefined;
}

/** Counts over every process. */
export interface ProcessCounts {
  readonly pids: number;
  readonly threads: number;
  readonly states: ReadonlyMap<string, number>;
  readonly maxProcesses?: number;
  readonly maxThreads?: number;
}

/** The families for the counts. */
export function processesFamilies(c: ProcessCounts): MetricFamily[] {
  const out: MetricFamily[] = [];
  if (c.maxProcesses !== undefined) {
    out.push(single("node_processes_max_processes", "Number of max PIDs limit", c.maxProcesses));
  }
  if (c.maxThreads !== undefined) {
    out.push(single("node_processes_max_threads", "Limit of threads in the system", c.maxThreads));
  }
  out.push(single("node_processes_pids", "Number of PIDs", c.pids));
  const set = new FamilySet();
  for (const [state, n] of [...c.states].sort(([a], [b]) => (a < b ? -1 : 1))) {
    set.add("node_processes_state", "Number of processes in each state.", "gauge", { state }, n);
  }
  out.push(...set.list());
  out.push(single("node_processes_threads", "Allocated threads in system", c.threads));
  return out;
}

/** The processes collector. */
export function processesCollector(): Collector {
  return {
    name: "processes",
    collect: ({ paths }) => {
      let pids = 0;
      let threads = 0;
      const states = new Map<string, number>();
      for (const pid of listDir(paths.proc)) {
        if (!/^\d+$/.test(pid)) continue;
        // A process that exits meanwhile is simply not counted.
        const text = attempt(() => readOptional(at(paths.proc, `${pid}/stat`)));
        const s = text !== undefined ? parseStatState(text) : undefined;
        if (!s) continue;
        pids++;
        threads += s.threads;
        states.set(s.state, (states.get(s.state) ?? 0) + 1);
      }
      const max = (p: string) => {
        const v = readAttr(at(paths.proc, p));
        return v !== undefined ? { value: Number(v) } : undefined;
      };
      const maxProcesses = max("sys/kernel/pid_max");
      const maxThreads = max("sys/kernel/threads-max");
      return processesFamilies({
        pids,
        threads,
        states,
        ...(maxProcesses ? { maxProcesses: maxProcesses.value } : {}),
        ...(maxThreads ? { maxThreads: maxThreads.value } : {}),
      });
    },
  };
}
