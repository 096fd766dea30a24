import assert from "node:assert/strict";
import { uri } from "../../tasks/uri.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { writeFiles } from "../_helpers/scripted_host.ts";
import { LocalHost } from "../../lib/apply/host.ts";

Deno.test("uri: requests against a local server", async (t) => {
  const seen: { method: string; type: string | null; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({
      method: req.method,
      type: req.headers.get("content-type"),
      body: await req.text(),
    });
    const path = new URL(req.url).pathname;
    if (path === "/created") return Response.json({ id: 7 }, { status: 201 });
    if (path === "/teapot") return new Response("short and stout", { status: 418 });
    return Response.json({ ok: true });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const ctx = { configDir: "/x", renderTemplate: () => Promise.reject(new Error("none")) };
  try {
    await t.step("POST json with status_code list registers json and content", async () => {
      const p = uri.schema.parse({
        url: `${base}/created`,
        method: "POST",
        body: { name: "x" },
        body_format: "json",
        status_code: [200, 201],
        return_content: true,
      });
      const host = new LocalHost();
      const changes = uri.plan(p, await uri.read(p, host, ctx));
      assert.deepEqual(changes.map((c) => c.summary), [`POST ${base}/created`]);
      const r = await uri.apply(changes[0]!.op, host, ctx) as Record<string, unknown>;
      assert.equal(r.status, 201);
      assert.deepEqual(r.json, { id: 7 });
      assert.equal(r.content, '{"id":7}');
      assert.equal(r.failed, undefined);
      assert.deepEqual(seen.at(-1), {
        method: "POST",
        type: "application/json",
        body: '{"name":"x"}',
      });
    });
    await t.step("form-urlencoded bodies", async () => {
      const p = uri.schema.parse({
        url: base,
        method: "PUT",
        body: { a: 1, b: "x y" },
        body_format: "form-urlencoded",
      });
      const host = new LocalHost();
      await uri.apply(uri.plan(p, await uri.read(p, host, ctx))[0]!.op, host, ctx);
      assert.deepEqual(seen.at(-1), {
        method: "PUT",
        type: "application/x-www-form-urlencoded",
        body: "a=1&b=x+y",
      });
    });
    await t.step("an unexpected status fails with the fields kept", async () => {
      const p = uri.schema.parse({ url: `${base}/teapot` });
      const host = new LocalHost();
      const r = await uri.apply(
        uri.plan(p, await uri.read(p, host, ctx))[0]!.op,
        host,
        ctx,
      ) as Record<string, unknown>;
      assert.equal(r.failed, true);
      assert.equal(r.status, 418);
      assert.equal(r.msg, "Status code was 418 and not [200]");
      assert.equal(r.content, "short and stout");
    });
    await runCases(t, uri, [
      {
        name: "creates skips the request",
        params: { url: base, creates: "/done" },
        setup: (root) => writeFiles(root, { "/done": "" }),
        summaries: [],
      },
      {
        name: "removes skips when the file is missing",
        params: { url: base, removes: "/gone" },
        summaries: [],
      },
    ]);
    await t.step("a refused connection is an error naming the URL", async () => {
      const p = uri.schema.parse({ url: "http://127.0.0.1:9/", timeout: 2 });
      await assert.rejects(
        uri.apply(uri.plan(p, {})[0]!.op, new LocalHost(), ctx),
        /GET http:\/\/127.0.0.1:9\//,
      );
    });
  } finally {
    await server.shutdown();
  }
});
