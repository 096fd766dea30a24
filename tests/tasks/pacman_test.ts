import assert from "node:assert/strict";
import { join } from "node:path";
import { parsePacmanSi } from "../../tasks/_pkg_pacman.ts";
import { packageTask } from "../../tasks/package.ts";
import { pacman } from "../../tasks/pacman.ts";
import { converge } from "../_helpers/debian_root.ts";
import {
  buildPacmanRepo,
  convergesTo,
  openToolRoot,
  packageLifecycle,
  type ToolRoot,
  TOOLS,
  toolsMissing,
  toolTestName,
} from "../_helpers/pkg_root.ts";

const why = toolsMissing(TOOLS.pacman);

Deno.test("parsePacmanSi() takes each name's first repository", () => {
  const text = "Repository      : core\nName            : vim\nVersion         : 9.1-1\n\n" +
    "Repository      : extra\nName            : vim\nVersion         : 9.0-1\n\n";
  assert.deepEqual(parsePacmanSi(text), { vim: "9.1-1" });
});

interface PacmanRoot {
  readonly root: ToolRoot;
  /** The package file of each `name-version`, inside the root. */
  readonly files: Record<string, string>;
}

/**
 * A tool root with a `drifttest` repository carrying drift-hello 2.0 and drift-other 1.0, and
 * the drift-hello 1.0 package file (not in the repository: a pacman repository has one version).
 */
async function pacmanRoot(): Promise<PacmanRoot> {
  const root = await openToolRoot();
  try {
    const repo = join(root.dir, "srv/pacman");
    await Deno.mkdir(repo, { recursive: true });
    const built = await buildPacmanRepo(
      repo,
      "drifttest",
      [["drift-hello", "1.0"], ["drift-hello", "2.0"], ["drift-other", "1.0"]],
      ["drift-hello-2.0", "drift-other-1.0"],
    );
    for (const d of ["var/lib/pacman", "var/cache/pacman/pkg"]) {
      await Deno.mkdir(join(root.dir, d), { recursive: true });
    }
    await Deno.writeTextFile(
      join(root.dir, "etc/pacman.conf"),
      "[options]\nArchitecture = auto\nSigLevel = Never\n\n[drifttest]\nServer = file:///srv/pacman\n",
    );
    const files = Object.fromEntries(
      Object.entries(built).map(([k, f]) => [k, `/${f.slice(root.dir.length + 1)}`]),
    );
    return { root, files };
  } catch (e) {
    await root.close();
    throw e;
  }
}

async function pacmanVersion(root: ToolRoot, name: string): Promise<string> {
  return (await root.sh(`pacman -Q ${name} 2>/dev/null || true`)).replace(name, "").trim();
}

Deno.test({
  name: toolTestName("pacman: install, pin by file, upgrade, remove against real pacman", why),
  ignore: why !== undefined,
  async fn(t) {
    const { root, files } = await pacmanRoot();
    try {
      await t.step("update_cache alone syncs the databases", async () => {
        const { first } = await converge(pacman, { update_cache: true }, root.host);
        assert.deepEqual(first.map((c) => c.summary), ["pacman -Sy"]);
        assert.match(await root.sh("pacman -Sl drifttest"), /drifttest drift-hello 2\.0-1/);
      });
      await t.step("present installs the repository's version, then is converged", async () => {
        await convergesTo(pacman, { name: "drift-hello" }, root.host, [
          "install drift-hello=2.0-1",
        ]);
        assert.equal(await pacmanVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step("a package file pins a version (pacman -U), then is converged", async () => {
        const file = files["drift-hello-1.0"]!;
        const first = await convergesTo(pacman, { name: file }, root.host, [
          "install drift-hello=1.0-1",
        ]);
        assert.equal(first[0]!.diff?.before, "drift-hello 2.0-1\n");
        assert.equal(await pacmanVersion(root, "drift-hello"), "1.0-1");
        assert.equal(await root.sh("cat /usr/share/drift-hello/VERSION"), "1.0\n");
      });
      await t.step("latest upgrades, then is converged", async () => {
        await convergesTo(pacman, { name: "drift-hello", state: "latest" }, root.host, [
          "upgrade drift-hello 1.0-1 -> 2.0-1",
        ]);
        assert.equal(await pacmanVersion(root, "drift-hello"), "2.0-1");
      });
      await t.step("reason: dependency marks a new package, then is converged", async () => {
        await convergesTo(
          pacman,
          { name: "drifttest/drift-other", reason: "dependency" },
          root.host,
          [
            "install drift-other=1.0-1",
            "mark drift-other as dependency",
          ],
        );
        assert.match(await root.sh("pacman -Qqd"), /^drift-other$/m);
      });
      await t.step("absent removes, then is converged", async () => {
        await convergesTo(
          pacman,
          { name: ["drift-hello", "drift-other"], state: "absent" },
          root.host,
          [
            "remove drift-hello=2.0-1 drift-other=1.0-1",
          ],
        );
        assert.equal(await pacmanVersion(root, "drift-hello"), "");
      });
      await t.step("a package no repository has is a clear error", async () => {
        await assert.rejects(
          converge(pacman, { name: ["drift-other", "no-such-package"] }, root.host),
          /target not found: no-such-package \(pacman: no repository provides it\)/,
        );
        assert.equal(await pacmanVersion(root, "drift-other"), "", "nothing half-applied");
      });
      await t.step("upgrade: true upgrades the system with -Su", async () => {
        await converge(pacman, { name: files["drift-hello-1.0"]! }, root.host);
        await convergesTo(pacman, { upgrade: true }, root.host, [
          "pacman -Su --quiet --noconfirm: drift-hello 1.0-1 -> 2.0-1",
        ]);
      });
    } finally {
      await root.close();
    }
  },
});

Deno.test({
  name: toolTestName("package: detects pacman and drives it", why),
  ignore: why !== undefined,
  async fn() {
    const { root, files } = await pacmanRoot();
    try {
      await root.hide("apt-get", "dnf", "zypper");
      const refreshed = await converge(
        packageTask,
        { name: "drift-hello", update_cache: true },
        root.host,
      );
      // Without a synced database pacman knows no package yet: the refresh comes first.
      assert.equal(refreshed.first.length, 1);
      assert.match(refreshed.first[0]!.summary, /^install drift-hello/);
      assert.deepEqual(refreshed.again, []);
      await packageLifecycle(packageTask, root.host, (n) => pacmanVersion(root, n), {
        name: "drift-hello",
        pin: files["drift-hello-1.0"]!,
        old: "1.0-1",
        newest: "2.0-1",
      });
      await assert.rejects(
        converge(packageTask, { name: "drift-hello=2.0-1" }, root.host),
        /"drift-hello=2\.0-1": a pacman repository carries one version .* name its package file/,
      );
    } finally {
      await root.close();
    }
  },
});
