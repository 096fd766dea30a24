/**
 * The agent file: settings shared by the jobs the agent runs, starting with the audit log.
 *
 * @module
 */
import * as z from "zod";
import { sinkSchema } from "../sinks/config.ts";

/** The top level of `agent.*`. */
export const agentSchema = z.strictObject({
  audit: z.strictObject({
    /** Directory of the local audit log (one JSON-lines file a day). */
    dir: z.string().optional(),
    /** More destinations for the audit log (file, s3, syslog, http, console), as logs outputs. */
    sinks: z.array(sinkSchema).optional(),
  }).optional(),
}).meta({ title: "driftless agent config" });

/** A validated agent file. */
export type AgentConfig = z.output<typeof agentSchema>;
