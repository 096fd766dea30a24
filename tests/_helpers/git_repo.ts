/**
 * Real Git repositories for tests: a bare "remote", commits made from a work clone, and an
 * OpenPGP signing key in a throwaway keyring (ed25519, no passphrase).
 *
 * @module
 */
import { join } from "node:path";
import { toolMissing } from "./needs.ts";

const ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/** Runs a command; throws with its stderr when it fails. */
export async function sh(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    ...(o.cwd ? { cwd: o.cwd } : {}),
    env: { ...ENV, ...o.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/** Why Git tests cannot run here (git, and gpg for signatures), or undefined. */
export function gitMissing(): string | undefined {
  return toolMissing("git") ?? toolMissing("gpg");
}

/** A signing key. */
export interface SigningKey {
  /** Its keyring (GNUPGHOME). */
  readonly home: string;
  readonly fingerprint: string;
  /** The armored public key, written to a file. */
  readonly publicKeyFile: string;
}

/** Makes a new ed25519 signing key in a keyring of its own. */
export async function signingKey(dir: string, name: string): Promise<SigningKey> {
  const home = join(dir, `gnupg-${name}`);
  await Deno.mkdir(home, { mode: 0o700 });
  const env = { GNUPGHOME: home };
  await sh("gpg", [
    "--batch",
    "--passphrase",
    "",
    "--pinentry-mode",
    "loopback",
    "--quick-gen-key",
    `${name} <${name}@example.com>`,
    "ed25519",
    "sign",
    "never",
  ], { env });
  const fpr = /^fpr:+([0-9A-F]+):/m.exec(
    await sh("gpg", ["--list-keys", "--with-colons"], { env }),
  )![1]!;
  const publicKeyFile = join(dir, `${name}.asc`);
  await Deno.writeTextFile(publicKeyFile, await sh("gpg", ["--armor", "--export", fpr], { env }));
  return { home, fingerprint: fpr, publicKeyFile };
}

/** A bare repository and a work clone to commit from. */
export class TestRepo {
  readonly bare: string;
  readonly work: string;

  private constructor(bare: string, work: string) {
    this.bare = bare;
    this.work = work;
  }

  /** Creates the bare repo (default branch `main`) with a first commit of `files`. */
  static async create(dir: string, files: Record<string, string>): Promise<TestRepo> {
    const bare = join(dir, "remote.git");
    const work = join(dir, "work");
    await sh("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare]);
    await sh("git", ["clone", "--quiet", bare, work]);
    await sh("git", ["checkout", "--quiet", "-b", "main"], { cwd: work });
    const repo = new TestRepo(bare, work);
    await repo.commit(files, "first");
    return repo;
  }

  /** Writes files (null deletes), commits (signed with `key` when given) and pushes. */
  async commit(
    files: Record<string, string | null>,
    message: string,
    key?: SigningKey,
  ): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      if (content === null) await Deno.remove(full);
      else {
        await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
        await Deno.writeTextFile(full, content);
      }
    }
    await sh("git", ["add", "-A"], { cwd: this.work });
    const sign = key ? [`-S${key.fingerprint}`] : [];
    await sh("git", ["commit", "--quiet", "-m", message, ...sign], {
      cwd: this.work,
      ...(key ? { env: { GNUPGHOME: key.home } } : {}),
    });
    await sh("git", ["push", "--quiet", "origin", "main"], { cwd: this.work });
    return (await sh("git", ["rev-parse", "HEAD"], { cwd: this.work })).trim();
  }

  /** Clones the bare repo into `dest` (as a user sets up a host). */
  async clone(dest: string): Promise<void> {
    await sh("git", ["clone", "--quiet", this.bare, dest]);
  }
}
