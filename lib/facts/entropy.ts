/**
 * The entropy collector: `node_entropy_available_bits` and `node_entropy_pool_size_bits`.
 *
 * @module
 */
import { at, readText } from "./_read.ts";
import type { Collector } from "./collector.ts";
import { single } from "./metric.ts";

/** The entropy collector. */
export function entropyCollector(): Collector {
  return {
    name: "entropy",
    collect({ paths }) {
      const avail = readText(at(paths.proc, "sys/kernel/random/entropy_avail"));
      const pool = readText(at(paths.proc, "sys/kernel/random/poolsize"));
      return [
        single("node_entropy_available_bits", "Bits of available entropy.", Number(avail.trim())),
        single("node_entropy_pool_size_bits", "Bits of entropy pool.", Number(pool.trim())),
      ];
    },
  };
}
