/**
 * A role-based config through both tools, side by side in one run, each on its own fresh copy
 * of the cached Debian root: `ansible-playbook -c community.general.chroot` and `driftless
 * apply --root` (the compiled-from-source CLI as users run it: `deno run -A mod.ts`). For each
 * it prints the tasks changed, the wall time of a first and a second run, and whether the two
 * trees are identical (tests/_helpers/tree_manifest.ts; `volatile` paths by type, mode and
 * owner only), then the ratio of the wall times.
 *
 *   deno run -A bench/roles_vs_ansible.ts [CASE]     # default: fleet (tests/fixtures/roles/trees)
 *
 * Needs root, ansible-core with community.general (Debian's `ansible`), and the cached Debian
 * root (scripts/debian_root.sh).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ansibleRoot,
  playbook,
  playbookRun,
  recap,
  volatilePaths,
} from "../scripts/record_roles.ts";
import { runCli } from "../tests/_helpers/cli.ts";
import { openRoot } from "../tests/_helpers/debian_root.ts";
import { type Entry, manifest, snapshot } from "../tests/_helpers/tree_manifest.ts";

const name = Deno.args[0] ?? "fleet";
const caseDir = fileURLToPath(new URL(`../tests/fixtures/roles/trees/${name}`, import.meta.url));

function out(line = ""): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

interface Side {
  readonly first: { changed: number; ok: number; seconds: number };
  readonly second: { changed: number; ok: number; seconds: number };
  readonly tree: Entry[];
}

async function ansible(volatile: string[]): Promise<Side> {
  const work = await Deno.makeTempDir({ prefix: "driftless_bench_ansible_" });
  try {
    const root = join(work, "root");
    await ansibleRoot(root);
    const before = await snapshot(root);
    const site = await playbook(caseDir, join(work, "config"));
    const a = await playbookRun(site, `${root},`, "community.general.chroot");
    if (a.code !== 0) throw new Error(`ansible-playbook failed (rc ${a.code})`);
    const tree = await manifest(root, before, volatile);
    const b = await playbookRun(site, `${root},`, "community.general.chroot");
    const r1 = recap(a.report);
    const r2 = recap(b.report);
    return {
      first: { changed: r1.changed!, ok: r1.ok!, seconds: a.seconds },
      second: { changed: r2.changed!, ok: r2.ok!, seconds: b.seconds },
      tree,
    };
  } finally {
    await new Deno.Command("rm", { args: ["-rf", work] }).output();
  }
}

async function driftless(volatile: string[]): Promise<Side> {
  const root = await openRoot();
  const home = await Deno.makeTempDir({ prefix: "driftless_bench_home_" });
  try {
    const before = await snapshot(root.dir);
    const run = async () => {
      const t0 = performance.now();
      const r = await runCli(
        ["--config", join(caseDir, "config"), "apply", "--root", root.dir, "--json"],
        { env: { HOME: home } },
      );
      const seconds = Math.round((performance.now() - t0) / 10) / 100;
      if (r.code !== 0) throw new Error(`driftless apply failed (${r.code}): ${r.stderr}`);
      const { stats } = JSON.parse(r.stdout);
      return { changed: stats.changed, ok: stats.ok, seconds };
    };
    const first = await run();
    const tree = await manifest(root.dir, before, volatile);
    const second = await run();
    return { first, second, tree };
  } finally {
    await root.close();
    await Deno.remove(home, { recursive: true });
  }
}

const volatile = await volatilePaths(caseDir);
const them = await ansible(volatile);
const us = await driftless(volatile);
const identical = JSON.stringify(them.tree) === JSON.stringify(us.tree);
out(`roles case: ${name} (${us.tree.length} paths changed in the tree)`);
out("tool               run     ok  changed  wall s");
for (const [tool, side] of [["ansible-playbook", them], ["driftless apply", us]] as const) {
  for (const [run, r] of [["first", side.first], ["second", side.second]] as const) {
    out(
      `${tool.padEnd(18)} ${run.padEnd(7)} ${String(r.ok).padStart(3)} ${
        String(r.changed).padStart(8)
      } ${r.seconds.toFixed(2).padStart(7)}`,
    );
  }
}
out(`trees identical: ${identical ? "yes" : "NO"}`);
out(
  `wall time ratio (ansible / driftless): first run ${
    (them.first.seconds / us.first.seconds).toFixed(1)
  }x, second run ${(them.second.seconds / us.second.seconds).toFixed(1)}x`,
);
