import assert from "node:assert/strict";
import { Multiline } from "../../../lib/logs/multiline.ts";

function group(
  lines: string[],
  o: { pattern: string; negate?: boolean; match?: "after" | "before"; maxLines?: number },
): string[] {
  const m = new Multiline({
    pattern: new RegExp(o.pattern),
    negate: o.negate ?? false,
    match: o.match ?? "after",
    maxLines: o.maxLines ?? 500,
    timeoutMs: 1000,
  });
  const out: string[] = [];
  let offset = 0;
  for (const l of lines) {
    m.line(l, offset, 0, (t) => out.push(t));
    offset += l.length + 1;
  }
  m.flush(0, (t) => out.push(t), true);
  return out;
}

const javaTrace = [
  "2024-05-01 10:00:00,001 ERROR [main] c.e.App - request failed",
  "java.lang.IllegalStateException: boom",
  "\tat com.example.App.handle(App.java:42)",
  "\tat com.example.App.main(App.java:7)",
  "Caused by: java.io.IOException: disk full",
  "\t... 2 more",
  "2024-05-01 10:00:01,002 INFO  [main] c.e.App - recovered",
];

Deno.test("Multiline after+negate groups a Java stack trace under its timestamped line", () => {
  const out = group(javaTrace, { pattern: "^\\d{4}-\\d{2}-\\d{2} ", negate: true });
  assert.equal(out.length, 2);
  assert.equal(out[0], javaTrace.slice(0, 6).join("\n"));
  assert.equal(out[1], javaTrace[6]);
});

Deno.test("Multiline after (continuation lines start with whitespace) joins them to the line before", () => {
  const out = group([
    "Traceback (most recent call last):",
    '  File "x.py", line 1',
    "    boom()",
    "ValueError: x",
    "next",
  ], {
    pattern: "^\\s",
  });
  assert.deepEqual(out, [
    'Traceback (most recent call last):\n  File "x.py", line 1\n    boom()',
    "ValueError: x",
    "next",
  ]);
});

Deno.test("Multiline before joins lines ending in a backslash to the next one", () => {
  const out = group(["cmd --a \\", "  --b \\", "  --c", "done"], {
    pattern: "\\\\$",
    match: "before",
  });
  assert.deepEqual(out, ["cmd --a \\\n  --b \\\n  --c", "done"]);
});

Deno.test("Multiline cuts a group at max_lines and keeps the rest as a new group", () => {
  const lines = ["head", ...Array.from({ length: 5 }, (_, i) => ` cont ${i}`)];
  const m = new Multiline({
    pattern: /^\s/,
    negate: false,
    match: "after",
    maxLines: 3,
    timeoutMs: 1,
  });
  const out: string[] = [];
  lines.forEach((l, i) => m.line(l, i, 0, (t) => out.push(t)));
  m.flush(0, (t) => out.push(t), true);
  assert.deepEqual(out, ["head\n cont 0\n cont 1", " cont 2\n cont 3\n cont 4"]);
  assert.equal(m.cut, 1);
});

Deno.test("Multiline flushes a pending group only after the timeout, and reports its first offset", () => {
  const m = new Multiline({
    pattern: /^\s/,
    negate: false,
    match: "after",
    maxLines: 10,
    timeoutMs: 100,
  });
  const out: string[] = [];
  m.line("a", 0, 1000, (t) => out.push(t));
  m.line(" b", 2, 1050, (t) => out.push(t));
  assert.equal(m.pendingOffset, 0);
  m.flush(1100, (t) => out.push(t));
  assert.equal(out.length, 0);
  m.flush(1150, (t) => out.push(t));
  assert.deepEqual(out, ["a\n b"]);
  assert.equal(m.pendingOffset, undefined);
});
