/**
 * Real roles, unchanged, through `driftless apply --root` on a fresh Debian root: each case of
 * tests/fixtures/roles/trees/ must leave exactly the tree real `ansible-playbook` left on an
 * identical root (manifest.json, recorded by scripts/record_roles.ts: every path added or
 * changed with type, mode, owner, group, link target and content hash, and the packages
 * installed), and a second run must change nothing. Neither Ansible nor the network is needed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { runCli } from "../_helpers/cli.ts";
import { needs } from "../_helpers/needs.ts";
import { manifest, packages, snapshot } from "../_helpers/tree_manifest.ts";

const CASES = fileURLToPath(new URL("../fixtures/roles/trees/", import.meta.url));

for (const entry of [...Deno.readDirSync(CASES)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
  const dir = join(CASES, entry.name);
  Deno.test(needs(debianRootMissing(), {
    name: `apply --root leaves the tree ansible-playbook left: ${entry.name}`,
    async fn() {
      const expected = JSON.parse(await Deno.readTextFile(join(dir, "manifest.json")));
      const volatile = (await Deno.readTextFile(join(dir, "volatile")).catch(() => ""))
        .split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
      const root = await openRoot();
      const home = await Deno.makeTempDir({ prefix: "driftless_tree_home_" });
      try {
        const before = await snapshot(root.dir);
        const beforePkgs = new Set(await packages(root.dir));
        const apply = () =>
          runCli(["--config", join(dir, "config"), "apply", "--root", root.dir, "--json"], {
            env: { HOME: home },
          });
        const first = await apply();
        assert.equal(first.code, 0, `${first.stdout.slice(-3000)}\n${first.stderr}`);
        const tree = await manifest(root.dir, before, volatile);
        assert.deepEqual(tree, expected.tree);
        const installed = (await packages(root.dir)).filter((p) => !beforePkgs.has(p));
        assert.deepEqual(installed, expected.packages);
        const second = await apply();
        assert.equal(second.code, 0, second.stderr);
        const changed = JSON.parse(second.stdout).tasks.filter((t: { status: string }) =>
          t.status === "changed"
        );
        assert.deepEqual(
          changed.map((t: { name: string }) => t.name),
          [],
          "a second run changes nothing",
        );
      } finally {
        await root.close();
        await Deno.remove(home, { recursive: true });
      }
    },
  }));
}
