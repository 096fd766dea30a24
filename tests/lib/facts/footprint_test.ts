import assert from "node:assert/strict";
import { runtimeGraph } from "../../_helpers/module_graph.ts";

// Collection, exposition and the server run for months in `facts --serve` and the agent: they
// never load the validation (zod), the YAML parser, the templates, or prom-client.
Deno.test("collectors, exposition, the server and facts --serve load no zod, YAML, templates or prom-client", async () => {
  // facts_serve.ts is what `facts --serve` runs: its config is validated in a child process.
  for (
    const entry of [
      "lib/facts/metrics_agent.ts",
      "lib/facts/server.ts",
      "lib/facts/exposition.ts",
      "cli/facts_serve.ts",
    ]
  ) {
    const graph = [...await runtimeGraph(entry)];
    assert.ok(graph.some((m) => m.endsWith(`/${entry}`)), `the graph of ${entry} was read`);
    const heavy = graph.filter((m) =>
      /npm:\/?(zod|yaml|smol-toml|nunjucks|prom-client)@/.test(m) ||
      /\/(tasks|lib\/template|lib\/config\/(loader|facts_schema))/.test(m)
    );
    assert.deepEqual(heavy, [], entry);
  }
});
