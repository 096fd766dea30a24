/**
 * `driftless schema [name]`: print the JSON Schema of a config file.
 *
 * @module
 */
import { jsonSchema } from "../lib/config/json_schema.ts";
import { SCHEMA_NAMES, type SchemaName } from "../lib/config/schemas.ts";
import { didYouMean, ExitCode, UsageError } from "../lib/errors.ts";
import { catalog, loadTasks } from "../tasks/mod.ts";
import { print } from "./_render.ts";

/** Prints the schema named `name` as pretty JSON. */
export async function schema(name: string): Promise<number> {
  if (!(SCHEMA_NAMES as readonly string[]).includes(name)) {
    const hint = didYouMean(name, SCHEMA_NAMES) ?? `expected one of ${SCHEMA_NAMES.join(", ")}`;
    throw new UsageError(`unknown schema "${name}"; ${hint}`);
  }
  if (name === "apply") await loadTasks();
  print(JSON.stringify(jsonSchema(name as SchemaName, catalog), null, 2));
  return ExitCode.ok;
}
