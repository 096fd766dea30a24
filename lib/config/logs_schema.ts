/**
 * The logs file: sources, parsers, filters and outputs (issue 6).
 *
 * @module
 */
import * as z from "zod";

/** The top level of `logs.*`. */
export const logsSchema = z.strictObject({
  state_dir: z.string().optional(),
  sources: z.array(z.looseObject({ name: z.string(), paths: z.array(z.string()).min(1) }))
    .optional(),
  outputs: z.array(z.looseObject({ name: z.string(), type: z.string() })).optional(),
}).meta({ title: "driftless logs config" });
