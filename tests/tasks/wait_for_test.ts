import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import { waitFor } from "../../tasks/wait_for.ts";

const ctx = { configDir: "/x", renderTemplate: () => Promise.reject(new Error("none")) };
const host = new LocalHost();

async function run(raw: Record<string, unknown>) {
  const p = waitFor.schema.parse(raw);
  const [c] = waitFor.plan(p, await waitFor.read(p, host, ctx));
  return {
    summary: c!.summary,
    result: await waitFor.apply(c!.op, host, ctx) as Record<string, unknown>,
  };
}

Deno.test("wait_for: a port that starts listening later, with search_regex", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let server: Deno.HttpServer | undefined;
  const later = setTimeout(() => {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => new Response("ok"));
  }, 300);
  try {
    const r = await run({ port, timeout: 10, sleep: 0.1 });
    assert.equal(r.summary, `wait for 127.0.0.1:${port} to be started (timeout 10s)`);
    assert.equal(r.result.failed, undefined);
    assert.equal(r.result.port, port);
  } finally {
    clearTimeout(later);
    await server?.shutdown();
  }
});

Deno.test("wait_for: search_regex on a banner, stopped, and a timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = (async () => {
    for await (const conn of listener) {
      await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n")).catch(() => {});
      conn.close();
    }
  })();
  const banner = await run({ port, search_regex: "OpenSSH_(\\d+)\\.(\\d+)", timeout: 5 });
  assert.deepEqual(banner.result.match_groups, ["9", "2"]);
  const missing = await run({
    port,
    search_regex: "nginx",
    timeout: 1,
    sleep: 0.2,
    connect_timeout: 0.3,
  });
  assert.equal(missing.result.failed, true);
  assert.match(String(missing.result.msg), /Timeout when waiting for 127.0.0.1:\d+ to be started/);
  listener.close();
  await accepting.catch(() => {});
  const stopped = await run({ port, state: "stopped", timeout: 5, sleep: 0.1 });
  assert.equal(stopped.result.failed, undefined);
});

Deno.test("wait_for: a file that appears with content, then goes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    setTimeout(() => Deno.writeTextFileSync(`${dir}/ready`, "state: READY\n"), 200);
    const r = await run({
      path: `${dir}/ready`,
      search_regex: "state: (\\w+)",
      timeout: 5,
      sleep: 0.1,
    });
    assert.deepEqual(r.result.match_groups, ["READY"]);
    setTimeout(() => Deno.removeSync(`${dir}/ready`), 200);
    const gone = await run({ path: `${dir}/ready`, state: "absent", timeout: 5, sleep: 0.1 });
    assert.equal(gone.result.failed, undefined);
    const never = await run({ path: `${dir}/never`, timeout: 0.3, sleep: 0.1, msg: "no file" });
    assert.deepEqual([never.result.failed, never.result.msg], [true, "no file"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
