/**
 * Writes `schema/<name>.schema.json` for every config schema (`deno task schema`).
 * `tests/cli/schema_test.ts` fails when the committed files are out of date.
 *
 * @module
 */
import { jsonSchema } from "../lib/config/json_schema.ts";
import { SCHEMA_NAMES } from "../lib/config/schemas.ts";
import { catalog, loadTasks } from "../tasks/mod.ts";

await loadTasks();

const dir = new URL("../schema/", import.meta.url);
for (const name of SCHEMA_NAMES) {
  const text = JSON.stringify(jsonSchema(name, catalog), null, 2) + "\n";
  await Deno.writeTextFile(new URL(`${name}.schema.json`, dir), text);
}
