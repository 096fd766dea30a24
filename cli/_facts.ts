/**
 * What `facts` and `facts --serve` share: checking `--collector` names, the permission /proc
 * and /sys need, and the MetricsAgent of a facts config with the CLI's logging.
 *
 * @module
 */
import type { FactsConfig } from "../lib/config/facts_schema.ts";
import { didYouMean, PermissionError, UsageError } from "../lib/errors.ts";
import { procAccess } from "../lib/facts/_perm.ts";
import { COLLECTOR_NAMES } from "../lib/facts/collectors.ts";
import { MetricsAgent } from "../lib/facts/metrics_agent.ts";
import type { ThresholdEvent } from "../lib/facts/thresholds.ts";
import denoJson from "../deno.json" with { type: "json" };
import { debug, info, warn } from "./_render.ts";

/** Throws a usage error for a `--collector` name that is not a collector. */
export function checkCollectorNames(names: readonly string[]): void {
  for (const name of names) {
    if (!(COLLECTOR_NAMES as readonly string[]).includes(name)) {
      const hint = didYouMean(name, COLLECTOR_NAMES) ??
        `expected one of ${COLLECTOR_NAMES.join(", ")}`;
      throw new UsageError(`unknown collector "${name}"; ${hint}`);
    }
  }
}

/** Throws when /proc and /sys cannot be read (Deno requires every permission for them). */
export function requireProcAccess(): void {
  if (procAccess()) return;
  // deno-ecosystem.md §6: a scoped --allow-read says "granted" for /proc, yet reads fail.
  throw new PermissionError("metrics are read from /proc and /sys, which needs all permissions", [
    "-A",
  ]);
}

/** The collectors and thresholds of a facts config; crossings are logged, then `onEvent`. */
export function metricsAgent(
  config: FactsConfig | undefined,
  collectors: readonly string[],
  onEvent?: (e: ThresholdEvent) => void,
): MetricsAgent {
  return new MetricsAgent(config, {
    only: collectors,
    version: denoJson.version,
    log: (level, m) => (level === "warn" ? warn(m) : debug(m)),
    onEvent: (e) => {
      info(JSON.stringify(e));
      onEvent?.(e);
    },
  });
}
