import assert from "node:assert/strict";
import { renderTemplate, renderTemplateFile } from "../../api/template.ts";
import { runtimeGraph } from "../_helpers/module_graph.ts";

Deno.test("the template entry point renders strings and files as Ansible does", async () => {
  assert.equal(
    await renderTemplate("{% for u in users %}{{ u }}\n{% endfor %}", { users: ["a", "b"] }),
    "a\nb\n",
  );
  const path = await Deno.makeTempFile({ suffix: ".j2" });
  try {
    await Deno.writeTextFile(path, "port={{ port | int + 1 }}\n");
    assert.equal(await renderTemplateFile(path, { port: "8079" }), "port=8080\n");
  } finally {
    await Deno.remove(path);
  }
});

// A script that only renders templates must not pay for the config schemas, the task modules,
// the metrics exposition or the AWS SDK.
Deno.test("@driftless/cli/template loads no zod, task registry, prom-client or AWS SDK", async () => {
  const graph = [...await runtimeGraph("api/template.ts")];
  assert.ok(graph.some((m) => m.endsWith("/lib/template/engine.ts")), "the graph was read");
  const heavy = graph.filter((m) =>
    /npm:\/?(zod|prom-client|@aws-sdk\/[^@]+)@/.test(m) || /\/tasks\/|\/lib\/config\//.test(m)
  );
  assert.deepEqual(heavy, []);
});
