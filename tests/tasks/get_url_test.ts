import assert from "node:assert/strict";
import { getUrl } from "../../tasks/get_url.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { writeFiles } from "../_helpers/scripted_host.ts";

const BODY = "hello from the server\n";
const SHA = "e4b1a9ab40e4d25a8f2e2ab8fec2b1fea5d19a8a4d5e4c3ec25de2a0a95e7de1";

async function sha256(text: string) {
  const b = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test("get_url: against a local server", async (t) => {
  let hits = 0;
  let hitsBefore = 0;
  let lastAuth: string | null = null;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/SHA256SUMS") {
      return new Response(`${await sha256(BODY)}  app.tar\nffff  other\n`);
    }
    if (path === "/missing") return new Response("no", { status: 404 });
    hits++;
    lastAuth = req.headers.get("authorization");
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
        name: "force fetches and replaces only when the content differs",
        params: { url: `${base}/app.tar`, dest: "/opt/app.tar", force: true },
        setup: (root) => writeFiles(root, { "/opt/app.tar": "old\n" }),
        summaries: [`download ${base}/app.tar to /opt/app.tar`],
        changes: (ch) => assert.equal(ch[0]!.diff!.after, `sha256:${sum}\n`),
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
