/**
 * The Python-regex translator against Python's own answers: `tests/fixtures/tasks/pyre/cases.json`
 * was produced by `python3 tests/fixtures/tasks/pyre/gen.py` (re.finditer spans and re.subn).
 */
import assert from "node:assert/strict";
import {
  fromBinary,
  pyRegex,
  pySub,
  pyTemplate,
  textToBinary,
  toBinary,
} from "../../tasks/_pyre.ts";

interface PyCase {
  pattern: string;
  multiline: boolean;
  dotall: boolean;
  text: string;
  repl: string;
  matches: [number, number, (string | null)[]][];
  sub: string;
  count: number;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/tasks/pyre/cases.json", import.meta.url)),
) as { cases: PyCase[]; errors: { pattern: string; error: string | null }[] };

/** Python indexes strings by code point; JS by UTF-16 unit. */
function codePointIndex(text: string, unit: number): number {
  return [...text.slice(0, unit)].length;
}

Deno.test("pyRegex() matches where Python's re matches", async (t) => {
  for (const c of fixture.cases) {
    await t.step(`${c.pattern} on ${JSON.stringify(c.text)}`, () => {
      const { regex } = pyRegex(c.pattern, {
        multiline: c.multiline,
        dotall: c.dotall,
        global: true,
      });
      const got = [...c.text.matchAll(regex)].map((m) => [
        codePointIndex(c.text, m.index),
        codePointIndex(c.text, m.index + m[0].length),
        m.slice(1).map((g) => g ?? null),
      ]);
      assert.deepEqual(got, c.matches);
    });
  }
});

Deno.test("pySub() gives re.subn's text and count", async (t) => {
  for (const c of fixture.cases) {
    await t.step(`${c.pattern} -> ${c.repl}`, () => {
      const { regex } = pyRegex(c.pattern, {
        multiline: c.multiline,
        dotall: c.dotall,
        global: true,
      });
      assert.deepEqual(pySub(regex, c.repl, c.text), { text: c.sub, count: c.count });
    });
  }
});

Deno.test("pyRegex() refuses what Python refuses, naming the problem", async (t) => {
  for (const e of fixture.errors) {
    await t.step(e.pattern, () => {
      // Python's message starts with the same words (the position may differ).
      const words = e.error!.replace(/ at position \d+$/, "").replace(/ \d+$/, "");
      assert.throws(() => pyRegex(e.pattern), (err: Error) => {
        assert.match(err.message, new RegExp(words.split(" ")[0]!, "i"));
        return true;
      });
    });
  }
});

Deno.test("pyRegex() with bytes semantics works on binary strings", () => {
  const text = toBinary(new TextEncoder().encode("naïve café\n"));
  // As Python bytes: \w is ASCII, so "ï" (two bytes) splits the word.
  const words = [...text.matchAll(pyRegex(String.raw`\w+`, { bytes: true, global: true }).regex)]
    .map((m) => m[0]);
  assert.deepEqual(words, ["na", "ve", "caf"]);
  // A non-ASCII literal in the pattern matches its UTF-8 bytes.
  const re = pyRegex(textToBinary("café$"), { bytes: true }).regex;
  assert.ok(re.test(text));
  assert.equal(new TextDecoder().decode(fromBinary(text)), "naïve café\n");
});

Deno.test("pyTemplate() expands Python replacement templates", () => {
  const m = /(?<a>x)(y)?/.exec("x")!;
  assert.equal(pyTemplate(String.raw`\g<a>-\1-\2-\g<0>`)(m), "x-x--x");
  assert.equal(pyTemplate(String.raw`$1 \\ \n`)(m), "$1 \\ \n");
  assert.equal(pyTemplate(String.raw`\%`)(m), "\\%");
  assert.throws(() => pyTemplate(String.raw`\q`), /bad escape \\q/);
  assert.throws(() => pyTemplate(String.raw`\g<nope>`)(m), /unknown group name/);
});
