/**
 * Root writes into a directory another user owns (a home, ~/.ssh, /srv/app) while that user
 * swaps names for symlinks to a root-only file, in a loop, as fast as they can. Whatever the
 * interleaving, the root-only file never changes: modes, owners and times are set on handles,
 * the temp file is created exclusively without following links, and links the user planted are
 * not followed to root's files.
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../../lib/apply/host.ts";
import { ROOT } from "../../_helpers/cli.ts";
import { needs, rootMissing } from "../../_helpers/needs.ts";

const NOBODY = 65534;

interface Arena {
  readonly base: string;
  /** Owned by nobody: the attacker's directory, where root writes. */
  readonly user: string;
  /** Root-only: must never change. */
  readonly secret: string;
}

/** Runs `fn` while nobody swaps names ending in `suffix` in the user dir for links to secret. */
async function underAttack(
  suffix: string,
  options: { refill?: boolean },
  fn: (a: Arena, host: LocalHost) => Promise<void>,
): Promise<number> {
  const base = await Deno.makeTempDir({ prefix: "driftless_race_" });
  await Deno.chmod(base, 0o755);
  const a: Arena = { base, user: `${base}/user`, secret: `${base}/victim/secret` };
  try {
    await Deno.mkdir(`${base}/victim`, { mode: 0o700 });
    await Deno.writeTextFile(a.secret, "root only\n", { mode: 0o600 });
    await Deno.chmod(a.secret, 0o600);
    await Deno.mkdir(a.user);
    await Deno.chown(a.user, NOBODY, NOBODY);
    await Deno.mkdir(`${base}/deno`);
    await Deno.chown(`${base}/deno`, NOBODY, NOBODY);
    await Deno.chmod(`${base}/victim`, 0o755); // the attacker can name the secret, not open it
    const before = await Deno.stat(a.secret);
    const attacker = new Deno.Command("setpriv", {
      args: [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        Deno.execPath(),
        "run",
        "--quiet",
        "--allow-read",
        "--allow-write",
        `${ROOT}/tests/fixtures/race/swapper.ts`,
        a.user,
        a.secret,
        suffix,
        ...(options.refill ? ["--refill"] : []),
      ],
      env: { DENO_DIR: `${base}/deno` },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // Wait until the attacker is up: it swaps (and with refill, rewrites) a probe file.
    const probe = `${a.user}/probe${suffix}`;
    await Deno.writeTextFile(probe, "");
    await Deno.chown(probe, NOBODY, NOBODY);
    for (let i = 0; i < 600; i++) {
      const st = await Deno.lstat(probe).catch(() => undefined);
      if (st?.isSymlink || st?.uid === NOBODY && st.size > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      await fn(a, new LocalHost());
    } finally {
      await Deno.writeTextFile(`${a.user}/stop`, "");
    }
    const swapped = Number(new TextDecoder().decode((await attacker.output()).stdout).trim());
    const after = await Deno.stat(a.secret);
    assert.equal(await Deno.readTextFile(a.secret), "root only\n", "the secret's content");
    assert.equal(after.mode! & 0o7777, 0o600, "the secret's mode");
    assert.equal(after.uid, 0, "the secret's owner");
    assert.equal(after.gid, before.gid, "the secret's group");
    assert.equal(after.mtime!.getTime(), before.mtime!.getTime(), "the secret's mtime");
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(`${base}/victim`))).map((e) => e.name),
      ["secret"],
      "nothing new beside the secret",
    );
    return swapped;
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const ROUNDS = 300;

Deno.test(needs(rootMissing("acting as root and as nobody"), {
  name: "writeAtomic() with mode and owner, temp files swapped for links in a loop",
  async fn() {
    let written = 0;
    const swapped = await underAttack(".tmp", {}, async (a, host) => {
      // The attacker spins on its own core and spoils most writes; a write goes through only
      // when it is descheduled. Keep going (up to 10x) until one did, so a busy machine where
      // the first rounds all lose does not fail the test.
      for (let i = 0; i < ROUNDS || (written === 0 && i < 10 * ROUNDS); i++) {
        await host.writeAtomic(`${a.user}/authorized_keys`, `key ${i}\n`, {
          mode: 0o644,
          uid: NOBODY,
          gid: NOBODY,
          backup: i % 10 === 0,
        }).then(() => written++, () => {}); // a write the attacker spoilt fails, never goes astray
      }
    });
    assert.ok(swapped > 0, "the attacker won some races: the test exercised them");
    assert.ok(written > 0, "some writes went through: root kept working beside the attacker");
  },
}));

Deno.test(needs(rootMissing("acting as root and as nobody"), {
  name: "chmod(), chown() and utime() on a file the owner swaps for links in a loop",
  async fn() {
    const swapped = await underAttack(".conf", { refill: true }, async (a, host) => {
      const path = `${a.user}/probe.conf`;
      for (let i = 0; i < ROUNDS; i++) {
        // Each may fail (the name is a link, or gone, at that instant); none may go astray.
        await host.chmod(path, i % 2 ? 0o644 : 0o4755).catch(() => {});
        await host.chown(path, NOBODY, NOBODY).catch(() => {});
        await host.utime(path, new Date(0), new Date(0)).catch(() => {});
        await host.readText(path).then((text) => {
          assert.ok(!text.includes("root only"), "the secret was read through a planted link");
        }, () => {});
      }
    });
    assert.ok(swapped > 0, "the attacker won some races: the test exercised them");
  },
}));
