/**
 * The run lock: one apply at a time per host. The OS releases the lock when a process dies, so
 * a killed run never leaves a stale lock behind.
 *
 * @module
 */
import { dirname } from "node:path";

/** A held lock; release it when the run ends. */
export interface Lock {
  release(): void;
}

/**
 * Takes an exclusive lock on a file. When another process holds it: with `wait`, calls
 * `onWait` once and blocks until it is free; without, returns undefined at once.
 */
export async function acquireLock(
  path: string,
  options: { wait: boolean; onWait?: () => void },
): Promise<Lock | undefined> {
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o750 });
  const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o640 });
  try {
    if (!(await file.tryLock(true))) {
      if (!options.wait) {
        file.close();
        return undefined;
      }
      options.onWait?.();
      await file.lock(true);
    }
  } catch (e) {
    file.close();
    throw e;
  }
  return {
    release() {
      try {
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
