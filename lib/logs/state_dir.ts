/**
 * The logs state dir holds the checkpoints and the lock. It is created private, and refused
 * when another user owns it or group and others may write to it: whoever can write there can
 * plant a symlink where a checkpoint is written, or rewind the offsets.
 *
 * @module
 */
import { join } from "node:path";

/** The state dir is not safe to use; the message says why and what to do. */
export class StateDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateDirError";
  }
}

/**
 * Creates `dir` (mode 0700) when missing, then checks that the running user owns it (and the
 * symlink, if it is one) and that neither group nor others may write to it.
 */
export async function openStateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const link = await Deno.lstat(dir);
  const st = link.isSymlink ? await Deno.stat(dir) : link;
  if (!st.isDirectory) throw new StateDirError(`state dir ${dir} is not a directory`);
  const me = await ownUid(dir);
  const refuse = (what: string, uid: number | null) =>
    new StateDirError(
      `${what} ${dir} is owned by uid ${uid}, not by the running user (uid ${me}): refusing ` +
        `it, since its owner could change the checkpoints; chown it to uid ${me} or set ` +
        `state_dir to a directory of your own`,
    );
  if (link.isSymlink && link.uid !== me && link.uid !== 0) throw refuse("the symlink", link.uid);
  if (st.uid !== null && st.uid !== me) throw refuse("state dir", st.uid);
  const mode = st.mode ?? 0;
  if ((mode & 0o022) !== 0) {
    throw new StateDirError(
      `state dir ${dir} is writable by ${mode & 0o002 ? "others" : "its group"} (mode ` +
        `${(mode & 0o7777).toString(8).padStart(4, "0")}): refusing it, since they could plant ` +
        `files there; run chmod go-w ${dir}`,
    );
  }
}

/**
 * The running user's uid, read from a file made in `dir` (no `--allow-sys` needed), or from
 * the error when the dir is not writable.
 */
async function ownUid(dir: string): Promise<number | null> {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const probe = join(dir, `.owner-${[...bytes].map((b) => b.toString(16)).join("")}`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(probe, { write: true, createNew: true, mode: 0o600 });
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new StateDirError(`state dir ${dir} is not writable by the running user`);
    }
    throw e;
  }
  try {
    return (await file.stat()).uid;
  } finally {
    file.close();
    await Deno.remove(probe).catch(() => {});
  }
}
