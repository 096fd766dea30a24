import assert from "node:assert/strict";
import { runCli, writeTree } from "../../_helpers/cli.ts";
import { startCollector } from "./_collector.ts";

Deno.test("driftless apply sends its audit log to agent.audit.sinks too, secrets redacted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_audit_sinks_" });
  const c = await startCollector();
  try {
    await writeTree(dir, {
      "config/apply.yml":
        'tasks:\n  - type: debug\n    msg: "token is ${AUDIT_CANARY}"\n  - type: debug\n    msg: second\n',
      "config/agent.yml": `audit:
  dir: ${dir}/audit
  sinks:
    - { name: web, type: http, url: "${c.url}/audit", batch: { timeout: 10ms } }
    - { name: copy, type: file, path: "${dir}/audit-copy.jsonl" }
`,
      "home/.keep": "",
    });
    const r = await runCli(["--config", `${dir}/config`, "apply"], {
      env: { HOME: `${dir}/home`, AUDIT_CANARY: "canary-7f3e91" },
      flags: ["-A"],
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(c.docs.length, 2, JSON.stringify(c.docs));
    assert.deepEqual(c.docs.map((d) => d.type), ["debug", "debug"]);
    const copy = (await Deno.readTextFile(`${dir}/audit-copy.jsonl`)).trimEnd().split("\n");
    assert.equal(copy.length, 2);
    const all = JSON.stringify(c.docs) + copy.join("\n");
    assert.ok(!all.includes("canary-7f3e91"), "the secret never reaches a sink");
    assert.ok(all.includes("[redacted]"), "the entry held it, redacted");
  } finally {
    await c.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
