import assert from "node:assert/strict";
import type { FilterConfig } from "../../../lib/config/logs_schema.ts";
import { LogEvent } from "../../../lib/logs/event.ts";
import { compileFilters } from "../../../lib/logs/filter.ts";
import { compileParser } from "../../../lib/logs/parse.ts";

const origin = { source: "web", host: "h1", path: "/var/log/nginx/access.log" };
const LINES = [
  '10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
  '10.0.0.2 - - [01/May/2024:10:00:01 +0000] "POST /api/orders HTTP/1.1" 201 512 "-" "curl/8.5.0"',
  '10.0.0.3 - - [01/May/2024:10:00:02 +0000] "GET /api/orders/9 HTTP/1.1" 500 91 "-" "Go-http-client/1.1"',
  '10.0.0.4 - - [01/May/2024:10:00:03 +0000] "GET /static/app.js HTTP/1.1" 304 0 "-" "Mozilla/5.0"',
  "garbage line that nginx did not write",
];

function apply(filters: FilterConfig[]) {
  const stats = { filtered: 0, rateLimited: 0 };
  const parse = compileParser("nginx")!;
  const keep = compileFilters(filters, stats)!;
  const out: LogEvent[] = [];
  for (const [i, line] of LINES.entries()) {
    const e = new LogEvent(line, i * 100, 0, origin);
    parse(e);
    if (keep(e, 0)) out.push(e);
  }
  return { out, stats };
}

const CASES: {
  name: string;
  filters: FilterConfig[];
  kept: number[];
  check?: (e: LogEvent[]) => void;
}[] = [
  { name: "include on the line", filters: [{ include: "/api/" }], kept: [1, 2] },
  {
    name: "exclude health checks",
    filters: [{ exclude: "kube-probe|/health" }],
    kept: [1, 2, 3, 4],
  },
  { name: "include on a field", filters: [{ include: "^5\\d\\d$", field: "status" }], kept: [2] },
  {
    name: "exclude on a field keeps events without it",
    filters: [{ exclude: "^GET$", field: "method" }],
    kept: [1, 4],
  },
  {
    name: "equals (number field, string value)",
    filters: [{ field: "status", equals: "304" }],
    kept: [3],
  },
  {
    name: "equals negated",
    filters: [{ field: "method", equals: "GET", negate: true }],
    kept: [1, 4],
  },
  {
    name: "matches",
    filters: [{ field: "http_user_agent", matches: "(?i)^(curl|go-http)" }],
    kept: [1, 2],
  },
  {
    name: "parse errors can be kept or dropped",
    filters: [{ field: "error", matches: ".", negate: true }],
    kept: [0, 1, 2, 3],
  },
  {
    name: "in order: drop, then add and remove fields",
    filters: [
      { exclude: "/health" },
      { add_fields: { env: "prod", "team.name": "web" } },
      { drop_fields: ["http_referer", "request"] },
    ],
    kept: [1, 2, 3, 4],
    check: (out) => {
      const j = JSON.parse(JSON.stringify(out[0]));
      assert.equal(j.env, "prod");
      assert.deepEqual(j.team, { name: "web" });
      assert.equal(j.http_referer, undefined);
      assert.equal(j.request, undefined);
      assert.equal(j.path, "/api/orders");
    },
  },
];

for (const c of CASES) {
  Deno.test(`compileFilters() on nginx lines: ${c.name}`, () => {
    const { out, stats } = apply(c.filters);
    assert.deepEqual(out.map((e) => e.offset / 100), c.kept);
    const dropping = c.filters.some((f) =>
      f.include || f.exclude || f.equals !== undefined || f.matches
    );
    assert.equal(stats.filtered, dropping ? LINES.length - c.kept.length : 0);
    c.check?.(out);
  });
}

Deno.test("compileFilters() rate_limit keeps a burst then the rate, counting drops", () => {
  const stats = { filtered: 0, rateLimited: 0 };
  const keep = compileFilters([{ rate_limit: { events_per_second: 10, burst: 5 } }], stats)!;
  const e = new LogEvent("x", 0, 0, origin);
  let kept = 0;
  for (let i = 0; i < 20; i++) if (keep(e, 1000)) kept++;
  assert.equal(kept, 5);
  // One second later ten more tokens, capped at the burst.
  for (let i = 0; i < 20; i++) if (keep(e, 2000)) kept++;
  assert.equal(kept, 10);
  for (let i = 0; i < 20; i++) if (keep(e, 2300)) kept++;
  assert.equal(kept, 13);
  assert.equal(stats.rateLimited, 47);
});
