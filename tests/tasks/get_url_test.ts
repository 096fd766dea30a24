import assert from "node:assert/strict";
import { getUrl } from "../../tasks/get_url.ts";
import { LocalHost } from "../../lib/apply/host.ts";
import { OverlayHost } from "../../lib/apply/overlay_host.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { writeFiles } from "../_helpers/scripted_host.ts";

const BODY = "hello from the server\n";
const SHA = "e4b1a9ab40e4d25a8f2e2ab8fec2b1fea5d19a8a4d5e4c3ec25de2a0a95e7de1";
const MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT";
const BIG = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

async function sha256(text: string) {
  const b = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test("get_url: against a local server", async (t) => {
  let hits = 0;
  let hitsBefore = 0;
  let lastAuth: string | null = null;
  let bodies = 0;
  let bigSent = 0;
  let bodiesBefore = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/SHA256SUMS") {
      return new Response(`${await sha256(BODY)}  app.tar\nffff  other\n`);
    }
    if (path === "/missing") return new Response("no", { status: 404 });
    hits++;
    lastAuth = req.headers.get("authorization");
    if (path === "/big.bin") {
      // 16 MiB, sent as the client pulls it: what read() takes of it is counted.
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent >= BIG) return controller.close();
            controller.enqueue(new Uint8Array(CHUNK).fill(120));
            sent += CHUNK;
            bigSent += CHUNK;
          },
        }),
        { headers: { "content-length": String(BIG) } },
      );
    }
    if (path === "/dated.tar") {
      // A server with Last-Modified that answers If-Modified-Since with 304.
      const since = Date.parse(req.headers.get("if-modified-since") ?? "");
      if (since >= Date.parse(MODIFIED)) return new Response(null, { status: 304 });
      bodies++;
      return new Response(BODY, { headers: { "last-modified": MODIFIED } });
    }
    bodies++;
    return new Response(BODY);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const sum = await sha256(BODY);
  try {
    await runCases(t, getUrl, [
      {
        name: "downloads to a missing file with mode and basic auth",
        params: {
          url: `${base}/app.tar`,
          dest: "/opt/app.tar",
          mode: "0640",
          url_username: "u",
          url_password: "p",
        },
        setup: (root) => Deno.mkdir(`${root}/opt`),
        summaries: [`download ${base}/app.tar to /opt/app.tar`],
        check: async (real) => {
          assert.equal(await Deno.readTextFile(real("/opt/app.tar")), BODY);
          assert.equal((await Deno.stat(real("/opt/app.tar"))).mode! & 0o777, 0o640);
          assert.equal(lastAuth, `Basic ${btoa("u:p")}`);
        },
      },
      {
        name: "an existing file without checksum or force is kept, and the URL is not fetched",
        params: { url: `${base}/app.tar`, dest: "/opt/app.tar" },
        setup: async (root) => {
          await writeFiles(root, { "/opt/app.tar": "old\n" });
          hitsBefore = hits;
        },
        summaries: [],
        check: async (real) => {
          assert.equal(await Deno.readTextFile(real("/opt/app.tar")), "old\n");
          assert.equal(hits, hitsBefore, "no request without force or checksum");
        },
      },
      {
        name: "a checksum mismatch downloads again, into a directory dest",
        params: { url: `${base}/app.tar`, dest: "/opt/", checksum: `sha256:${sum}` },
        setup: (root) => writeFiles(root, { "/opt/app.tar": "old\n" }),
        summaries: [`download ${base}/app.tar to /opt/app.tar (sha256:${sum.slice(0, 12)}…)`],
        check: async (real) => assert.equal(await Deno.readTextFile(real("/opt/app.tar")), BODY),
      },
      {
        name: "a checksum from a checksum file that matches is converged",
        params: {
          url: `${base}/app.tar`,
          dest: "/opt/app.tar",
          checksum: `sha256:${base}/SHA256SUMS`,
        },
        setup: (root) => writeFiles(root, { "/opt/app.tar": BODY }),
        summaries: [],
      },
      {
        name: "a download that does not match the checksum is never written",
        params: { url: `${base}/app.tar`, dest: "/opt/app.tar", checksum: `sha256:${SHA}` },
        setup: (root) => Deno.mkdir(`${root}/opt`),
        summaries: [/^download /],
        throws: /has sha256:.*expected e4b1a9ab/,
      },
      {
        name: "force without validators from the server: fetched in apply, replaced as it differs",
        params: { url: `${base}/app.tar`, dest: "/opt/app.tar", force: true },
        setup: (root) => writeFiles(root, { "/opt/app.tar": "old\n" }),
        summaries: [
          `download ${base}/app.tar to /opt/app.tar: the server gives no Last-Modified to compare, so it is fetched and compared`,
        ],
        changes: (ch) => assert.equal(ch[0]!.action, true, "checked again every run"),
        check: async (real) => assert.equal(await Deno.readTextFile(real("/opt/app.tar")), BODY),
      },
      {
        name:
          "force and If-Modified-Since: an old file is downloaded, and its mtime is the server's",
        params: { url: `${base}/dated.tar`, dest: "/opt/app.tar", force: true },
        setup: async (root) => {
          await writeFiles(root, { "/opt/app.tar": "old\n" });
          await Deno.utime(`${root}/opt/app.tar`, new Date(0), new Date(0));
        },
        summaries: [
          `download ${base}/dated.tar to /opt/app.tar: newer on the server (${MODIFIED})`,
        ],
        check: async (real) => {
          assert.equal(await Deno.readTextFile(real("/opt/app.tar")), BODY);
          const st = await Deno.stat(real("/opt/app.tar"));
          assert.equal(st.mtime!.getTime(), Date.parse(MODIFIED));
        },
      },
      {
        name: "force and a current file: the server answers 304, nothing is downloaded",
        params: { url: `${base}/dated.tar`, dest: "/opt/app.tar", force: true },
        setup: async (root) => {
          await writeFiles(root, { "/opt/app.tar": BODY });
          await Deno.utime(`${root}/opt/app.tar`, new Date(), new Date(Date.parse(MODIFIED)));
          bodiesBefore = bodies;
        },
        summaries: [],
        check: () => assert.equal(bodies, bodiesBefore),
      },
      {
        name: "force on a large file: read() takes the headers, apply() streams the body",
        params: { url: `${base}/big.bin`, dest: "/opt/big.bin", force: true },
        setup: (root) => writeFiles(root, { "/opt/big.bin": "old\n" }),
        summaries: [/^download .*big\.bin to \/opt\/big\.bin: the server gives no Last-Modified/],
        // What the server pushed before the client cancelled: socket buffers, not the body.
        changes: () => assert.ok(bigSent < BIG / 4, `read() pulled ${bigSent} bytes`),
        check: async (real) => assert.equal((await Deno.stat(real("/opt/big.bin"))).size, BIG),
      },
      {
        name: "a wrong mode alone is a chmod",
        params: { url: `${base}/app.tar`, dest: "/opt/app.tar", mode: "0600" },
        setup: (root) => writeFiles(root, { "/opt/app.tar": BODY }),
        summaries: ["chmod 0600 /opt/app.tar"],
      },
      {
        name: "HTTP errors fail with the status",
        params: { url: `${base}/missing`, dest: "/opt/x" },
        setup: (root) => Deno.mkdir(`${root}/opt`),
        summaries: [/^download /],
        throws: /HTTP 404/,
      },
    ]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("get_url in a dry run: planned on the overlay without a single request", async () => {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    requests++;
    return new Response(BODY);
  });
  const root = await Deno.makeTempDir({ prefix: "driftless_get_url_dry_" });
  try {
    await Deno.mkdir(`${root}/opt`);
    const overlay = new OverlayHost(new LocalHost({ root, chroot: false }));
    const params = getUrl.schema.parse({
      url: `http://127.0.0.1:${server.addr.port}/app.tar`,
      dest: "/opt/app.tar",
      mode: "0600",
    });
    const ctx = { configDir: root, renderTemplate: () => Promise.reject(new Error("none")) };
    const changes = getUrl.plan(params, await getUrl.read(params, overlay, ctx));
    overlay.applying = true;
    for (const c of changes) await getUrl.apply(c.op, overlay, ctx);
    assert.equal(requests, 0);
    assert.equal((await overlay.stat("/opt/app.tar"))?.mode, 0o600, "later tasks see the file");
    await assert.rejects(overlay.readText("/opt/app.tar"), /would come from http:/);
    assert.equal(await Deno.lstat(`${root}/opt/app.tar`).catch(() => undefined), undefined);
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});
