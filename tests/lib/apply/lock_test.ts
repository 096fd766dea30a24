import assert from "node:assert/strict";
import { acquireLock } from "../../../lib/apply/lock.ts";

const holder = `
import { acquireLock } from "${new URL("../../../lib/apply/lock.ts", import.meta.url).href}";
const lock = await acquireLock(Deno.args[0], { wait: false });
console.log(lock ? "locked" : "busy");
await new Promise((r) => setTimeout(r, 60_000));
`;

Deno.test("acquireLock() excludes another process; the OS frees it when that process dies", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/state/apply.lock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", holder, path],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert.equal(new TextDecoder().decode(value).trim(), "locked");
    assert.equal(await acquireLock(path, { wait: false }), undefined, "held by the child");
    const { promise: waiting, resolve } = Promise.withResolvers<void>();
    const pending = acquireLock(path, { wait: true, onWait: resolve });
    await waiting; // blocked on the child's lock...
    child.kill("SIGKILL"); // ...until the child dies without releasing it
    const lock = await pending;
    assert.ok(lock, "acquired once the holder was killed");
    lock.release();
    reader.releaseLock();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already dead */ }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
