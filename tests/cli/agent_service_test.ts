import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCli, writeTree } from "../_helpers/cli.ts";
import { needs, toolMissing } from "../_helpers/needs.ts";

const UNIT = join(ROOT, "examples/systemd/driftless.service");

/** The unit's ExecStart, split into words. */
async function execStart(): Promise<string[]> {
  const line = (await Deno.readTextFile(UNIT)).split("\n").find((l) => l.startsWith("ExecStart="));
  assert.ok(line, "the unit has an ExecStart");
  return line.slice("ExecStart=".length).trim().split(/\s+/);
}

Deno.test("the systemd unit's command line is a valid driftless agent invocation", async () => {
  const [binary, ...args] = await execStart();
  assert.equal(binary, "/usr/local/bin/driftless");
  const dir = await Deno.makeTempDir({ prefix: "driftless-unit-" });
  try {
    await writeTree(join(dir, "config"), { "agent.yml": "apply: { enabled: false }\n" });
    await Deno.writeTextFile(join(dir, "env"), "", { mode: 0o600 });
    // The same flags, pointed at a temp config, env file and state dir, run once.
    const paths: Record<string, string> = {
      "/etc/driftless/config": join(dir, "config"),
      "/etc/driftless/env": join(dir, "env"),
      "/var/lib/driftless": join(dir, "state"),
    };
    const local = args.map((a) => paths[a] ?? a);
    assert.deepEqual(local.slice(-3, -2), ["agent"]);
    const r = await runCli([...local, "--once"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await Deno.stat(join(dir, "state"))).isDirectory, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(needs(toolMissing("systemd-analyze"), {
  name: "systemd-analyze verify accepts the unit",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "driftless-unit-" });
    try {
      // verify checks that ExecStart exists: point it at an executable that does.
      const unit = (await Deno.readTextFile(UNIT)).replaceAll(
        "/usr/local/bin/driftless",
        "/bin/true",
      );
      await Deno.writeTextFile(join(dir, "driftless.service"), unit);
      const out = await new Deno.Command("systemd-analyze", {
        args: ["verify", join(dir, "driftless.service")],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, text);
      assert.doesNotMatch(text, /driftless\.service:\d+:/, "no line is rejected");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
