import assert from "node:assert/strict";
import { createSink } from "../../../lib/sinks/create.ts";
import { formatRfc3164, formatRfc5424, severityOf } from "../../../lib/sinks/syslog_format.ts";
import { rsyslogMissing, startRsyslog } from "./_rsyslog.ts";
import { needs } from "../../_helpers/needs.ts";

const events = (from: number, to: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: to - from }, (_, i) => ({
    message: `hello ${from + i}`,
    source: "myapp",
    host: "web-7",
    time: Date.UTC(2024, 4, 1, 10, 0, 0),
    ...extra,
  }));

Deno.test("formatRfc5424() and formatRfc3164() write the headers the RFCs describe", () => {
  const m = {
    facility: 16,
    severity: 3,
    time: Date.UTC(2024, 4, 1, 10, 0, 0, 5),
    hostname: "h 1",
    appName: "my app",
    message: "boom",
  };
  assert.equal(formatRfc5424(m), "<131>1 2024-05-01T10:00:00.005Z h_1 my_app - - - boom");
  assert.match(
    formatRfc3164({ ...m, procId: "42" }),
    /^<131>May {2}1 \d\d:00:00 h_1 my_app\[42\]: boom$/,
  );
  assert.equal(severityOf("WARNING"), 4);
  assert.equal(severityOf("fatal"), 2);
  assert.equal(severityOf(7), 7);
  assert.equal(severityOf("loud"), undefined);
});

Deno.test(needs(rsyslogMissing, {
  name: "syslog sink delivers to a real rsyslog over UDP, TCP (octet counting) and a unix socket",
  async fn() {
    const r = await startRsyslog();
    try {
      const udp = await createSink({
        name: "u",
        type: "syslog",
        protocol: "udp",
        address: `127.0.0.1:${r.udp}`,
        facility: "local3",
        severity_field: "level",
      });
      await udp.send(events(0, 50, { level: "error" }));
      await udp.close();
      const tcp = await createSink({
        name: "t",
        type: "syslog",
        protocol: "tcp",
        address: `127.0.0.1:${r.tcp}`,
        format: "rfc3164",
      });
      await tcp.send(events(100, 400));
      await tcp.send([{ message: "first line\nsecond line", source: "myapp", host: "web-7" }]);
      await tcp.close();
      const unix = await createSink({
        name: "x",
        type: "syslog",
        protocol: "unix",
        path: r.socket,
      });
      await unix.send(events(500, 550));
      await unix.close();
      const lines = await r.waitFor(50 + 300 + 1 + 50);
      const byMsg = new Map(lines.map((l) => [l.split("|")[3]!.trim(), l]));
      for (let i = 0; i < 50; i++) {
        assert.equal(byMsg.get(`hello ${i}`), `155|web-7|myapp|hello ${i}`, "local3.err over UDP");
      }
      for (let i = 100; i < 400; i++) assert.ok(byMsg.has(`hello ${i}`), `TCP message ${i}`);
      assert.match(byMsg.get(`hello 100`)!, /^14\|web-7\|myapp\|/);
      for (let i = 500; i < 550; i++) assert.ok(byMsg.has(`hello ${i}`), `unix message ${i}`);
      // Octet counting keeps a multi-line message whole (rsyslog escapes the newline).
      assert.ok(
        lines.some((l) => l.includes("first line#012second line")),
        lines.slice(-3).join("\n"),
      );
      assert.equal(lines.length, 401);
    } finally {
      await r.stop();
    }
  },
}));

Deno.test(needs(rsyslogMissing, {
  name:
    "syslog TCP sink reconnects when rsyslog comes back; the batch sent meanwhile is retried, not lost",
  async fn() {
    let r = await startRsyslog();
    const port = r.tcp;
    const sink = await createSink({
      name: "t",
      type: "syslog",
      protocol: "tcp",
      address: `127.0.0.1:${port}`,
      retry: { initial_backoff: 0.05, max_backoff: 0.2 },
    });
    await sink.send(events(0, 10));
    assert.equal((await r.waitFor(10)).length, 10);
    await r.stop();
    await new Promise((res) => setTimeout(res, 100));
    const sending = sink.send(events(10, 20));
    await new Promise((res) => setTimeout(res, 500));
    assert.ok(sink.stats.errors > 0, "the peer is gone: sends fail and are retried");
    r = await startRsyslog({ tcp: port });
    try {
      await sending;
      const got = await r.waitFor(10);
      assert.deepEqual(
        got.map((l) => l.split("|")[3]!.trim()),
        events(10, 20).map((e) => e.message),
      );
      await sink.close();
    } finally {
      await r.stop();
    }
  },
}));
