import assert from "node:assert/strict";
import { collectMetrics, gatherFacts, loadConfig, serveMetrics } from "../../mod.ts";
import { writeTree } from "../_helpers/cli.ts";

Deno.test("gatherFacts() gives Ansible's setup keys for this host", async () => {
  const facts = await gatherFacts();
  assert.equal(facts.system, "Linux");
  assert.equal(facts.hostname, Deno.hostname().split(".")[0]);
  assert.ok(Number(facts.memtotal_mb) > 0);
  assert.equal(typeof facts.distribution, "string");
});

Deno.test("collectMetrics() takes one snapshot with a config's collectors and thresholds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-api-" });
  try {
    await writeTree(dir, {
      "facts.yml": "thresholds:\n  - { name: any-load, metric: node_load1, warn: -1 }\n",
    });
    const families = await collectMetrics(await loadConfig(dir, { tasks: false }), {
      collectors: ["loadavg", "meminfo"],
    });
    const names = families.map((f) => f.name);
    assert.ok(names.includes("node_load1") && names.includes("node_memory_MemTotal_bytes"));
    assert.ok(!names.includes("node_cpu_seconds_total"), "only the named collectors ran");
    const state = families.find((f) => f.name === "driftless_threshold_state")!;
    assert.equal(
      state.samples.find((s) => s.labels.severity === "warning")!.value,
      1,
      "a load above -1 is at warning",
    );
    assert.deepEqual(names, [...names].sort(), "sorted by name");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serveMetrics() serves /metrics until closed", async () => {
  const server = await serveMetrics(undefined, { listen: "127.0.0.1:0" });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const r = await fetch(server.url);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /^# TYPE node_load1 gauge$/m);
  } finally {
    await server.close();
  }
  await assert.rejects(fetch(server.url), "closed");
});
