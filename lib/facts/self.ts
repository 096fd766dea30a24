/**
 * The exporter's own metrics: `node_exporter_build_info` (which node-mixin dashboards read;
 * the labels say it is driftless on Deno), `driftless_build_info`, and the standard
 * `process_*` metrics of this process from /proc/self.
 *
 * @module
 */
import { at, listDir, readOptional } from "./_read.ts";
import { attempt } from "./_perm.ts";
import { pageSize } from "./_page_size.ts";
import { USER_HZ } from "./cpu.ts";
import { family, type MetricFamily, single } from "./metric.ts";
import { parseProcStat } from "./process.ts";

/** Build identity for the info metrics. */
export interface BuildInfo {
  readonly version: string;
}

const GOARCH: Readonly<Record<string, string>> = { x86_64: "amd64", aarch64: "arm64" };

/** The build info families. */
export function buildInfoFamilies(build: BuildInfo): MetricFamily[] {
  return [
    family(
      "driftless_build_info",
      "A metric with a constant '1' value labeled by the driftless and Deno versions.",
      "gauge",
      [
        { labels: { deno: Deno.version.deno, version: build.version }, value: 1 },
      ],
    ),
    family(
      "node_exporter_build_info",
      "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.",
      "gauge",
      [{
        labels: {
          branch: "driftless",
          goarch: GOARCH[Deno.build.arch] ?? Deno.build.arch,
          goos: Deno.build.os,
          goversion: `deno${Deno.version.deno}`,
          revision: "",
          version: build.version,
        },
        value: 1,
      }],
    ),
  ];
}

/** A soft limit from /proc/self/limits ("Max open files"); unlimited is 2^64-1, as Go reports it. */
export function parseLimit(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}\\s+(\\S+)`, "m").exec(text);
  if (!m) return undefined;
  return m[1] === "unlimited" ? 18446744073709551615 : Number(m[1]);
}

/** `process_*` metrics for this process; families whose source cannot be read are left out. */
export async function processSelfFamilies(proc = "/proc"): Promise<MetricFamily[]> {
  const read = (p: string) => attempt(() => readOptional(at(proc, p)));
  const [stat, limits, status, uptime] = ["self/stat", "self/limits", "self/status", "uptime"].map(
    read,
  );
  const out: MetricFamily[] = [];
  const s = stat ? parseProcStat(stat) : undefined;
  if (s) {
    out.push(
      single(
        "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.",
        (s.utime + s.stime) / USER_HZ,
        "counter",
      ),
    );
    out.push(
      single(
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
        s.rss * (await pageSize(proc)),
      ),
    );
    const up = Number(uptime?.split(" ")[0]);
    if (Number.isFinite(up)) {
      const bootTime = Date.now() / 1000 - up;
      out.push(
        single(
          "process_start_time_seconds",
          "Start time of the process since unix epoch in seconds.",
          Math.round(bootTime + s.starttime / USER_HZ),
        ),
      );
    }
  }
  const vm = status ? /^VmSize:\s+(\d+) kB/m.exec(status) : null;
  if (vm) {
    out.push(
      single("process_virtual_memory_bytes", "Virtual memory size in bytes.", Number(vm[1]) * 1024),
    );
  }
  const fds = attempt(() => listDir(at(proc, "self/fd")).length);
  // Not readable without -A: left out.
  if (fds !== undefined) {
    out.push(single("process_open_fds", "Number of open file descriptors.", fds));
  }
  const max = limits ? parseLimit(limits, "Max open files") : undefined;
  if (max !== undefined) {
    out.push(single("process_max_fds", "Maximum number of open file descriptors.", max));
  }
  const maxVm = limits ? parseLimit(limits, "Max address space") : undefined;
  if (maxVm !== undefined) {
    out.push(single(
      "process_virtual_memory_max_bytes",
      "Maximum amount of virtual memory available in bytes.",
      maxVm,
    ));
  }
  return out;
}
