import assert from "node:assert/strict";
import { ROOT, runCli } from "../_helpers/cli.ts";
import { SCHEMA_NAMES } from "../../lib/config/schemas.ts";

const flags = ["--no-prompt", "--allow-env=DRIFTLESS_*", "--ignore-env", `--allow-read=${ROOT}`];

for (const name of SCHEMA_NAMES) {
  Deno.test(`driftless schema ${name} matches the committed schema/${name}.schema.json`, async () => {
    const r = await runCli(["schema", name], { flags });
    assert.equal(r.code, 0, r.stderr);
    const committed = await Deno.readTextFile(`${ROOT}/schema/${name}.schema.json`);
    assert.equal(r.stdout, committed, `schema/${name}.schema.json is stale: run deno task schema`);
    const schema = JSON.parse(r.stdout);
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  });
}

Deno.test("driftless schema apply lists every task type with its params", async () => {
  const r = await runCli(["schema", "apply"], { flags });
  const schema = JSON.parse(r.stdout);
  const variants = schema.properties.tasks.items.anyOf[0].anyOf as {
    properties: Record<string, { const?: string }>;
  }[];
  const debug = variants.find((v) => v.properties.type?.const === "debug");
  assert.ok(debug, "debug task in the schema");
  assert.ok(
    "msg" in debug.properties && "when" in debug.properties && "register" in debug.properties,
  );
});

Deno.test("driftless schema with an unknown name exits 2 with a suggestion", async () => {
  const r = await runCli(["schema", "fact"], { flags });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown schema "fact"; did you mean "facts"\?/);
});
