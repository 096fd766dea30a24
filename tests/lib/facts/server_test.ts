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

Deno.test("collect[] and exclude[] filter collectors; an unknown collect[] is a 400, an unknown exclude[] is ignored", () =>
  withServer({}, async (base) => {
    const only = await (await fetch(`${base}/metrics?collect[]=loadavg`)).text();
    assert.match(only, /^node_load1 /m);
    assert.doesNotMatch(only, /node_cpu_seconds_total/);
    assert.match(only, /node_scrape_collector_success\{collector="loadavg"\} 1/);
    const without = await (await fetch(`${base}/metrics?exclude[]=cpu`)).text();
    assert.doesNotMatch(without, /node_cpu_seconds_total/);
    assert.match(without, /node_memory_MemTotal_bytes/);
    // An unknown exclude[] name excludes nothing (node_exporter 1.10).
    const unknownExclude = await fetch(`${base}/metrics?exclude[]=nope`);
    assert.equal(unknownExclude.status, 200);
    assert.match(await unknownExclude.text(), /node_load1/);
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

Deno.test("BasicAuth rejects malformed headers and checks users against bcrypt", async () => {
  const auth = new BasicAuth({ a: await hash("b", 4) });
  assert.equal(await auth.check(null), "denied");
  assert.equal(await auth.check("Bearer x"), "denied");
  assert.equal(await auth.check("Basic !!!"), "denied");
  assert.equal(await auth.check(`Basic ${btoa("no-colon")}`), "denied");
  assert.equal(await auth.check(`Basic ${btoa("a:c")}`), "denied");
  assert.equal(await auth.check(`Basic ${btoa("a:b")}`), "ok");
});

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

Deno.test("BasicAuth: an unknown user costs a bcrypt run like a known one, so names cannot be probed by timing", async () => {
  const auth = new BasicAuth({ known: await hash("right", 10) }, { burst: 100 });
  await auth.prepare();
  const fastest = async (user: string) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      // A new password and client each time: nothing cached, nothing limited.
      assert.equal(await auth.check(basic(user, `guess${i}`), `${user}-${i}`), "denied");
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const known = await fastest("known");
  const unknown = await fastest("nobody");
  // Both run one bcrypt of the same cost; before this fix an unknown user took 7 ms, a known one 106.
  assert.ok(unknown > known / 3, `unknown user ${unknown} ms, known user ${known} ms`);
});

Deno.test("BasicAuth limits failures per client and caches outcomes per credential", async () => {
  const auth = new BasicAuth({ p: await hash("good", 4) }, { burst: 3, refillMs: 3_600_000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(await auth.check(basic("p", `bad${i}`), "10.0.0.9"), "denied");
  }
  // Out of attempts: refused without bcrypt, even with the right password (not yet cached).
  assert.equal(await auth.check(basic("p", "bad3"), "10.0.0.9"), "limited");
  assert.equal(await auth.check(basic("p", "good"), "10.0.0.9"), "limited");
  // Another client is not affected; once its good credential is cached, it is good for all.
  assert.equal(await auth.check(basic("p", "good"), "10.0.0.10"), "ok");
  assert.equal(await auth.check(basic("p", "good"), "10.0.0.9"), "ok");
  // One client has one bcrypt check at a time; the rest are refused at once. A check that ends
  // before a later one arrives frees the slot (how soon depends on the machine's load), so as
  // many as the burst may be checked, never all ten.
  const concurrent = await Promise.all(
    Array.from({ length: 10 }, (_, i) => auth.check(basic("p", `x${i}`), "10.0.0.11")),
  );
  const denied = concurrent.filter((r) => r === "denied").length;
  assert.ok(denied >= 1 && denied <= 3, concurrent.join());
  assert.equal(concurrent.filter((r) => r === "limited").length, 10 - denied);
});

Deno.test("20 concurrent wrong passwords do not starve an authorised scrape", async () => {
  const users = { prometheus: await hash("s3cret", 10) };
  await withServer({ basicAuthUsers: users }, async (base) => {
    const good = { authorization: basic("prometheus", "s3cret") };
    // The scraper's first request pays for bcrypt once; later ones hit the cache.
    assert.equal((await rawGet(`${base}/metrics`, good)).status, 200);
    const attack = Array.from(
      { length: 20 },
      (_, i) => rawGet(`${base}/metrics`, { authorization: basic("prometheus", `guess${i}`) }),
    );
    const scrape = rawGet(`${base}/metrics`, good);
    const statuses = (await Promise.all(attack)).map((r) => r.status);
    assert.equal((await scrape).status, 200);
    // Each guess from this client got a 401 after bcrypt or a 429 without it: at most 10
    // (the burst) cost bcrypt time, never 20.
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join());
    assert.ok(statuses.filter((s) => s === 401).length <= 10, statuses.join());
    assert.ok(statuses.includes(429), statuses.join());
  });
});

Deno.test("more idle connections than the cap: the oldest idle ones are closed and scrapes still answer", () =>
  withServer(
    { maxConnections: 8, headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    async (base) => {
      const { hostname, port } = new URL(base);
      const idle: Deno.Conn[] = [];
      try {
        for (let i = 0; i < 30; i++) {
          idle.push(await Deno.connect({ hostname, port: Number(port) }));
        }
        const r = await rawGet(`${base}/metrics`);
        assert.equal(r.status, 200);
        assert.match(new TextDecoder().decode(r.body), /node_load1/);
        // The first connections were closed by the server to make room.
        assert.equal(await idle[0]!.read(new Uint8Array(1)), null);
      } finally {
        for (const c of idle) c.close();
      }
    },
  ));

Deno.test("a client that sends headers too slowly, or never, is disconnected", () =>
  withServer({ headerTimeoutMs: 300 }, async (base) => {
    const { hostname, port } = new URL(base);
    const conns = [
      await Deno.connect({ hostname, port: Number(port) }),
      await Deno.connect({ hostname, port: Number(port) }),
    ];
    try {
      // One sends part of a request head and stops; the other sends nothing.
      await conns[0]!.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
      const closed = (c: Deno.Conn) =>
        Promise.race([
          c.read(new Uint8Array(64)).then((n) => n === null),
          new Promise<boolean>((r) => setTimeout(() => r(false), 20_000)),
        ]);
      assert.deepEqual(await Promise.all(conns.map(closed)), [true, true]);
    } finally {
      for (const c of conns) c.close();
    }
  }));

Deno.test("oversized heads, bad request lines and chunked bodies get a status and a close", () =>
  withServer({}, async (base) => {
    const { hostname, port } = new URL(base);
    const send = async (raw: string) => {
      const c = await Deno.connect({ hostname, port: Number(port) });
      try {
        await c.write(new TextEncoder().encode(raw));
        const chunks: Uint8Array[] = [];
        for await (const b of c.readable) chunks.push(b);
        return new TextDecoder().decode(new Uint8Array(chunks.flatMap((b) => [...b])));
      } finally {
        try {
          c.close();
        } catch { /* closed by the server */ }
      }
    };
    assert.match(
      await send(`GET /metrics HTTP/1.1\r\nX: ${"a".repeat(20_000)}\r\n\r\n`),
      /^HTTP\/1\.1 431 /,
    );
    assert.match(await send("HELLO\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(
      await send("POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
      /^HTTP\/1\.1 411 /,
    );
    // Two pipelined requests on one connection get two answers.
    const two = await send(
      "GET /metrics?collect[]=loadavg HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert.equal(two.match(/^HTTP\/1\.1 200 /gm)?.length, 2);
  }));

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
