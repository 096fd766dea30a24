/**
 * `lazy<typeof import("P")>("Q", import.meta.url)` must load the module its type names: the
 * type checker sees P, the run loads Q, and nothing but this test notices when they differ.
 */
import assert from "node:assert/strict";
import { lazy } from "../lib/lazy.ts";
import { LAZY_CALL as CALL } from "./_helpers/module_graph.ts";

const ROOT = new URL("../", import.meta.url);
/** The definition, the one `lazy<` that is not a call. */
const LAZY = new URL("../lib/lazy.ts", import.meta.url);

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.isDirectory ? `${e.name}/` : e.name, dir);
    if (e.isDirectory && !["tests", "node_modules", ".cache", ".git"].includes(e.name)) {
      yield* sources(url);
    } else if (e.isFile && e.name.endsWith(".ts") && url.href !== LAZY.href) yield url;
  }
}

Deno.test("every lazy() import loads the module its type names, and that module exists", async () => {
  let calls = 0;
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(file);
    for (const [, typed, loaded] of text.matchAll(CALL)) {
      calls++;
      const where = `${file.pathname.slice(ROOT.pathname.length)}: ${loaded}`;
      assert.equal(loaded, typed, where);
      assert.ok((await Deno.stat(new URL(loaded!, file))).isFile, where);
    }
    // A lazy() call this pattern cannot read would escape the check.
    const all = [...text.matchAll(/\blazy</g)].length;
    assert.equal([...text.matchAll(CALL)].length, all, `${file.pathname}: unreadable lazy() call`);
  }
  assert.ok(calls >= 30, `found ${calls} lazy() calls`);
});

Deno.test("lazy() loads a module relative to the caller", async () => {
  const m = await lazy<typeof import("../lib/lazy.ts")>("../lib/lazy.ts", import.meta.url);
  assert.equal(m.lazy, lazy);
});
