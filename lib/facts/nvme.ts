/**
 * The nvme collector: `node_nvme_info` per controller from /sys/class/nvme (serial, model,
 * firmware revision and state).
 *
 * @module
 */
import { at, listSubsystem, readAttr } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily } from "./metric.ts";

/** One NVMe controller's identity. */
export interface NvmeController {
  readonly device: string;
  readonly serial: string;
  readonly model: string;
  readonly firmwareRevision: string;
  readonly state: string;
}

/** The families for the controllers. */
export function nvmeFamilies(controllers: readonly NvmeController[]): MetricFamily[] {
  const set = new FamilySet();
  for (const c of controllers) {
    set.add(
      "node_nvme_info",
      "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
      "gauge",
      {
        device: c.device,
        firmware_revision: c.firmwareRevision,
        model: c.model,
        serial: c.serial,
        state: c.state,
      },
      1,
    );
  }
  return set.list();
}

/** The nvme collector. */
export function nvmeCollector(): Collector {
  return {
    name: "nvme",
    collect: ({ paths }) => {
      const base = at(paths.sys, "class/nvme");
      const controllers = listSubsystem(base).map((device) => ({
        device,
        serial: readAttr(`${base}/${device}/serial`) ?? "",
        model: readAttr(`${base}/${device}/model`) ?? "",
        firmwareRevision: readAttr(`${base}/${device}/firmware_rev`) ?? "",
        state: readAttr(`${base}/${device}/state`) ?? "",
      }));
      return nvmeFamilies(controllers);
    },
  };
}
