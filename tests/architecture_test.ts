/**
 * Imports go one way: cli → api → tasks → lib (DESIGN §2; api/ is the library's surface). This scans every source file's static and
 * dynamic imports and fails on a reverse edge, and on cli/ importing mod.ts (the cycle deadlocks).
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./_helpers/cli.ts";

const LAYERS = ["lib", "tasks", "api", "cli"] as const;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...(await sources(p)));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a module: `from "./x.ts"`, `import("../y.ts")`, `export ... from`. */
export function importsOf(text: string): string[] {
  const re = /(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

function layerOf(path: string): (typeof LAYERS)[number] | "root" {
  const top = relative(ROOT, path).split("/")[0]!;
  return (LAYERS as readonly string[]).includes(top) ? top as (typeof LAYERS)[number] : "root";
}

Deno.test("importsOf() finds static, dynamic and re-export specifiers", () => {
  assert.deepEqual(
    importsOf(
      `import a from "./a.ts";\nexport { b } from "../b.ts";\nconst c = await import("./c.ts");\nimport "./d.ts";`,
    ),
    ["./a.ts", "../b.ts", "./c.ts", "./d.ts"],
  );
});

Deno.test("imports go one way: cli -> api -> tasks -> lib", async () => {
  const violations: string[] = [];
  for (const layer of LAYERS) {
    for (const file of await sources(join(ROOT, layer))) {
      for (const spec of importsOf(await Deno.readTextFile(file))) {
        const target = resolve(dirname(file), spec);
        const from = layerOf(file);
        const to = layerOf(target);
        const rank = (l: string) => (LAYERS as readonly string[]).indexOf(l);
        // Root files are data (deno.json) except mod.ts, which only the outside may import.
        const bad = to === "root" ? relative(ROOT, target) === "mod.ts" : rank(to) > rank(from);
        if (bad) violations.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
