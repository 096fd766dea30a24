/**
 * The process collector: processes grouped by a name pattern, with their count, CPU seconds and
 * resident memory (`driftless_process_*{name}`), read from /proc/<pid>/stat (one read per
 * process, no child process). CPU seconds are a true counter: the time of processes that exit
 * stays counted, so `rate()` works across restarts.
 *
 * @module
 */
import { at, listDir, readAttr } from "./_read.ts";
import { USER_HZ } from "./cpu.ts";
import { pageSize } from "./_page_size.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** The fields of /proc/<pid>/stat the collector uses. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  /** User and system CPU in clock ticks. */
  readonly utime: number;
  readonly stime: number;
  /** Start time in clock ticks after boot (tells a reused pid from the old process). */
  readonly starttime: number;
  /** Resident set in pages. */
  readonly rss: number;
}

/** Parses /proc/<pid>/stat; `comm` may hold spaces and parentheses, so it ends at the last ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).trim().split(" ");
  // f[0] is field 3 (state); utime is field 14, stime 15, starttime 22, rss 24.
  const n = (field: number) => Number(f[field - 3]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0] ?? "",
    utime: n(14),
    stime: n(15),
    starttime: n(22),
    rss: n(24),
  };
  return [stat.pid, stat.utime, stat.stime, stat.rss].every(Number.isFinite) ? stat : undefined;
}

/** A group of processes to report. */
export interface ProcessGroup {
  /** The `name` label. */
  readonly name: string;
  /** Regex matched against the command name (comm) or, with `cmdline`, the full command line. */
  readonly pattern: string;
  /** Match the full command line (one more read per process) instead of the 15-character comm. */
  readonly cmdline?: boolean;
}

/** Per-group totals of one run. */
export interface GroupTotals {
  count: number;
  rssBytes: number;
  user: number;
  system: number;
}

/**
 * Accumulates CPU seconds per group across runs: each process adds what it used since it was
 * last seen, so a group's counter never goes down when a process exits.
 */
export class CpuAccumulator {
  readonly #last = new Map<string, { user: number; system: number }>();
  readonly #totals = new Map<string, { user: number; system: number }>();

  /** Feeds one run's matches (group, process identity, its CPU seconds); returns the totals. */
  update(
    matches: ReadonlyArray<{ group: string; key: string; user: number; system: number }>,
  ): Map<string, { user: number; system: number }> {
    const seen = new Map<string, { user: number; system: number }>();
    for (const m of matches) {
      const prev = this.#last.get(`${m.group}\0${m.key}`) ?? { user: 0, system: 0 };
      const t = this.#totals.get(m.group) ?? { user: 0, system: 0 };
      t.user += Math.max(0, m.user - prev.user);
      t.system += Math.max(0, m.system - prev.system);
      this.#totals.set(m.group, t);
      seen.set(`${m.group}\0${m.key}`, { user: m.user, system: m.system });
    }
    this.#last.clear();
    for (const [k, v] of seen) this.#last.set(k, v);
    return this.#totals;
  }
}

/** The families for the groups' totals. */
export function processFamilies(
  groups: readonly string[],
  totals: ReadonlyMap<string, GroupTotals>,
): MetricFamily[] {
  const set = new FamilySet();
  for (const name of groups) {
    const t = totals.get(name) ?? { count: 0, rssBytes: 0, user: 0, system: 0 };
    set.add(
      "driftless_process_count",
      "Number of processes in the group.",
      "gauge",
      { name },
      t.count,
    );
  }
  for (const name of groups) {
    const t = totals.get(name) ?? { count: 0, rssBytes: 0, user: 0, system: 0 };
    const help = "CPU seconds used by the group's processes, including those that exited.";
    set.add(
      "driftless_process_cpu_seconds_total",
      help,
      "counter",
      { mode: "system", name },
      t.system,
    );
    set.add("driftless_process_cpu_seconds_total", help, "counter", { mode: "user", name }, t.user);
  }
  for (const name of groups) {
    const t = totals.get(name) ?? { count: 0, rssBytes: 0, user: 0, system: 0 };
    set.add(
      "driftless_process_resident_memory_bytes",
      "Resident memory of the group's processes.",
      "gauge",
      { name },
      t.rssBytes,
    );
  }
  return set.list();
}

/** Options of the process collector. */
export interface ProcessOptions {
  readonly groups: readonly ProcessGroup[];
}

/** The process collector. */
export function processCollector(options: ProcessOptions): Collector {
  const groups = options.groups.map((g) => ({ ...g, re: new RegExp(g.pattern) }));
  const needCmdline = groups.some((g) => g.cmdline);
  const cpu = new CpuAccumulator();
  return {
    name: "process",
    async collect({ paths }) {
      const page = await pageSize(paths.proc);
      const pids = listDir(paths.proc).filter((n) => /^\d+$/.test(n));
      // A process can exit between the listing and the read: it is simply not counted.
      const stats = pids.map((pid) => {
        const stat = readAttr(at(paths.proc, `${pid}/stat`));
        const s = stat !== undefined ? parseProcStat(stat) : undefined;
        if (!s) return undefined;
        const cmdline = needCmdline ? readAttr(at(paths.proc, `${pid}/cmdline`)) ?? "" : "";
        return { s, cmdline: cmdline.replaceAll("\0", " ").trim() };
      });
      const totals = new Map<string, GroupTotals>();
      const matches: { group: string; key: string; user: number; system: number }[] = [];
      for (const p of stats) {
        if (!p) continue;
        for (const g of groups) {
          if (!g.re.test(g.cmdline ? p.cmdline || p.s.comm : p.s.comm)) continue;
          const t = totals.get(g.name) ?? { count: 0, rssBytes: 0, user: 0, system: 0 };
          t.count++;
          t.rssBytes += p.s.rss * page;
          totals.set(g.name, t);
          matches.push({
            group: g.name,
            key: `${p.s.pid}:${p.s.starttime}`,
            user: p.s.utime / USER_HZ,
            system: p.s.stime / USER_HZ,
          });
        }
      }
      for (const [name, c] of cpu.update(matches)) {
        const t = totals.get(name) ?? { count: 0, rssBytes: 0, user: 0, system: 0 };
        t.user = c.user;
        t.system = c.system;
        totals.set(name, t);
      }
      return processFamilies(groups.map((g) => g.name), totals);
    },
  };
}
