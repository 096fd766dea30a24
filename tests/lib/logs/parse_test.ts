import assert from "node:assert/strict";
import type { ParserConfig } from "../../../lib/config/logs_schema.ts";
import { LogEvent } from "../../../lib/logs/event.ts";
import { compileParser } from "../../../lib/logs/parse.ts";

const origin = { source: "web", host: "h1", path: "/var/log/x.log" };
const READ_AT = Date.UTC(2024, 4, 1, 12, 0, 0);

/** A year-less BSD stamp is this year's, or last year's when that would be in the future. */
function bsdYear(month: number, day: number, h: number, m: number, s: number): string {
  const y = new Date().getUTCFullYear();
  const t = Date.UTC(y, month, day, h, m, s);
  return new Date(t > Date.now() + 86_400_000 ? Date.UTC(y - 1, month, day, h, m, s) : t)
    .toISOString();
}

function run(config: ParserConfig, line: string): { e: LogEvent; json: Record<string, unknown> } {
  const e = new LogEvent(line, 0, READ_AT, origin);
  compileParser(config)!(e);
  return { e, json: JSON.parse(JSON.stringify(e)) };
}

interface Case {
  readonly name: string;
  readonly config: ParserConfig;
  readonly line: string;
  /** Expected fields (subset of the JSON output), or an error pattern. */
  readonly fields?: Record<string, unknown>;
  readonly time?: string;
  readonly error?: RegExp;
}

const CASES: Case[] = [
  {
    name: "nginx combined",
    config: "nginx",
    line:
      '203.0.113.7 - alice [01/May/2024:10:15:32 +0200] "GET /api/v1/items?id=42 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/125.0"',
    fields: {
      remote_addr: "203.0.113.7",
      remote_user: "alice",
      method: "GET",
      path: "/api/v1/items?id=42",
      protocol: "HTTP/1.1",
      status: 200,
      body_bytes_sent: 5123,
      http_referer: "https://example.com/",
      http_user_agent: "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/125.0",
    },
    time: "2024-05-01T08:15:32.000Z",
  },
  {
    name: "apache common (no referrer/agent), size '-'",
    config: { type: "apache", format: "common" },
    line: '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 304 -',
    fields: { remote_user: "frank", status: 304, body_bytes_sent: 0, path: "/apache_pb.gif" },
    time: "2000-10-10T20:55:36.000Z",
  },
  {
    name: "nginx combined refuses a common line",
    config: { type: "nginx", format: "combined" },
    line: '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326',
    error: /nginx: not a combined log line/,
  },
  {
    name: "nginx error log",
    config: { type: "nginx", format: "error" },
    line:
      '2024/05/01 10:00:00 [error] 1234#1234: *56 open() "/srv/www/favicon.ico" failed (2: No such file or directory), client: 198.51.100.2, server: example.com',
    fields: { level: "error", pid: 1234, tid: 1234, connection: 56 },
    time: "2024-05-01T10:00:00.000Z",
  },
  {
    name: "apache error log",
    config: { type: "apache", format: "error" },
    line:
      "[Wed May 01 10:00:00.123456 2024] [core:error] [pid 4242:tid 140] [client 192.0.2.1:51234] AH00126: Invalid URI in request GET /%%% HTTP/1.1",
    fields: { module: "core", level: "error", pid: 4242, tid: 140, client: "192.0.2.1:51234" },
    time: "2024-05-01T10:00:00.123Z",
  },
  {
    name: "syslog RFC 5424 with structured data",
    config: "syslog",
    line:
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event log entry...',
    fields: {
      message: "An application event log entry...",
      syslog: {
        timestamp: "2003-10-11T22:14:15.003Z",
        priority: 165,
        facility: 20,
        severity: 5,
        version: 1,
        hostname: "mymachine.example.com",
        appname: "evntslog",
        msgid: "ID47",
        structured_data: '[exampleSDID@32473 iut="3" eventSource="Application"]',
      },
    },
    time: "2003-10-11T22:14:15.003Z",
  },
  {
    name: "syslog RFC 3164 with PRI",
    config: { type: "syslog", timestamp: undefined as never },
    line: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    fields: {
      message: "'su root' failed for lonvick on /dev/pts/8",
      syslog: {
        timestamp: "Oct 11 22:14:15",
        priority: 34,
        facility: 4,
        severity: 2,
        hostname: "mymachine",
        appname: "su",
      },
    },
    time: bsdYear(9, 11, 22, 14, 15),
  },
  {
    name: "Debian 12 /var/log/syslog line (RFC 3339 stamp, no PRI)",
    config: "syslog",
    line:
      "2024-05-01T10:00:00.123456+02:00 web-1 sshd[4321]: Accepted publickey for deploy from 192.0.2.9 port 50022 ssh2",
    fields: {
      message: "Accepted publickey for deploy from 192.0.2.9 port 50022 ssh2",
      syslog: { hostname: "web-1", appname: "sshd", procid: "4321" },
    },
    time: "2024-05-01T08:00:00.123Z",
  },
  {
    name: "syslog failure keeps the raw line",
    config: "syslog",
    line: "this is not syslog",
    error: /syslog: not an RFC 5424 or 3164 line/,
  },
  {
    name: "json with a timestamp field",
    config: { type: "json", timestamp: { field: "ts", format: "rfc3339" } },
    line: '{"ts":"2024-05-01T10:00:00.5Z","level":"warn","msg":"slow","http":{"status":503}}',
    fields: { level: "warn", msg: "slow", http: { status: 503 } },
    time: "2024-05-01T10:00:00.500Z",
  },
  {
    name: "json under a target key",
    config: { type: "json", target: "app" },
    line: '{"level":"info"}',
    fields: { app: { level: "info" } },
  },
  { name: "broken json", config: "json", line: '{"level": "info"', error: /^json: / },
  {
    name: "json that is not an object",
    config: "json",
    line: "[1,2]",
    error: /json: expected an object/,
  },
  {
    name: "logfmt (Go slog text handler)",
    config: { type: "logfmt", timestamp: { field: "time", format: "rfc3339" } },
    line:
      'time=2024-05-01T10:00:00.000+02:00 level=ERROR msg="connect failed" err="dial tcp: i/o timeout" retry',
    fields: { level: "ERROR", msg: "connect failed", err: "dial tcp: i/o timeout", retry: true },
    time: "2024-05-01T08:00:00.000Z",
  },
  {
    name: "logfmt with no pairs",
    config: "logfmt",
    line: "just words",
    error: /logfmt: no key=value pairs/,
  },
  {
    name: "regex with Python named groups and a custom time format",
    config: {
      type: "regex",
      pattern: "^(?P<date>\\S+ \\S+) \\[(?P<level>\\w+)\\] (?P<msg>.*)$",
      timestamp: { field: "date", format: "%Y-%m-%d %H:%M:%S,%f", timezone: "+01:00" },
    },
    line: "2024-05-01 10:00:00,250 [WARN] disk 91% full",
    fields: { level: "WARN", msg: "disk 91% full" },
    time: "2024-05-01T09:00:00.250Z",
  },
  {
    name: "regex that does not match",
    config: { type: "regex", pattern: "^(?P<a>\\d+)$" },
    line: "abc",
    error: /regex: the line does not match/,
  },
  {
    name: "bad timestamp keeps the fields and says why",
    config: { type: "json", timestamp: { field: "ts", format: "unix" } },
    line: '{"ts":"yesterday","x":1}',
    fields: { x: 1 },
    error: /timestamp: cannot read "yesterday" as unix/,
  },
  {
    name: "unix timestamps as numbers",
    config: { type: "json", timestamp: { field: "ts", format: "unix" } },
    line: '{"ts":1714557600.25}',
    time: "2024-05-01T10:00:00.250Z",
  },
];

for (const c of CASES) {
  Deno.test(`compileParser() on a real line: ${c.name}`, () => {
    const { e, json } = run(c.config, c.line);
    if (c.error) {
      assert.match(e.error ?? "", c.error);
      assert.equal(e.message, c.line, "the raw line is kept");
      assert.match(String((json.error as { message: string }).message), c.error);
    } else {
      assert.equal(e.error, undefined, e.error);
    }
    for (const [k, v] of Object.entries(c.fields ?? {})) {
      if (v !== null && typeof v === "object") {
        for (const [k2, v2] of Object.entries(v)) {
          assert.deepEqual((json[k] as Record<string, unknown>)[k2], v2, `${k}.${k2}`);
        }
      } else assert.deepEqual(json[k], v, k);
    }
    if (c.time) assert.equal(json["@timestamp"], c.time);
    else if (!c.error) assert.equal(json["@timestamp"], new Date(READ_AT).toISOString());
    assert.deepEqual(json.log, { file: { path: "/var/log/x.log" }, offset: 0 });
    assert.deepEqual(json.event, { dataset: "web" });
  });
}

Deno.test("compileParser() of plain with no timestamp is no parser at all", () => {
  assert.equal(compileParser("plain"), undefined);
  assert.equal(compileParser(undefined), undefined);
});
