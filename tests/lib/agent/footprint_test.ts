import assert from "node:assert/strict";
import { runtimeGraph } from "../../_helpers/module_graph.ts";

// The agent runs for months: what it loads stays resident. Validation (zod, the YAML parser,
// the task modules) and apply (templates) run in child processes, so the agent process itself
// can never load them.
Deno.test("the agent process never loads zod, YAML, TOML, templates, tasks or prom-client", async () => {
  const graph = [...await runtimeGraph("cli/agent.ts")];
  assert.ok(graph.some((m) => m.endsWith("/lib/agent/agent.ts")), "the graph was read");
  assert.ok(graph.some((m) => m.endsWith("/lib/logs/pipeline.ts")), "logs are in-process");
  const heavy = graph.filter((m) =>
    /npm:\/?(zod|yaml|smol-toml|nunjucks|prom-client|dotenv)@/.test(m) ||
    /\/(tasks|lib\/template|lib\/apply\/runner|lib\/config\/loader)/.test(m)
  );
  assert.deepEqual(heavy, []);
});
