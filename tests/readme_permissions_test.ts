/**
 * The README's least-privilege command lines, run exactly as written (one `sh` script, from the
 * repository root): validate, the read-only dry run and the real apply of the bundled example all
 * succeed under those flags and no more. The example manages /srv/driftless-demo and
 * /etc/driftless-demo; the test removes them after.
 */
import assert from "node:assert/strict";
import { ROOT } from "./_helpers/cli.ts";
import { needs, rootMissing } from "./_helpers/needs.ts";

const MANAGED = ["/srv/driftless-demo", "/etc/driftless-demo"];

/** The ```sh block of the permissions section. */
async function readmeLines(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const section = readme.slice(readme.indexOf("### Deno permissions per command"));
  const m = /^```sh\n([\s\S]*?)^```$/m.exec(section);
  assert.ok(m, "the permissions section has a ```sh block");
  return m[1]!;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

const inUse = (await Promise.all(MANAGED.map(exists))).some(Boolean)
  ? `${MANAGED.join(" or ")} exists already (the test would remove it)`
  : undefined;

Deno.test(needs(rootMissing("writing /etc and /srv") ?? inUse, {
  name: "README: the least-privilege command lines work exactly as written",
  async fn() {
    const script = await readmeLines();
    assert.match(script, /apply --dry-run\n/);
    const home = await Deno.makeTempDir({ prefix: "driftless_readme_" });
    try {
      const sh = (text: string) =>
        new Deno.Command("sh", {
          args: ["-e", "-c", text],
          cwd: ROOT,
          clearEnv: true,
          env: {
            PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
            HOME: home,
            NO_COLOR: "1",
            DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`,
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const out = await sh(script);
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, /^ok: \d+ files valid in examples\/config/m);
      assert.match(text, /DRY RUN: nothing will be changed/);
      assert.match(await Deno.readTextFile("/etc/driftless-demo/limits.conf"), /^workers=4$/m);
      assert.ok(await exists("/srv/driftless-demo/html/index.html"));
      const audit = [...Deno.readDirSync(`${home}/.local/state/driftless/audit`)];
      assert.equal(audit.length, 1, "the audit log was written");

      // The lock and the audit log need read access too: without it, exit 77 names the flag.
      const last = script.trim().split("\n").at(-1)!;
      const noRead = await sh(
        `${script.split("\n")[0]}\n${
          last.replace(',"$HOME/.local/state/driftless" --allow-write', " --allow-write")
        }`,
      );
      assert.equal(noRead.code, 77);
      assert.match(
        new TextDecoder().decode(noRead.stderr),
        new RegExp(`run again with: --allow-read=${home}/\\.local/state/driftless`),
      );
    } finally {
      for (const path of MANAGED) await Deno.remove(path, { recursive: true }).catch(() => {});
      await Deno.remove(home, { recursive: true });
    }
  },
}));
