import assert from "node:assert/strict";
import { statfs as nodeStatfs } from "node:fs/promises";
import { statfs } from "../../../lib/facts/_statfs.ts";

Deno.test("statfs through libc gives what Node's statfs gives", async () => {
  for (const path of ["/", "/proc", Deno.cwd()]) {
    const [ours, node] = await Promise.all([statfs(path), nodeStatfs(path)]);
    // Sizes and counts of the file system; free counts may move between the two calls.
    assert.equal(ours.bsize, node.bsize, path);
    assert.equal(ours.blocks, node.blocks, path);
    assert.equal(ours.files, node.files, path);
    assert.ok(Math.abs(ours.bfree - node.bfree) < 4096, `${path}: bfree`);
    assert.ok(Math.abs(ours.ffree - node.ffree) < 4096, `${path}: ffree`);
    assert.ok(ours.bavail <= ours.bfree, `${path}: bavail`);
    assert.ok((ours.frsize ?? 0) > 0, `${path}: frsize`);
  }
  await assert.rejects(statfs("/no/such/path"), /statfs \/no\/such\/path failed/);
});
