/**
 * The agent file: settings shared by the jobs the agent runs, starting with the audit log.
 *
 * @module
 */
import * as z from "zod";

/** The top level of `agent.*`. */
export const agentSchema = z.strictObject({
  audit: z.strictObject({
    /** Directory of the local audit log (one JSON-lines file a day). */
    dir: z.string().optional(),
  }).optional(),
}).meta({ title: "driftless agent config" });
