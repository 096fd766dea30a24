/**
 * The mdadm collector: software RAID state from /proc/mdstat as node_exporter's `node_md_*`
 * families (state, disks by state, disks required, blocks and blocks synced), which the
 * node-mixin's NodeRAIDDegraded and NodeRAIDDiskFailure alerts read.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One md device. */
export interface MdStat {
  readonly name: string;
  /** active, inactive, recovering, resyncing, checking or reshaping. */
  readonly state: string;
  readonly disksRequired: number;
  readonly disksActive: number;
  readonly disksFailed: number;
  readonly disksSpare: number;
  readonly blocks: number;
  readonly blocksSynced: number;
}

/** Parses /proc/mdstat. */
export function parseMdstat(text: string): MdStat[] {
  const lines = text.split("\n");
  const out: MdStat[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^md\S*\s+:\s/.test(line)) continue;
    const fields = line.trim().split(/\s+/);
    const name = fields[0]!;
    let state = fields[2] ?? "";
    const failed = (line.match(/\(F\)/g) ?? []).length;
    const spare = (line.match(/\(S\)/g) ?? []).length;
    const members = fields.slice(3).filter((f) => /\[\d+\]/.test(f)).length;
    const status = lines[i + 1] ?? "";
    const blocks = Number(/(\d+) blocks/.exec(status)?.[1] ?? 0);
    const counts = /\[(\d+)\/(\d+)\]/.exec(status);
    // An inactive array has no active or required disks (as node_exporter reports it); without
    // "[n/m]" (raid0, linear) every member that is not failed or spare counts.
    const inactive = state === "inactive";
    const active = inactive ? 0 : counts ? Number(counts[2]) : members - failed - spare;
    const required = inactive ? 0 : counts ? Number(counts[1]) : members - spare;
    let synced = blocks;
    for (const next of [lines[i + 2] ?? "", lines[i + 3] ?? ""]) {
      const m = /\b(recovery|resync|check|reshape)\s*=\s*[\d.]+%\s*\((\d+)\/\d+\)/.exec(next);
      if (m) {
        state = {
          recovery: "recovering",
          resync: "resyncing",
          check: "checking",
          reshape: "reshaping",
        }[m[1]!]!;
        synced = Number(m[2]);
        break;
      }
      if (/\b(resync|recovery)\s*=\s*(DELAYED|PENDING)/.test(next)) {
        state = next.includes("recovery") ? "recovering" : "resyncing";
        synced = 0;
        break;
      }
    }
    out.push({
      name,
      state,
      disksRequired: required,
      disksActive: active,
      disksFailed: failed,
      disksSpare: spare,
      blocks,
      blocksSynced: synced,
    });
  }
  return out;
}

/** The families for parsed md devices. */
export function mdadmFamilies(devices: readonly MdStat[]): MetricFamily[] {
  const set = new FamilySet();
  for (const d of devices) {
    set.add(
      "node_md_blocks",
      "Total number of blocks on device.",
      "gauge",
      { device: d.name },
      d.blocks,
    );
  }
  for (const d of devices) {
    set.add("node_md_blocks_synced", "Number of blocks synced on device.", "gauge", {
      device: d.name,
    }, d.blocksSynced);
  }
  for (const d of devices) {
    const help = "Number of active/failed/spare disks of device.";
    set.add("node_md_disks", help, "gauge", { device: d.name, state: "active" }, d.disksActive);
    set.add("node_md_disks", help, "gauge", { device: d.name, state: "failed" }, d.disksFailed);
    set.add("node_md_disks", help, "gauge", { device: d.name, state: "spare" }, d.disksSpare);
  }
  for (const d of devices) {
    set.add("node_md_disks_required", "Total number of disks of device.", "gauge", {
      device: d.name,
    }, d.disksRequired);
  }
  for (const d of devices) {
    const help = "Indicates the state of md-device.";
    const labels: [string, string][] = [
      ["active", "active"],
      ["inactive", "inactive"],
      ["recovering", "recovering"],
      ["resyncing", "resync"],
      ["checking", "check"],
    ];
    for (const [state, label] of labels) {
      set.add(
        "node_md_state",
        help,
        "gauge",
        { device: d.name, state: label },
        d.state === state ? 1 : 0,
      );
    }
  }
  return set.list();
}

/** The mdadm collector. */
export function mdadmCollector(): Collector {
  return {
    name: "mdadm",
    collect({ paths }) {
      const text = readOptional(at(paths.proc, "mdstat"));
      if (text === undefined) throw new NoDataError("no /proc/mdstat (md driver not loaded)");
      return mdadmFamilies(parseMdstat(text));
    },
  };
}
