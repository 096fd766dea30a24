/**
 * The selinux collector: `node_selinux_enabled`, and the current and configured modes when
 * SELinux is on.
 *
 * @module
 */
import { at, readOptional } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { type MetricFamily, single } from "./metric.ts";

/** The configured mode from /etc/selinux/config: 1 enforcing, 0 permissive, -1 disabled. */
export function parseSelinuxConfig(text: string): number | undefined {
  const m = /^\s*SELINUX\s*=\s*(\w+)/m.exec(text);
  if (!m) return undefined;
  return { enforcing: 1, permissive: 0, disabled: -1 }[m[1]!.toLowerCase()];
}

/** The families for the SELinux state. */
export function selinuxFamilies(s: { enforce?: number; config?: number }): MetricFamily[] {
  if (s.enforce === undefined) {
    return [single("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 0)];
  }
  const out = [single("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", 1)];
  if (s.config !== undefined) {
    out.push(single("node_selinux_config_mode", "Configured SELinux enforcement mode", s.config));
  }
  out.push(single("node_selinux_current_mode", "Current SELinux enforcement mode", s.enforce));
  return out;
}

/** The selinux collector. */
export function selinuxCollector(): Collector {
  return {
    name: "selinux",
    async collect({ paths }) {
      const enforce = readOptional(at(paths.sys, "fs/selinux/enforce"));
      if (enforce === undefined) return selinuxFamilies({});
      const config = await Deno.readTextFile(at(paths.root, "etc/selinux/config")).catch(() =>
        undefined
      );
      const c = config !== undefined ? parseSelinuxConfig(config) : undefined;
      return selinuxFamilies({
        enforce: Number(enforce.trim()),
        ...(c !== undefined ? { config: c } : {}),
      });
    },
  };
}
