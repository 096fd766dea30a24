/**
 * The bonding collector: `node_bonding_slaves` and `node_bonding_active` per bond master, from
 * /sys/class/net (the node-mixin's bonding alert reads them).
 *
 * @module
 */
import { at, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { NoDataError } from "./errors.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** A bond: its master name and each slave's MII status. */
export interface Bond {
  readonly master: string;
  readonly slaves: ReadonlyArray<readonly [string, string | undefined]>;
}

/** The families for the bonds. */
export function bondingFamilies(bonds: readonly Bond[]): MetricFamily[] {
  const set = new FamilySet();
  for (const b of bonds) {
    set.add("node_bonding_active", "Number of active slaves per bonding interface.", "gauge", {
      master: b.master,
    }, b.slaves.filter(([, mii]) => mii === "up").length);
  }
  for (const b of bonds) {
    set.add("node_bonding_slaves", "Number of configured slaves per bonding interface.", "gauge", {
      master: b.master,
    }, b.slaves.length);
  }
  return set.list();
}

/** The bonding collector. */
export function bondingCollector(): Collector {
  return {
    name: "bonding",
    collect({ paths }) {
      const net = at(paths.sys, "class/net");
      const masters = readAttr(`${net}/bonding_masters`);
      if (masters === undefined) throw new NoDataError("bonding driver not loaded");
      const bonds = masters.split(/\s+/).filter(Boolean).map((master) => {
        const slaves = (readAttr(`${net}/${master}/bonding/slaves`) ?? "").split(/\s+/).filter(
          Boolean,
        );
        return {
          master,
          slaves: slaves.map((s) =>
            [
              s,
              // lower_<if> on current kernels, slave_<if> on older ones.
              readAttr(`${net}/${master}/lower_${s}/bonding_slave/mii_status`) ??
                readAttr(`${net}/${master}/slave_${s}/bonding_slave/mii_status`) ??
                readAttr(`${net}/${s}/bonding_slave/mii_status`),
            ] as const
          ),
        };
      });
      return bondingFamilies(bonds);
    },
  };
}
