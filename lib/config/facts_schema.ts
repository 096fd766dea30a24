/**
 * The facts file: collectors, thresholds, the /metrics endpoint and exporters (issue 5).
 *
 * @module
 */
import * as z from "zod";

const duration = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'expected a duration like "15s"'),
]);

const collector = z.strictObject({
  enabled: z.boolean().optional(),
  interval: duration.optional(),
}).catchall(z.unknown());

/** The top level of `facts.*`. */
export const factsSchema = z.strictObject({
  interval: duration.optional(),
  collectors: z.record(z.string(), collector).optional(),
  thresholds: z.array(z.strictObject({
    metric: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    warn: z.number().optional(),
    crit: z.number().optional(),
  })).optional(),
  serve: z.strictObject({
    listen: z.string().optional(),
    path: z.string().regex(/^\//, 'expected a path starting with "/"').optional(),
  }).optional(),
  exporters: z.array(z.looseObject({ type: z.string() })).optional(),
}).meta({ title: "driftless facts config" });
