import assert from "node:assert/strict";
import { MetricsAgent } from "../../../lib/facts/metrics_agent.ts";
import type { ThresholdEvent } from "../../../lib/facts/thresholds.ts";
import { valueOf, VM_PROC } from "./_fixtures.ts";

Deno.test("MetricsAgent: collectors from the config, thresholds, self metrics and deduplicated warnings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.prom`, "broken{\n");
    const logs: string[] = [];
    const events: ThresholdEvent[] = [];
    const agent = new MetricsAgent({
      paths: { procfs: VM_PROC },
      collectors: { textfile: { directory: dir } },
      thresholds: [{ name: "busy", metric: "node_load1", warn: 0 }],
      serve: { exporter_metrics: false },
    }, {
      only: ["loadavg", "textfile"],
      version: "1.2.3",
      log: (level, m) => logs.push(`${level}: ${m}`),
      onEvent: (e) => events.push(e),
    });
    const first = await agent.collect();
    await agent.collect();
    assert.equal(valueOf(first.families, "node_textfile_scrape_error"), 1);
    assert.equal(
      valueOf(first.families, "driftless_threshold_state", {
        metric: "node_load1",
        severity: "warning",
      }),
      1,
    );
    assert.equal(events.length, 1, "one event for one change");
    assert.ok(
      !first.families.some((f) => f.name.startsWith("process_") || f.name.endsWith("build_info")),
    );
    assert.equal(logs.filter((l) => l.startsWith("warn: collector textfile:")).length, 1);
    assert.equal(logs.filter((l) => l.startsWith("debug: collector textfile:")).length, 1);
    assert.equal(first.host, Deno.hostname());

    const withSelf = await new MetricsAgent(undefined, { only: ["loadavg"], version: "1.2.3" })
      .collect();
    assert.equal(valueOf(withSelf.families, "driftless_build_info", { version: "1.2.3" }), 1);
    assert.ok(valueOf(withSelf.families, "process_resident_memory_bytes")! > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
