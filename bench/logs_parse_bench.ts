/**
 * Per-line cost of the log parsers, the filters and the line splitter (`deno bench -A
 * bench/logs_parse_bench.ts`). Each iteration handles 10,000 real-looking lines; divide by
 * 10,000 for the cost of one line.
 *
 * @module
 */
import { LogEvent } from "../lib/logs/event.ts";
import { compileFilters } from "../lib/logs/filter.ts";
import { LineSplitter } from "../lib/logs/lines.ts";
import { compileParser } from "../lib/logs/parse.ts";

const N = 10_000;
const origin = { source: "bench", host: "h", path: "/var/log/x.log" };
const LINES: Record<string, string> = {
  nginx:
    '203.0.113.7 - - [01/May/2024:10:15:32 +0200] "GET /api/v1/items?id=42 HTTP/1.1" 200 5123 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/125.0"',
  syslog:
    "2024-05-01T10:00:00.123456+02:00 web-1 sshd[4321]: Accepted publickey for deploy from 192.0.2.9 port 50022 ssh2",
  json:
    '{"ts":"2024-05-01T10:00:00.5Z","level":"warn","msg":"slow request","http":{"status":503,"path":"/api"}}',
  logfmt:
    'time=2024-05-01T10:00:00Z level=error msg="connect failed" err="dial tcp: i/o timeout" retry=3',
  regex: "2024-05-01 10:00:00,250 [WARN] worker-3 disk 91% full",
};
const CONFIGS = {
  nginx: "nginx",
  syslog: "syslog",
  json: { type: "json", timestamp: { field: "ts", format: "rfc3339" } },
  logfmt: { type: "logfmt", timestamp: { field: "time", format: "rfc3339" } },
  regex: {
    type: "regex",
    pattern: "^(?P<date>\\S+ \\S+) \\[(?P<level>\\w+)\\] (?P<thread>\\S+) (?P<msg>.*)$",
  },
} as const;

for (const [name, config] of Object.entries(CONFIGS)) {
  const parse = compileParser(config as never)!;
  const line = LINES[name]!;
  Deno.bench(`parse ${name} x${N}`, { group: "parse" }, () => {
    for (let i = 0; i < N; i++) parse(new LogEvent(line, i, 0, origin));
  });
}

const stats = { filtered: 0, rateLimited: 0 };
const filters = compileFilters([{ exclude: "kube-probe|/health" }, {
  field: "status",
  equals: 200,
  negate: true,
}], stats)!;
const parseNginx = compileParser("nginx")!;
const parsed = Array.from({ length: N }, (_, i) => {
  const e = new LogEvent(LINES.nginx!, i, 0, origin);
  parseNginx(e);
  return e;
});
Deno.bench(`filters (exclude + equals) x${N}`, () => {
  for (const e of parsed) filters(e, 0);
});

const text = new TextEncoder().encode((LINES.syslog + "\n").repeat(N));
Deno.bench(`split ${N} lines to text`, { group: "split" }, () => {
  const s = new LineSplitter(0, { maxLineBytes: 1 << 20, longLines: "split" });
  const { buffer, at } = s.prepare((min) => new Uint8Array(min), text.length);
  buffer.set(text, at);
  let n = 0;
  s.commit(buffer, text.length, () => n++);
});
Deno.bench(`split ${N} lines to byte ranges`, { group: "split" }, () => {
  const s = new LineSplitter(0, { maxLineBytes: 1 << 20, longLines: "split" });
  const { buffer, at } = s.prepare((min) => new Uint8Array(min), text.length);
  buffer.set(text, at);
  let n = 0;
  s.commitRanges(buffer, text.length, () => n++);
});
