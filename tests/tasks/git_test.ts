import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import { gitTask, parseLsRemote, resolveVersion } from "../../tasks/git.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge } from "../_helpers/debian_root.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const T = "c".repeat(40);
const LS = `ref: refs/heads/main\tHEAD\n${A}\tHEAD\n${A}\trefs/heads/main\n${B}\trefs/heads/dev\n${
  "d".repeat(40)
}\trefs/tags/v1\n${T}\trefs/tags/v1^{}\n`;

Deno.test("resolveVersion() finds branches, peeled tags, HEAD's branch and shas", () => {
  const ls = parseLsRemote(LS);
  assert.deepEqual(resolveVersion("HEAD", ls), { kind: "branch", ref: "main", sha: A });
  assert.deepEqual(resolveVersion("dev", ls), { kind: "branch", ref: "dev", sha: B });
  assert.deepEqual(resolveVersion("v1", ls), { kind: "tag", ref: "v1", sha: T });
  assert.deepEqual(resolveVersion("bbbbbbb", ls), { kind: "sha", ref: "bbbbbbb", sha: B });
  assert.throws(() => resolveVersion("nope", ls), /not a branch, tag or commit/);
});

Deno.test("git: command table", async (t) => {
  await runCases(t, gitTask, [
    {
      name: "clones a branch with depth and ssh options",
      params: {
        repo: "git@example.org:x.git",
        dest: "/srv/x",
        version: "dev",
        depth: 1,
        accept_hostkey: true,
      },
      setup: (_root, host) =>
        void (host as ScriptedHost).script({
          match: "git ls-remote --symref git@example.org:x.git",
          reply: { stdout: LS },
        }, { match: /^git clone / }),
      summaries: [`git clone git@example.org:x.git /srv/x (dev = ${B.slice(0, 10)})`],
      acts: true,
      check: (_r, host) => {
        const clone = (host as ScriptedHost).calls.find((c) =>
          c.cmd === "git" && c.args[0] === "clone"
        )!;
        assert.equal(
          clone.line,
          "git clone --origin origin --branch dev --depth=1 --recurse-submodules git@example.org:x.git /srv/x",
        );
        assert.equal(clone.env?.GIT_SSH_COMMAND, "ssh -o StrictHostKeyChecking=accept-new");
        assert.equal(clone.env?.GIT_TERMINAL_PROMPT, "0");
      },
    },
    {
      name: "clone: false and no checkout is converged",
      params: { repo: "x", dest: "/srv/x", clone: false },
      summaries: [],
    },
    {
      name: "update: false leaves a checkout alone without asking the remote",
      params: { repo: "x", dest: "/srv/x", update: false },
      setup: async (root, host) => {
        await writeFiles(root, { "/srv/x/.git/HEAD": "ref: refs/heads/main\n" });
        (host as ScriptedHost).script({ match: /^git -C \/srv\/x /, reply: { stdout: `${A}\n` } });
      },
      summaries: [],
    },
  ], { host: (root) => new ScriptedHost(root) });
});

async function sh(cwd: string, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@x",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@x",
    },
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("git: clone, update, tag, local changes against a local bare repository", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_git_" });
  try {
    const bare = `${dir}/repo.git`;
    const work = `${dir}/work`;
    await sh(dir, "init", "-q", "--bare", "-b", "main", bare);
    await sh(dir, "clone", "-q", bare, work);
    await Deno.writeTextFile(`${work}/a.txt`, "one\n");
    await sh(work, "add", "a.txt");
    await sh(work, "commit", "-q", "-m", "one");
    await sh(work, "push", "-q", "origin", "HEAD:main");
    const first = await sh(work, "rev-parse", "HEAD");

    const host = new LocalHost();
    const dest = `${dir}/checkout`;
    const c = await converge(gitTask, { repo: bare, dest }, host);
    assert.deepEqual(c.first.map((x) => x.summary), [
      `git clone ${bare} ${dest} (HEAD = ${first.slice(0, 10)})`,
    ]);
    assert.deepEqual(c.first[0]!.diff, {
      before: "(not cloned)\n",
      after: `${first}\n`,
      beforeLabel: `${dest} before`,
      afterLabel: `${dest} after`,
    });
    assert.deepEqual(c.again, []);

    await Deno.writeTextFile(`${work}/a.txt`, "two\n");
    await sh(work, "commit", "-q", "-am", "two");
    await sh(work, "tag", "-a", "-m", "v1", "v1");
    await sh(work, "push", "-q", "--tags", "origin", "HEAD:main");
    const second = await sh(work, "rev-parse", "HEAD");
    const u = await converge(gitTask, { repo: bare, dest }, host);
    assert.deepEqual(u.first.map((x) => x.summary), [
      `update ${dest} to HEAD: ${first.slice(0, 10)} -> ${second.slice(0, 10)}`,
    ]);
    assert.deepEqual(u.again, []);
    assert.equal(await Deno.readTextFile(`${dest}/a.txt`), "two\n");

    const back = await converge(gitTask, { repo: bare, dest, version: first }, host);
    assert.equal(back.first.length, 1);
    assert.deepEqual(back.again, []);
    assert.equal(await Deno.readTextFile(`${dest}/a.txt`), "one\n");
    const tag = await converge(gitTask, { repo: bare, dest, version: "v1" }, host);
    assert.equal(tag.first.length, 1);
    assert.deepEqual(tag.again, []);
    assert.equal(await sh(dest, "rev-parse", "HEAD"), second);

    await Deno.writeTextFile(`${dest}/a.txt`, "local edit\n");
    await assert.rejects(
      converge(gitTask, { repo: bare, dest, version: "main" }, host),
      /local modifications; set force: true/,
    );
    const forced = await converge(
      gitTask,
      { repo: bare, dest, version: "main", force: true },
      host,
    );
    assert.equal(forced.first.length, 1);
    assert.deepEqual(forced.again, []);
    assert.equal(await Deno.readTextFile(`${dest}/a.txt`), "two\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
