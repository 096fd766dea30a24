/**
 * Records what real Ansible does with the test roles of tests/fixtures/roles/, as the fixtures
 * the Driftless tests compare against (so the tests need neither Ansible nor the network).
 *
 * Each case holds a Driftless config dir, `config/` (apply.yml with roles/, tasks/, ...). An
 * apply.yml is a play body, so this wraps it, text unchanged, in a playbook (`hosts: all`,
 * `gather_facts: false`) and runs `ansible-playbook` with the json callback:
 *
 * - `semantics/<case>/`: with `-c local`; the messages of its debug tasks, in order, and the
 *   recap go to `ansible.json`.
 * - `trees/<case>/`: into a fresh copy of the cached Debian root (scripts/debian_root.sh) with
 *   python3 added (Ansible's modules need it), with `-c community.general.chroot`; what the
 *   play changed in the tree (tests/_helpers/tree_manifest.ts) and the packages it installed go
 *   to `manifest.json`, with the recap and wall time of a first and a second run. A case's
 *   `volatile` file lists paths whose content differs on every run (generated keys).
 *
 * Run as root: deno run -A scripts/record_roles.ts [CASE...]
 * (recorded with ansible-core 2.14.18 and Debian's ansible 7.7.0 collections)
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { manifest, packages, snapshot } from "../tests/_helpers/tree_manifest.ts";

const FIXTURES = fileURLToPath(new URL("../tests/fixtures/roles/", import.meta.url));
const DEBIAN_ROOT = Deno.env.get("DEBIAN_ROOT") ??
  fileURLToPath(new URL("../.cache/debian-root", import.meta.url));

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Copies a case's config dir to `work` and writes site.yml around its apply.yml. */
export async function playbook(caseDir: string, work: string): Promise<string> {
  const cp = await run("cp", ["-a", join(caseDir, "config"), work]);
  if (cp.code !== 0) throw new Error(cp.stderr);
  const apply = await Deno.readTextFile(join(work, "apply.yml"));
  const body = apply.split("\n").map((l) => (l.trim() ? `  ${l}` : l)).join("\n");
  const site = join(work, "site.yml");
  await Deno.writeTextFile(site, `- hosts: all\n  gather_facts: false\n${body}\n`);
  return site;
}

interface Report {
  plays: { tasks: { hosts: Record<string, Record<string, unknown>> }[] }[];
  stats: Record<string, Record<string, number>>;
}

/** Runs a playbook with the json callback; its report, exit code and wall time. */
export async function playbookRun(site: string, inventory: string, connection: string) {
  const started = performance.now();
  const out = await run("ansible-playbook", ["-i", inventory, "-c", connection, site], {
    cwd: join(site, ".."),
    env: {
      ANSIBLE_STDOUT_CALLBACK: "json",
      ANSIBLE_NOCOLOR: "1",
      ANSIBLE_RETRY_FILES_ENABLED: "0",
      ANSIBLE_LOCALHOST_WARNING: "0",
      ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
    },
  });
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const json = out.stdout.slice(out.stdout.indexOf("{"));
  let report: Report;
  try {
    report = JSON.parse(json);
  } catch {
    throw new Error(`ansible-playbook gave no JSON (rc ${out.code}):\n${out.stdout}${out.stderr}`);
  }
  return { code: out.code, report, seconds };
}

/** The messages of the debug tasks (and their loop items), in the order they ran. */
function debugMessages(report: Report): unknown[] {
  const msgs: unknown[] = [];
  for (const play of report.plays) {
    for (const task of play.tasks) {
      for (const result of Object.values(task.hosts)) {
        if (!String(result.action ?? "").endsWith("debug")) continue;
        const items = result.results as Record<string, unknown>[] | undefined;
        for (const r of items ?? [result]) {
          if (!r.skipped && "msg" in r) msgs.push(r.msg);
        }
      }
    }
  }
  return msgs;
}

/** The recap of a json report: ok, changed, failed, skipped, rescued, ignored. */
export function recap(report: Report): Record<string, number> {
  const s = Object.values(report.stats)[0]!;
  return Object.fromEntries(
    ["ok", "changed", "failed", "skipped", "rescued", "ignored"].map((k) => [k, s[k] ?? 0]),
  );
}

async function recordSemantics(name: string): Promise<void> {
  const caseDir = join(FIXTURES, "semantics", name);
  const work = await Deno.makeTempDir({ prefix: "driftless_record_" });
  try {
    const site = await playbook(caseDir, join(work, "config"));
    const { code, report } = await playbookRun(site, "localhost,", "local");
    await write(join(caseDir, "ansible.json"), {
      rc: code,
      messages: debugMessages(report),
      stats: recap(report),
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/**
 * A copy of the cached Debian root with python3 (and python3-apt) added, as Ansible's modules
 * need; what that adds is in the root before any snapshot, so it is no part of a manifest.
 */
export async function ansibleRoot(root: string): Promise<void> {
  await Deno.mkdir(root);
  const cp = await run("cp", ["-a", "--reflink=auto", `${DEBIAN_ROOT}/.`, root]);
  if (cp.code !== 0) throw new Error(cp.stderr);
  const py = await run("chroot", [
    root,
    "apt-get",
    "install",
    "-y",
    "-qq",
    "--no-install-recommends",
    "python3",
    "python3-apt",
  ], { env: { DEBIAN_FRONTEND: "noninteractive" } });
  if (py.code !== 0) throw new Error(`python3 into the root: ${py.stderr}`);
}

/** The paths of a case whose content differs run to run (its `volatile` file). */
export async function volatilePaths(caseDir: string): Promise<string[]> {
  return (await Deno.readTextFile(join(caseDir, "volatile")).catch(() => ""))
    .split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

async function recordTree(name: string): Promise<void> {
  const caseDir = join(FIXTURES, "trees", name);
  const work = await Deno.makeTempDir({ prefix: "driftless_record_" });
  const root = join(work, "root");
  try {
    await ansibleRoot(root);
    const volatile = await volatilePaths(caseDir);
    const before = await snapshot(root);
    const beforePkgs = new Set(await packages(root));
    const site = await playbook(caseDir, join(work, "config"));
    const first = await playbookRun(site, `${root},`, "community.general.chroot");
    if (first.code !== 0) {
      throw new Error(
        `${name}: ansible-playbook failed:\n${JSON.stringify(first.report, null, 1)}`,
      );
    }
    const tree = await manifest(root, before, volatile);
    const installed = (await packages(root)).filter((p) => !beforePkgs.has(p));
    const second = await playbookRun(site, `${root},`, "community.general.chroot");
    const version = (await run("ansible", ["--version"])).stdout.split("\n")[0];
    await write(join(caseDir, "manifest.json"), {
      ansible: version,
      first_run: { ...recap(first.report), seconds: first.seconds },
      second_run: { ...recap(second.report), seconds: second.seconds },
      packages: installed,
      tree,
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function write(path: string, data: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(data, null, 1) + "\n");
  Deno.stderr.writeSync(new TextEncoder().encode(`wrote ${path}\n`));
}

if (import.meta.main) {
  const wanted = Deno.args;
  for (const [kind, record] of [["semantics", recordSemantics], ["trees", recordTree]] as const) {
    const top = join(FIXTURES, kind);
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(top)) if (e.isDirectory) names.push(e.name);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (wanted.length === 0 || wanted.includes(name)) await record(name);
    }
  }
}
