/**
 * Tests that need something a machine may lack (a tool, root, the Debian root). Elsewhere such a
 * test is skipped with the reason in its name, where a reader and `.ci/run` both see it. CI
 * (`CI=true`) installs all of it, so there a missing need fails the test instead: a lost install
 * step cannot turn into a quietly skipped suite.
 *
 * @module
 */

/** What the machine cannot give a test: CI can (the default), or CI cannot either. */
export interface NeedOptions {
  /** False when CI cannot provide it either (PID 1 is systemd, say): then CI skips too. */
  readonly ci?: boolean;
}

/** True when running under CI (`CI=true`), where every need CI installs must be met. */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

/**
 * The test `def`, skipped with `(skipped: <missing>)` in its name when `missing` gives a reason;
 * under CI it runs and fails with the reason instead, unless `ci: false` says CI cannot help.
 */
export function needs(
  missing: string | undefined,
  def: Deno.TestDefinition,
  options: NeedOptions = {},
): Deno.TestDefinition {
  if (missing === undefined) return def;
  if (IN_CI && options.ci !== false) {
    return {
      ...def,
      fn() {
        throw new Error(`CI installs what this test needs, yet ${missing}`);
      },
    };
  }
  return { ...def, name: `${def.name} (skipped: ${missing})`, ignore: true };
}

/** Why `cmd` cannot run (`<cmd> is not installed`), or undefined when it is on PATH. */
export function toolMissing(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return undefined;
    } catch { /* next */ }
  }
  return `${cmd} is not installed`;
}

/** Why a test that needs root cannot run, or undefined when it runs as root. */
export function rootMissing(what: string): string | undefined {
  return Deno.uid() === 0 ? undefined : `${what} needs root`;
}

/** Why a test replaying trees recorded under umask 022 cannot run here, or undefined. */
export function umaskMismatch(): string | undefined {
  const mask = Deno.umask();
  return mask === 0o022
    ? undefined
    : `umask is 0${mask.toString(8)}; the trees were recorded with 022`;
}
