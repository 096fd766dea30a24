/**
 * The file tasks in a dry run: on the runner's in-memory overlay, under read-only permissions
 * (no --allow-write, --allow-run or --allow-sys), each task plans against what the earlier ones
 * would have made, and nothing on disk changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("../fixtures/tasks/dry_run/child.ts", import.meta.url));

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      const st = await Deno.lstat(p);
      out.push(`${p.slice(dir.length)} ${st.mode?.toString(8)} ${st.size} ${st.mtime?.getTime()}`);
      if (e.isDirectory) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

Deno.test("file tasks chain on the dry-run overlay with read-only permissions", async () => {
  const root = await Deno.makeTempDir({ prefix: "driftless_dry_" });
  try {
    await Deno.mkdir(join(root, "config/files"), { recursive: true });
    await Deno.mkdir(join(root, "config/templates"));
    await Deno.mkdir(join(root, "etc"));
    await Deno.mkdir(join(root, "srv/old"), { recursive: true });
    await Deno.writeTextFile(join(root, "config/files/f.txt"), "F\n");
    await Deno.writeTextFile(join(root, "config/templates/t.j2"), "rendered\n");
    await Deno.writeTextFile(join(root, "etc/existing"), "x\n");
    await Deno.chmod(join(root, "etc/existing"), 0o644);
    const before = await snapshot(root);

    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${REPO},${root}`,
        "--allow-env=DRIFTLESS_*",
        "--ignore-env",
        CHILD,
        root,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const report = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.deepEqual(
      report.steps.map((s: { type: string; summaries: string[] }) => [s.type, s.summaries]),
      [
        ["directory", ["mkdir /srv/app (0750)"]],
        ["copy", ["create /srv/app/conf"]],
        ["copy", ["create /srv/app/f.txt"]],
        ["lineinfile", ["add line to /srv/app/conf"]],
        ["blockinfile", ["insert block in /srv/app/conf"]],
        ["replace", ["1 replacement in /srv/app/conf"]],
        ["template", ["create /srv/app/t"]],
        ["file", ["symlink /srv/app/l -> conf"]],
        ["file", ["chmod 0644 -> 0600 /etc/existing"]],
        ["copy", ["update /etc/existing"]],
        ["file", ["remove directory /srv/old recursively"]],
        ["stat", []],
      ],
    );
    assert.equal(
      report.conf,
      "a=9\nb=2\n# BEGIN ANSIBLE MANAGED BLOCK\nc=3\n# END ANSIBLE MANAGED BLOCK\n",
    );
    assert.equal(report.mode, 0o600);
    assert.equal(report.steps.at(-1).result.stat.exists, true);
    assert.match(report.wouldRun[0], /^true \/etc\/\.existing\.driftless-validate-\w+$/);
    assert.deepEqual(await snapshot(root), before, "nothing on disk changed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
