/**
 * Permission probes for fact gathering: a fact whose source is not permitted is skipped without
 * trying (trying could prompt on a terminal, or throw), so `apply --dry-run` under scoped flags
 * gets the facts it can and no error.
 *
 * @module
 */

// "import" is a permission since Deno 2.1; the type list in lib.deno.d.ts lags behind.
const KINDS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;
let fullAccess: boolean | undefined;

/** True when a permission is granted (without prompting). */
export function granted(desc: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(desc).state === "granted";
  } catch {
    return false;
  }
}

/**
 * True when /proc and /sys can be read: Deno allows that only when every permission is granted
 * unscoped (`-A`), even though a scoped `--allow-read` reports "granted" for those paths.
 */
export function procAccess(): boolean {
  return fullAccess ??= KINDS.every((name) =>
    granted({ name } as unknown as Deno.PermissionDescriptor)
  );
}

/** True when `path` may be read. */
export function canRead(path: string): boolean {
  return granted({ name: "read", path });
}

/** True when a `--allow-sys` kind is granted. */
export function canSys(kind: NonNullable<Deno.SysPermissionDescriptor["kind"]>): boolean {
  return granted({ name: "sys", kind });
}

/** Runs `fn`; any error (permission, missing file, parse) gives `undefined`. */
export function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
