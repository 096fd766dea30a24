import assert from "node:assert/strict";
import { hash } from "bcryptjs";
import { gunzip } from "../../../lib/sinks/gzip.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { configureCollectors } from "../../../lib/facts/collectors.ts";
import { toPrometheusText } from "../../../lib/facts/exposition.ts";
import { Scraper } from "../../../lib/facts/scraper.ts";
import { BasicAuth, parseListen, serveMetrics } from "../../../lib/facts/server.ts";
import { missing, requires, VM_PROC } from "./_fixtures.ts";
import { rawGet } from "./_http.ts";

function fixtureScraper(): Scraper {
  const collectors = configureCollectors(undefined, {
    log: () => {},
    only: ["cpu", "meminfo", "loadavg"],
  });
  return new Scraper(collectors, { paths: { ...DEFAULT_PATHS, proc: VM_PROC } });
}

async function withServer(
  options: Partial<Parameters<typeof serveMetrics>[0]>,
  body: (base: string) => Promise<void>,
): Promise<void> {
  const scraper = fixtureScraper();
  const controller = new AbortController();
  const server = await serveMetrics({
    listen: "127.0.0.1:0",
    path: "/metrics",
    render: async (select) => toPrometheusText((await scraper.scrape(select)).families),
    signal: controller.signal,
    ...options,
  });
  try {
    await body(server.url.replace(/\/metrics$/, ""));
  } finally {
    controller.abort();
    await server.finished;
  }
}

Deno.test("parseListen() reads host:port and [v6]:port", () => {
  assert.deepEqual(parseListen("0.0.0.0:8000"), { hostname: "0.0.0.0", port: 8000 });
  assert.deepEqual(parseListen("[::]:9100"), { hostname: "::", port: 9100 });
  assert.deepEqual(parseListen(":9100"), { hostname: "0.0.0.0", port: 9100 });
  assert.throws(() => parseListen("localhost"), /expected host:port/);
});

Deno.test("the server collects at scrape time, gzips on request and serves text format 0.0.4", () =>
  withServer({}, async (base) => {
    const plain = await rawGet(`${base}/metrics`);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = new TextDecoder().decode(plain.body);
    assert.match(text, /^node_cpu_seconds_total\{cpu="1",mode="idle"\} /m);
    assert.match(text, /^node_scrape_collector_success\{collector="meminfo"\} 1$/m);

    const zipped = await rawGet(`${base}/metrics`, { "Accept-Encoding": "gzip" });
    assert.equal(zipped.headers.get("content-encoding"), "gzip");
    assert.deepEqual([zipped.body[0], zipped.body[1]], [0x1f, 0x8b], "gzip magic on the wire");
    // Each scrape collects anew: everything but the measured durations is the same.
    const stable = (t: string) => t.replace(/^node_scrape_collector_duration_seconds.*$/gm, "");
    assert.equal(stable(new TextDecoder().decode(await gunzip(zipped.body))), stable(text));
  }));

Deno.test("collect[] and exclude[] filter collectors; an unknown one is a 400, like node_exporter", () =>
  withServer({}, async (base) => {
    const only = await (await fetch(`${base}/metrics?collect[]=loadavg`)).text();
    assert.match(only, /^node_load1 /m);
    assert.doesNotMatch(only, /node_cpu_seconds_total/);
    assert.match(only, /node_scrape_collector_success\{collector="loadavg"\} 1/);
    const without = await (await fetch(`${base}/metrics?exclude[]=cpu`)).text();
    assert.doesNotMatch(without, /node_cpu_seconds_total/);
    assert.match(without, /node_memory_MemTotal_bytes/);
    const bad = await fetch(`${base}/metrics?collect[]=nope`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /collector "nope" not available/);
    const both = await fetch(`${base}/metrics?collect[]=cpu&exclude[]=loadavg`);
    assert.equal(both.status, 400);
    await both.body?.cancel();
    const landing = await fetch(`${base}/`);
    assert.match(await landing.text(), /href="\/metrics"/);
    const notFound = await fetch(`${base}/other`);
    assert.equal(notFound.status, 404);
    await notFound.body?.cancel();
  }));

Deno.test("basic auth checks bcrypt hashes and answers 401 with a challenge", async () => {
  const users = { prometheus: await hash("s3cret-pass", 4) };
  await withServer({ basicAuthUsers: users }, async (base) => {
    const none = await fetch(`${base}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Basic /);
    await none.body?.cancel();
    const wrong = await fetch(`${base}/metrics`, {
      headers: { authorization: `Basic ${btoa("prometheus:nope")}` },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const unknown = await fetch(`${base}/metrics`, {
      headers: { authorization: `Basic ${btoa("root:s3cret-pass")}` },
    });
    assert.equal(unknown.status, 401);
    await unknown.body?.cancel();
    for (let i = 0; i < 2; i++) {
      const ok = await fetch(`${base}/metrics`, {
        headers: { authorization: `Basic ${btoa("prometheus:s3cret-pass")}` },
      });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /node_load1/);
    }
  });
});

Deno.test("BasicAuth rejects malformed headers", async () => {
  const auth = new BasicAuth({ a: await hash("b", 4) });
  assert.equal(await auth.check(null), false);
  assert.equal(await auth.check("Bearer x"), false);
  assert.equal(await auth.check("Basic !!!"), false);
  assert.equal(await auth.check(`Basic ${btoa("no-colon")}`), false);
  assert.equal(await auth.check(`Basic ${btoa("a:b")}`), true);
});

Deno.test({
  ...requires(
    "TLS: a real client that trusts a self-signed certificate gets the metrics over HTTPS",
    missing("openssl"),
  ),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // A CA and a server certificate it signs, as a real deployment has.
      const openssl = async (args: string[]) => {
        const out = await new Deno.Command("openssl", {
          args,
          cwd: dir,
          stdout: "null",
          stderr: "piped",
        }).output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      };
      await openssl([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
      ]);
      await openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
      ]);
      await Deno.writeTextFile(
        `${dir}/ext.cnf`,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
      );
      await openssl([
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
      ]);
      const ca = await Deno.readTextFile(`${dir}/ca.pem`);
      const cert = await Deno.readTextFile(`${dir}/cert.pem`);
      const key = await Deno.readTextFile(`${dir}/key.pem`);
      const users = { p: await hash("pw", 4) };
      await withServer({ tls: { cert, key }, basicAuthUsers: users }, async (base) => {
        assert.ok(base.startsWith("https://"));
        const client = Deno.createHttpClient({ caCerts: [ca] });
        try {
          const r = await fetch(`${base}/metrics`, {
            client,
            headers: { authorization: `Basic ${btoa("p:pw")}` },
          });
          assert.equal(r.status, 200);
          assert.match(await r.text(), /node_memory_MemTotal_bytes/);
        } finally {
          client.close();
        }
        // An untrusting client refuses the certificate.
        await assert.rejects(fetch(`${base}/metrics`));
        // Plain HTTP on the TLS port gets no metrics.
        const plain = await rawGet(base.replace("https://", "http://") + "/metrics").catch(() =>
          undefined
        );
        assert.ok(!plain || plain.status !== 200);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the server answers 503 beyond max requests and stops when aborted", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const controller = new AbortController();
  const server = await serveMetrics({
    listen: "127.0.0.1:0",
    path: "/metrics",
    maxRequests: 1,
    render: async () => {
      await gate;
      return "up 1\n";
    },
    signal: controller.signal,
  });
  const first = fetch(server.url);
  await new Promise((r) => setTimeout(r, 100));
  const second = await fetch(server.url);
  assert.equal(second.status, 503);
  await second.body?.cancel();
  release();
  assert.equal(await (await first).text(), "up 1\n");
  controller.abort();
  await server.finished;
  await assert.rejects(fetch(server.url));
});
