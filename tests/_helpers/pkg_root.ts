/**
 * Real package managers on a throwaway root: the machine's own `/usr` (where Debian's dnf,
 * rpm, zypper and pacman live) mounted copy-on-write under a temp dir with an empty `/etc` and
 * `/var`, so a chrooted `LocalHost` on it runs the real tools exactly as `driftless apply
 * --root` would, against their own empty databases and a local repository the test builds
 * (RPMs with rpmbuild + createrepo_c, pacman packages with makepkg + repo-add, from the
 * sources in tests/fixtures/packages). Nothing outside the temp dir changes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalHost } from "../../lib/apply/host.ts";
import type { Change, TaskModule } from "../../lib/apply/task.ts";
import { converge } from "./debian_root.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/packages/", import.meta.url));

/** The Debian package that provides each tool the tests use. */
const APT_PACKAGE: Readonly<Record<string, string>> = {
  rpm: "rpm",
  rpmbuild: "rpm",
  createrepo_c: "createrepo-c",
  dnf: "dnf",
  zypper: "zypper",
  pacman: "pacman-package-manager",
  makepkg: "pacman-package-manager",
  "repo-add": "pacman-package-manager",
  bsdtar: "libarchive-tools",
  fakeroot: "fakeroot",
  setpriv: "util-linux",
};

/** The tools each manager's tests need. */
export const TOOLS = {
  dnf: ["dnf", "rpm", "rpmbuild", "createrepo_c"],
  zypper: ["zypper", "rpm", "rpmbuild", "createrepo_c"],
  pacman: ["pacman", "makepkg", "repo-add", "bsdtar", "fakeroot", "setpriv"],
} as const;

function onPath(tool: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, tool)).isFile) return true;
    } catch {
      // not in this dir
    }
  }
  return false;
}

let overlayProbe: string | undefined | null = null;

/** Whether an overlay mount works here (needs root and CAP_SYS_ADMIN); the reason if not. */
function overlayMissing(): string | undefined {
  if (overlayProbe !== null) return overlayProbe;
  const base = Deno.makeTempDirSync({ prefix: "driftless_overlay_probe_" });
  for (const d of ["lower", "upper", "work", "merged"]) Deno.mkdirSync(join(base, d));
  const opts = `lowerdir=${base}/lower,upperdir=${base}/upper,workdir=${base}/work`;
  const out = new Deno.Command("mount", {
    args: ["-t", "overlay", "overlay", "-o", opts, `${base}/merged`],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  if (out.success) {
    new Deno.Command("umount", { args: [`${base}/merged`] }).outputSync();
    overlayProbe = undefined;
  } else {
    overlayProbe = `cannot mount an overlay (${new TextDecoder().decode(out.stderr).trim()})`;
  }
  Deno.removeSync(base, { recursive: true });
  return overlayProbe;
}

/** Why tests that need these tools cannot run here, or `undefined` when they can. */
export function toolsMissing(tools: readonly string[]): string | undefined {
  if (Deno.uid() !== 0) return "needs root (chroot, overlay mount)";
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => APT_PACKAGE[t] ?? t))];
    return `needs ${missing.join(", ")} (apt-get install ${pkgs.join(" ")})`;
  }
  return overlayMissing();
}

/** The test name, with the reason appended when it is skipped. */
export function toolTestName(name: string, why: string | undefined): string {
  return why ? `${name} (skipped: ${why})` : name;
}

async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.env ? { env: options.env, clearEnv: true } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${text.decode(out.stderr)}${text.decode(out.stdout)}`,
    );
  }
  return text.decode(out.stdout);
}

/** A root with the machine's tools on a copy-on-write `/usr`. */
export interface ToolRoot {
  readonly dir: string;
  /** A chrooted host on it, as `driftless apply --root` makes. */
  readonly host: LocalHost;
  /** Runs a command inside the root (an oracle independent of the task under test). */
  sh(script: string): Promise<string>;
  /** Makes a program disappear from the root's `/usr/bin` (to test detection). */
  hide(...programs: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Makes a tool root; the caller must `close()` it. */
export async function openToolRoot(): Promise<ToolRoot> {
  const base = await Deno.makeTempDir({ prefix: "driftless_pkgroot_" });
  const dir = join(base, "root");
  for (const d of ["upper", "work", "root/usr"]) {
    await Deno.mkdir(join(base, d), { recursive: true });
  }
  await run("mount", [
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=/usr,upperdir=${base}/upper,workdir=${base}/work`,
    join(dir, "usr"),
  ]);
  const close = async () => {
    await run("umount", [join(dir, "usr")]).catch(() => run("umount", ["-l", join(dir, "usr")]));
    await Deno.remove(base, { recursive: true });
  };
  try {
    // The merged-/usr links (/bin -> usr/bin, ...) as the machine has them.
    for (const link of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
      const target = await Deno.readLink(`/${link}`).catch(() => undefined);
      if (target) await Deno.symlink(target, join(dir, link));
    }
    for (const d of ["etc", "var/tmp", "root", "dev", "srv", "run", "tmp"]) {
      await Deno.mkdir(join(dir, d), { recursive: true });
    }
    await Deno.chmod(join(dir, "tmp"), 0o1777);
    for (const f of ["ld.so.cache", "passwd", "group", "nsswitch.conf"]) {
      await Deno.copyFile(`/etc/${f}`, join(dir, "etc", f)).catch(() => {});
    }
    // Scriptlets and the tools write to /dev/null and read /dev/urandom.
    for (const [name, minor] of [["null", 3], ["zero", 5], ["urandom", 9]] as const) {
      await run("mknod", ["-m", "666", join(dir, "dev", name), "c", "1", String(minor)]);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    dir,
    host: new LocalHost({ root: dir }),
    sh: (script) => run("chroot", [dir, "/bin/sh", "-c", script]),
    async hide(...programs) {
      for (const p of programs) await Deno.remove(join(dir, "usr/bin", p)).catch(() => {});
    },
    close,
  };
}

/** Builds `[name, version]` RPMs into `dir` and makes it an rpm-md repository. */
export async function buildRpmRepo(
  dir: string,
  pkgs: readonly (readonly [string, string])[],
): Promise<void> {
  const top = await Deno.makeTempDir({ prefix: "driftless_rpmbuild_" });
  try {
    for (const [name, version] of pkgs) {
      await run("rpmbuild", [
        "-bb",
        "--quiet",
        "--define",
        `_topdir ${top}`,
        "--define",
        `_rpmdir ${dir}`,
        "--define",
        "_build_id_links none",
        "--define",
        `pkgname ${name}`,
        "--define",
        `pkgver ${version}`,
        join(FIXTURES, "drift-pkg.spec"),
      ]);
    }
  } finally {
    await Deno.remove(top, { recursive: true });
  }
  await run("createrepo_c", ["--quiet", dir]);
}

/**
 * Builds `[name, version]` pacman packages with makepkg (as `nobody`: makepkg refuses root)
 * into `dir`, and adds those listed in `inRepo` (all by default) to the repository `repo`.
 * Returns the package file of each, by `name-version`.
 */
export async function buildPacmanRepo(
  dir: string,
  repo: string,
  pkgs: readonly (readonly [string, string])[],
  inRepo: readonly string[] = pkgs.map(([n, v]) => `${n}-${v}`),
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const build = await Deno.makeTempDir({ prefix: "driftless_makepkg_" });
  try {
    await Deno.chmod(build, 0o755);
    await Deno.copyFile(join(FIXTURES, "PKGBUILD"), join(build, "PKGBUILD"));
    await run("chown", ["-R", "65534:65534", build]);
    for (const [name, version] of pkgs) {
      await run("setpriv", [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        "makepkg",
        "--nodeps",
        "--force",
        "--noconfirm",
      ], {
        cwd: build,
        env: {
          PATH: "/usr/bin:/bin",
          HOME: build,
          DRIFT_NAME: name,
          DRIFT_VER: version,
          PKGDEST: build,
          PKGEXT: ".pkg.tar.gz",
          BUILDDIR: join(build, "build"),
          SRCDEST: build,
          LC_ALL: "C",
        },
      });
      const file = `${name}-${version}-1-any.pkg.tar.gz`;
      await Deno.copyFile(join(build, file), join(dir, file));
      files[`${name}-${version}`] = join(dir, file);
    }
  } finally {
    await Deno.remove(build, { recursive: true });
  }
  const listed = inRepo.map((k) => files[k]!);
  await run("repo-add", ["--quiet", join(dir, `${repo}.db.tar.gz`), ...listed]);
  return files;
}

/** The installed version of `name` as rpm itself reports it (empty when not installed). */
export async function rpmVersion(root: ToolRoot, name: string): Promise<string> {
  return (await root.sh(`rpm -q --qf '%{VERSION}-%{RELEASE}' ${name} || true`))
    .replace(/package .* is not installed/, "").trim();
}

/**
 * Converges a task and checks the first run planned exactly `summaries` and a second run
 * plans nothing (idempotence). Returns the first run's changes.
 */
export async function convergesTo(
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  params: Record<string, unknown>,
  host: LocalHost,
  summaries: readonly string[],
): Promise<Change<unknown>[]> {
  const { first, again } = await converge(task, params, host);
  assert.deepEqual(first.map((c) => c.summary), summaries);
  assert.deepEqual(again, [], "a second run changes nothing");
  return first;
}

/**
 * A package task's life cycle on a root: a pin (an older version), latest, absent, each
 * converging and checked against the manager's own database.
 */
export async function packageLifecycle(
  // deno-lint-ignore no-explicit-any
  task: TaskModule<any, any, any>,
  host: LocalHost,
  installed: (name: string) => Promise<string>,
  o: { readonly name: string; readonly pin: string; readonly old: string; readonly newest: string },
): Promise<void> {
  await convergesTo(task, { name: o.pin }, host, [`install ${o.name}=${o.old}`]);
  assert.equal(await installed(o.name), o.old);
  await convergesTo(task, { name: o.name, state: "latest" }, host, [
    `upgrade ${o.name} ${o.old} -> ${o.newest}`,
  ]);
  assert.equal(await installed(o.name), o.newest);
  await convergesTo(task, { name: o.name, state: "absent" }, host, [
    `remove ${o.name}=${o.newest}`,
  ]);
  assert.equal(await installed(o.name), "");
}
