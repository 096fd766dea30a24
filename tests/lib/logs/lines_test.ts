import assert from "node:assert/strict";
import { LineSplitter } from "../../../lib/logs/lines.ts";

const enc = new TextEncoder();

/** Feeds byte chunks through a splitter and collects [text, offset] pairs. */
function split(
  chunks: (string | Uint8Array)[],
  options: { max?: number; long?: "split" | "truncate"; ranges?: boolean } = {},
): { lines: [string, number][]; s: LineSplitter } {
  const s = new LineSplitter(0, {
    maxLineBytes: options.max ?? 1024,
    longLines: options.long ?? "split",
  });
  const lines: [string, number][] = [];
  for (const c of chunks) {
    const bytes = typeof c === "string" ? enc.encode(c) : c;
    const base = s.lineStart;
    const { buffer, at } = s.prepare((min) => new Uint8Array(Math.max(min, 64)), bytes.length);
    buffer.set(bytes, at);
    if (options.ranges) {
      s.commitRanges(buffer, bytes.length, (a, b) => {
        lines.push([new TextDecoder().decode(buffer.subarray(a, b)), base + a]);
      });
    } else {
      s.commit(buffer, bytes.length, (text, offset) => lines.push([text, offset]));
    }
  }
  return { lines, s };
}

for (const ranges of [false, true]) {
  const mode = ranges ? "commitRanges()" : "commit()";

  Deno.test(`LineSplitter.${mode} gives each line with the byte offset of its first byte`, () => {
    const { lines, s } = split(["ab\ncd", "e\n\nf\r\ng"], { ranges });
    assert.deepEqual(lines, [["ab", 0], ["cde", 3], ["", 7], ["f", 8]]);
    assert.equal(s.lineStart, 11, "the unfinished line 'g' is not consumed");
    assert.equal(s.pending, 1);
    assert.equal(s.readOffset, 12);
  });

  Deno.test(`LineSplitter.${mode} splits a line longer than max_line_bytes, counted`, () => {
    const { lines, s } = split(["0123456789abc\nxy\n"], { max: 5, ranges });
    assert.deepEqual(lines, [["01234", 0], ["56789", 5], ["abc", 10], ["xy", 14]]);
    assert.equal(s.stats.long, 1);
  });

  Deno.test(`LineSplitter.${mode} truncates long lines and skips their rest`, () => {
    const { lines } = split(["0123456789", "abcdef", "ghi\nok\n"], {
      max: 4,
      long: "truncate",
      ranges,
    });
    assert.deepEqual(lines.map((l) => l[0]), ["0123", "ok"]);
    assert.equal(lines[1]![1], 20);
  });

  Deno.test(`LineSplitter.${mode} never stalls on a newline-less stream`, () => {
    const chunks = Array.from({ length: 10 }, () => "x".repeat(7));
    const { lines, s } = split(chunks, { max: 16, ranges });
    assert.ok(lines.length >= 3);
    assert.ok(s.pending <= 16);
    assert.equal(lines.map((l) => l[0]).join("").length + s.pending, 70);
  });

  Deno.test(`LineSplitter.${mode} does not cut a UTF-8 character when splitting`, () => {
    const { lines } = split(["ééééé\n"], { max: 3, ranges });
    assert.deepEqual(lines.map((l) => l[0]), ["é", "é", "é", "é", "é"]);
    assert.deepEqual(lines.map((l) => l[1]), [0, 2, 4, 6, 8]);
  });
}

Deno.test("LineSplitter.commit() replaces invalid UTF-8 and keeps offsets in bytes", () => {
  const bytes = new Uint8Array([0x61, 0xff, 0x62, 0x0a, 0xc3, 0xa9, 0x0a, 0x7a, 0x0a]);
  const { lines, s } = split([bytes]);
  assert.deepEqual(lines, [["a\uFFFDb", 0], ["é", 4], ["z", 7]]);
  assert.equal(s.stats.invalidUtf8, 1);
});

Deno.test("LineSplitter.commit() decodes multibyte lines split across chunks", () => {
  const all = enc.encode("héllo wörld\nnext\n");
  const { lines } = split([all.subarray(0, 2), all.subarray(2, 13), all.subarray(13)]);
  assert.deepEqual(lines, [["héllo wörld", 0], ["next", 14]]);
});

Deno.test("LineSplitter.flush() emits the unfinished last line once", () => {
  const { lines, s } = split(["a\nb\r"]);
  const out: [string, number][] = [];
  s.flush((t, o) => out.push([t, o]));
  s.flush((t, o) => out.push([t, o]));
  assert.deepEqual([...lines, ...out], [["a", 0], ["b", 2]]);
  assert.equal(s.lineStart, 4);
});

Deno.test("LineSplitter handles many lines spread over large chunks", () => {
  let text = "";
  for (let i = 0; i < 5000; i++) text += `line ${i} ${"x".repeat(i % 50)}\n`;
  const bytes = enc.encode(text);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 7777) chunks.push(bytes.subarray(i, i + 7777));
  for (const ranges of [false, true]) {
    const { lines } = split(chunks, { ranges });
    assert.equal(lines.length, 5000);
    let off = 0;
    for (let i = 0; i < 5000; i++) {
      assert.equal(lines[i]![1], off);
      assert.ok(lines[i]![0].startsWith(`line ${i} `));
      off += lines[i]![0].length + 1;
    }
  }
});
