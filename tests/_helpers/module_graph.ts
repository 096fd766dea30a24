/**
 * The modules a program can load at run time, from `deno info --json`: the code edges (static
 * and dynamic imports) from an entry point, and the modules loaded through `lib/lazy.ts`
 * (`lazy<typeof import("P")>("P", …)`, which `deno info` sees only as a type), leaving out
 * `import type`, which is erased.
 *
 * @module
 */
import { ROOT } from "./cli.ts";

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly {
    readonly specifier: string;
    readonly code?: { readonly specifier?: string };
    readonly type?: { readonly specifier?: string };
  }[];
}

/**
 * A `lazy()` call: the path its type names, then the path it loads (the same path;
 * tests/lazy_imports_test.ts checks that).
 */
export const LAZY_CALL =
  /lazy<\s*typeof import\("([^"]+)"\)\s*>\(\s*"([^"]+)",\s*import\.meta\.url/g;

/** The paths a local module loads through `lazy()`. */
async function lazyPaths(specifier: string): Promise<Set<string>> {
  if (!specifier.startsWith("file:")) return new Set();
  const text = await Deno.readTextFile(new URL(specifier));
  return new Set([...text.matchAll(LAZY_CALL)].map((m) => m[2]!));
}

/** The specifiers reachable from `entry` (a path relative to the repository) through code. */
export async function runtimeGraph(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...info.roots];
  while (todo.length > 0) {
    let s = todo.pop()!;
    s = info.redirects[s] ?? s;
    if (seen.has(s)) continue;
    seen.add(s);
    const lazy = await lazyPaths(s);
    for (const dep of bySpecifier.get(s)?.dependencies ?? []) {
      if (dep.code?.specifier) todo.push(dep.code.specifier);
      if (dep.type?.specifier && lazy.has(dep.specifier)) todo.push(dep.type.specifier);
    }
  }
  return seen;
}
