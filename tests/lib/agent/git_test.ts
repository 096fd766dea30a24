import assert from "node:assert/strict";
import { join } from "node:path";
import { GitError, GitSource } from "../../../lib/agent/git.ts";
import { gitMissing, signingKey, TestRepo } from "../../_helpers/git_repo.ts";
import { needs } from "../../_helpers/needs.ts";

const missing = gitMissing();

function config(url: string, over: Record<string, unknown> = {}) {
  return { url, interval: 60_000, timeout: 30_000, verify: "none" as const, keys: [], ...over };
}

Deno.test(needs(missing, {
  name: "git: fetch a new revision, export its tree, move the checkout to it",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "driftless-git-" });
    try {
      const repo = await TestRepo.create(dir, { "apply.yml": "tasks: []\n" });
      const checkout = join(dir, "config");
      await repo.clone(checkout);
      const git = new GitSource(checkout, config(repo.bare), { stateDir: join(dir, "state") });
      await git.prepare();
      assert.equal(git.branch, "main", "the remote's default branch");
      const first = await git.head();
      assert.equal(await git.fetch(), first);

      const second = await repo.commit({ "vars.yml": "x: 1\n", "apply.yml": null }, "second");
      assert.equal(await git.fetch(), second);
      assert.equal(await git.head(), first, "fetching does not move the checkout");
      const tree = join(dir, "tree");
      await Deno.mkdir(tree);
      await git.export(second, tree);
      assert.equal(await Deno.readTextFile(join(tree, "vars.yml")), "x: 1\n");
      await assert.rejects(Deno.stat(join(tree, "apply.yml")));
      await assert.rejects(Deno.stat(join(tree, ".git")), "the export holds no repository");

      await Deno.writeTextFile(join(checkout, "vars.yml"), "edited by hand\n");
      await git.checkout(second);
      assert.equal(await git.head(), second);
      assert.equal(await Deno.readTextFile(join(checkout, "vars.yml")), "x: 1\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(needs(missing, {
  name: "git: verify: signed takes revisions signed by a configured key only",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "driftless-git-" });
    try {
      const [trusted, stranger] = [await signingKey(dir, "ops"), await signingKey(dir, "eve")];
      const repo = await TestRepo.create(dir, { "apply.yml": "tasks: []\n" });
      const checkout = join(dir, "config");
      await repo.clone(checkout);
      const git = new GitSource(
        checkout,
        config(repo.bare, { verify: "signed", keys: [trusted.publicKeyFile] }),
        { stateDir: join(dir, "state") },
      );
      await git.prepare();
      const signed = await repo.commit({ "a.txt": "1" }, "signed", trusted);
      assert.equal(await git.fetch(), signed);
      await git.verify(signed);
      const unsigned = await repo.commit({ "a.txt": "2" }, "unsigned");
      assert.equal(await git.fetch(), unsigned);
      await assert.rejects(git.verify(unsigned), (e) => {
        assert.ok(e instanceof GitError);
        assert.match(e.message, /is not signed by a trusted key/);
        return true;
      });
      const forged = await repo.commit({ "a.txt": "3" }, "someone else", stranger);
      assert.equal(await git.fetch(), forged);
      await assert.rejects(git.verify(forged), GitError);
      assert.equal((await Deno.stat(join(dir, "state", "gnupg"))).mode! & 0o777, 0o700);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(needs(missing, {
  name: "git: an unreachable remote or a checkout of something else is a clear error",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "driftless-git-" });
    try {
      const state = { stateDir: join(dir, "state") };
      const gone = new GitSource(join(dir, "c1"), config(join(dir, "nowhere.git")), state);
      await assert.rejects(gone.prepare(), /cannot reach .*nowhere\.git/);
      const repo = await TestRepo.create(dir, { "apply.yml": "tasks: []\n" });
      const plain = join(dir, "plain");
      await Deno.mkdir(plain);
      await Deno.writeTextFile(join(plain, "apply.yml"), "tasks: []\n");
      await assert.rejects(
        new GitSource(plain, config(repo.bare), state).prepare(),
        /is not a Git checkout/,
      );
      const wrongBranch = new GitSource(
        join(dir, "c2"),
        config(repo.bare, { branch: "prod" }),
        state,
      );
      await assert.rejects(wrongBranch.prepare(), /has no branch "prod"/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
