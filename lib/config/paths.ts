/**
 * Path helpers for the config dir: `~` expansion, containment, real paths.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";

/** The home directory from `HOME`; root's when HOME is not visible (`--ignore-env`). */
export function homeDir(): string {
  return envOr("HOME") ?? "/root";
}

/** Reads an env var, treating an unpermitted one as unset (the base flags use `--ignore-env`). */
export function envOr(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Expands a leading `~/` and makes the path absolute. */
export function expandHome(path: string): string {
  if (path === "~") return homeDir();
  if (path.startsWith("~/")) return join(homeDir(), path.slice(2));
  return resolve(path);
}

/** True when `child` is `parent` or lies under it. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The real path when the file exists, else the absolute path as given. */
export async function realPathOrSelf(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Where driftless keeps its state (apply lock, audit log, log checkpoints, agent snapshots):
 * `DRIFTLESS_STATE_DIR`, else `~/.local/state/driftless`. Absolute.
 */
export function stateDir(): string {
  return expandHome(envOr("DRIFTLESS_STATE_DIR") || "~/.local/state/driftless");
}
