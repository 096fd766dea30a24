/**
 * The schema each config file name selects (DESIGN §4).
 *
 * @module
 */
import * as z from "zod";
import { applyTopSchema } from "./apply_schema.ts";
import { factsSchema } from "./facts_schema.ts";
import { logsSchema } from "./logs_schema.ts";
import { agentSchema } from "./agent_schema.ts";

// Each schema parses a handful of documents per process: zod's JIT fast path costs more to
// generate (~10 ms at start) than it saves.
z.config({ jitless: true });

/** Global vars: a mapping of names to values. */
export const varsSchema = z.record(
  z.string().regex(/^[A-Za-z_]\w*$/, "expected a variable name"),
  z.unknown(),
)
  .meta({ title: "driftless vars" });

/** A schema name: `apply`, `facts`, `logs`, `agent` or `vars` (spelled out: part of the API). */
export type SchemaName = "apply" | "facts" | "logs" | "agent" | "vars";

/** The schemas, by the file or folder name that selects them. */
export const SCHEMAS = {
  apply: applyTopSchema,
  facts: factsSchema,
  logs: logsSchema,
  agent: agentSchema,
  vars: varsSchema,
} as const satisfies Record<SchemaName, unknown>;

/** The schema names, in the order files are reported. */
export const SCHEMA_NAMES: readonly SchemaName[] = Object.keys(SCHEMAS) as SchemaName[];
