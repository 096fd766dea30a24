/**
 * Loading a module only when it is first needed.
 *
 * @module
 */
import { PermissionError } from "./errors.ts";

/** The source tree's root: `lib/`'s parent. */
const SOURCE = new URL("../", import.meta.url);

/**
 * Imports `path` (relative to `base`, which is the caller's `import.meta.url`) by a URL made at
 * run time. Before a program starts, Deno reads and resolves every module that a literal
 * `import("./x.ts")` names, npm packages included, so a literal import is lazy only in when it
 * runs: the CLI's `--help` took 58 ms with literals and 42 ms with this. `T` is
 * `typeof import("<the same path>")`; tests/lazy_imports_test.ts checks that the two agree.
 *
 * Deno asks read access for such a module when it comes from a checkout (from JSR it is fetched
 * like any other): without it, this throws a PermissionError naming the checkout.
 * `deno task compile` includes the source dirs in the binary.
 */
export async function lazy<T>(path: string, base: string): Promise<T> {
  const url = new URL(path, base);
  try {
    return await import(url.href);
  } catch (e) {
    // A module load without read access is a TypeError, not Deno.errors.NotCapable.
    const denied = e instanceof Error && /^Requires read access to /.test(e.message);
    if (!denied || url.protocol !== "file:") throw e;
    const dir = decodeURIComponent(SOURCE.pathname).replace(/\/$/, "");
    throw new PermissionError(
      `missing Deno permission: read access to Driftless's own modules in ${dir}`,
      [`--allow-read=${dir}`],
    );
  }
}
