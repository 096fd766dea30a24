import assert from "node:assert/strict";
import { ROOT } from "../../_helpers/cli.ts";
import { withDir } from "./_pipeline.ts";

Deno.test("following thousands of files costs a small, fixed amount of memory each and at most max_open_files descriptors", () =>
  withDir(async (dir) => {
    // Measured in a process of its own after full GCs: what the files keep, not GC timing.
    const n = 3000;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        `${ROOT}/tests/lib/logs/_many_files.ts`,
        dir,
        String(n),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(r.shipped, n);
    assert.equal(r.followed, n);
    assert.ok(r.open <= 1000, `${r.open} descriptors open`);
    // About 2 KiB each today (file state, its checkpoint, index entries); 8 KiB would mean
    // something per file grew (a buffer kept, a read chunk not given back).
    assert.ok(r.heapPerFile < 8 * 1024, `${r.heapPerFile.toFixed(0)} bytes of heap per file`);
  }));
