import assert from "node:assert/strict";
import { createSink } from "../../../lib/sinks/create.ts";
import { ConsoleSink } from "../../../lib/sinks/console.ts";
import { needs, toolMissing } from "../../_helpers/needs.ts";

/** A CA and a server certificate for 127.0.0.1/localhost, made with the real openssl CLI. */
async function certificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=driftless test CA",
  );
  await run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  );
  return {
    ca: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}

/** Reads RFC 6587 octet-counted frames from a connection until it closes. */
async function frames(conn: Deno.Conn): Promise<string[]> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  const out: string[] = [];
  for (let i = 0; i < all.length;) {
    const sp = all.indexOf(32, i);
    const len = Number(new TextDecoder().decode(all.subarray(i, sp)));
    out.push(new TextDecoder().decode(all.subarray(sp + 1, sp + 1 + len)));
    i = sp + 1 + len;
  }
  return out;
}

Deno.test(needs(toolMissing("openssl"), {
  name: "syslog sink over TLS (octet counting) verifies the server against the configured CA",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { ca, cert, key } = await certificates(dir);
      const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
      const port = (listener.addr as Deno.NetAddr).port;
      const received = (async () => frames(await listener.accept()))();
      const sink = await createSink({
        name: "tls",
        type: "syslog",
        protocol: "tls",
        address: `localhost:${port}`,
        tls: { ca_file: ca },
      });
      await sink.send([{ message: "over tls 1", source: "app", host: "h" }, {
        message: "multi\nline",
        source: "app",
        host: "h",
      }]);
      await sink.close();
      const got = await received;
      listener.close();
      assert.equal(got.length, 2);
      assert.match(got[0]!, /^<14>1 \S+ h app - - - over tls 1$/);
      assert.match(got[1]!, /- multi\nline$/);
      // Without the CA the certificate is refused (and the error is retryable, not a crash).
      const listener2 = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
      const port2 = (listener2.addr as Deno.NetAddr).port;
      const accepting = listener2.accept().then((c) =>
        c.handshake().catch(() => {}).finally(() => c.close())
      ).catch(() => {});
      const { SyslogSink } = await import("../../../lib/sinks/syslog.ts");
      const strict = new SyslogSink({
        name: "x",
        type: "syslog",
        protocol: "tls",
        address: `localhost:${port2}`,
      }, { host: "h" });
      await assert.rejects(
        () => strict.send([{ message: "m" }]),
        /certificate|UnknownIssuer|invalid peer/i,
      );
      await strict.close();
      await accepting;
      listener2.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test(needs(toolMissing("openssl"), {
  name: "http sink over HTTPS trusts the configured CA file",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const { ca, cert, key } = await certificates(dir);
      const got: string[] = [];
      const ac = new AbortController();
      const server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        cert,
        key,
        signal: ac.signal,
        onListen: () => {},
      }, async (req) => {
        got.push(await req.text());
        return new Response("ok");
      });
      const port = (server.addr as Deno.NetAddr).port;
      const sink = await createSink({
        name: "https",
        type: "http",
        url: `https://localhost:${port}/in`,
        tls: { ca_file: ca },
      });
      await sink.send([{ message: "secure", n: 1 }]);
      await sink.close();
      ac.abort();
      await server.finished;
      assert.deepEqual(got.map((b) => JSON.parse(b.trim()).n), [1]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
}));

Deno.test("console sink writes raw lines or JSON to the stream it is given", async () => {
  const chunks: string[] = [];
  const stream = {
    write(p: Uint8Array) {
      chunks.push(new TextDecoder().decode(p));
      return Promise.resolve(p.length);
    },
  };
  const raw = new ConsoleSink({ name: "c", type: "console", format: "raw" }, { stream });
  await raw.send([{ message: "one" }, { other: 2 }]);
  const json = new ConsoleSink({ name: "j", type: "console" }, { stream });
  await json.send([{ message: "two" }]);
  assert.equal(chunks.join(""), 'one\n{"other":2}\n{"message":"two"}\n');
});
