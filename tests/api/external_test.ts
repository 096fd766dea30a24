import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, writeTree } from "../_helpers/cli.ts";

// A user's own project: a deno.json that maps @driftless/cli to this checkout (as the README
// shows), a script that imports the package and a subpath, plans a config and gathers facts.
Deno.test("a project outside the checkout imports @driftless/cli, plans and gathers facts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless-user-" });
  try {
    await writeTree(dir, {
      "deno.json": JSON.stringify({
        imports: { "@driftless/cli": "jsr:@driftless/cli@^0.1.0" },
        links: [ROOT],
      }),
      "config/apply.yml": `tasks:\n  - { type: directory, path: ${dir}/made }\n`,
      "ci.ts": `import { loadConfig, plan } from "@driftless/cli";
import { gatherFacts } from "@driftless/cli/facts";
const result = await plan(await loadConfig("./config"), { audit: false });
const facts = await gatherFacts();
console.log(JSON.stringify({
  changes: result.tasks.flatMap((t) => t.changes.map((c) => c.summary)),
  system: facts.system,
}));
`,
    });
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "ci.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    assert.deepEqual(JSON.parse(dec.decode(out.stdout)), {
      changes: [`mkdir ${dir}/made`],
      system: "Linux",
    });
    await assert.rejects(Deno.stat(join(dir, "made")), "a plan changes nothing");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
