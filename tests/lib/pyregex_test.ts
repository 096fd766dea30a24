/**
 * The Python-regex module against Python's own answers: `tests/fixtures/pyregex/cases.json` was
 * produced by `python3 tests/fixtures/pyregex/gen.py` (re.finditer, re.match, re.findall,
 * re.subn, and the errors Python raises for patterns and replacement templates).
 */
import assert from "node:assert/strict";
import {
  fromBinary,
  pyEscape,
  pyRegex,
  PyRegexError,
  type PyRegexOptions,
  pyTemplate,
  textToBinary,
  toBinary,
} from "../../lib/pyregex.ts";

interface PyCase {
  pattern: string;
  multiline: boolean;
  dotall: boolean;
  ignorecase: boolean;
  verbose: boolean;
  ascii: boolean;
  bytes: boolean;
  text: string;
  repl: string;
  count: number;
  matches: [number, number, (string | null)[]][];
  match: [number, number] | null;
  findall: (string | string[])[];
  sub: string;
  replaced: number;
}

interface PyError {
  pattern: string;
  repl?: string;
  exact?: boolean;
  kind: string;
  error: string;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/pyregex/cases.json", import.meta.url)),
) as { cases: PyCase[]; errors: PyError[]; template_errors: PyError[] };

/** The case as this module runs it: byte cases on binary strings (spans are byte offsets). */
function prepare(c: PyCase) {
  const options: PyRegexOptions = {
    multiline: c.multiline,
    dotall: c.dotall,
    ignorecase: c.ignorecase,
    verbose: c.verbose,
    ascii: c.ascii,
    bytes: c.bytes,
  };
  const bin = (s: string) => c.bytes ? textToBinary(s) : s;
  return { re: pyRegex(bin(c.pattern), options), text: bin(c.text), repl: bin(c.repl) };
}

/** Python indexes strings by code point; JS by UTF-16 unit. */
function codePointIndex(text: string, unit: number): number {
  return [...text.slice(0, unit)].length;
}

const label = (c: PyCase) =>
  `${c.pattern} ${
    ["multiline", "dotall", "ignorecase", "verbose", "ascii", "bytes"].filter((k) =>
      c[k as keyof PyCase]
    ).join(",")
  } on ${JSON.stringify(c.text)}`;

Deno.test("pyRegex() finds what Python's re.finditer finds", async (t) => {
  for (const c of fixture.cases) {
    await t.step(label(c), () => {
      const { re, text } = prepare(c);
      const got = [...re.finditer(text)].map((m) => [
        codePointIndex(text, m.index),
        codePointIndex(text, m.index + m[0].length),
        m.slice(1).map((g) => g ?? null),
      ]);
      assert.deepEqual(got, c.matches);
    });
  }
});

Deno.test("PyPattern.match() and findall() answer as re.match and re.findall", async (t) => {
  for (const c of fixture.cases) {
    await t.step(label(c), () => {
      const { re, text } = prepare(c);
      const m = re.match(text);
      const span = m &&
        [codePointIndex(text, m.index), codePointIndex(text, m.index + m[0].length)];
      assert.deepEqual(span, c.match);
      assert.deepEqual(re.findall(text), c.findall);
    });
  }
});

Deno.test("PyPattern.subn() gives re.subn's text and count", async (t) => {
  for (const c of fixture.cases) {
    await t.step(`${label(c)} -> ${c.repl}${c.count ? ` (count=${c.count})` : ""}`, () => {
      const { re, text, repl } = prepare(c);
      assert.deepEqual(re.subn(repl, text, { count: c.count }), {
        text: c.sub,
        count: c.replaced,
      });
    });
  }
});

Deno.test("pyRegex() refuses what Python refuses, with Python's message", async (t) => {
  for (const e of fixture.errors) {
    await t.step(e.pattern, () => {
      assert.throws(() => pyRegex(e.pattern), (err: unknown) => {
        assert.ok(err instanceof PyRegexError, `expected a PyRegexError, got ${err}`);
        assert.equal(err.kind, e.kind);
        if (e.exact) assert.equal(err.reason, e.error);
        assert.ok(err.message.includes(JSON.stringify(e.pattern)), err.message);
        return true;
      });
    });
  }
});

Deno.test("PyPattern.subn() checks the template first, as re.sub does", async (t) => {
  for (const e of fixture.template_errors) {
    await t.step(`${e.pattern} -> ${e.repl}`, () => {
      assert.throws(() => pyRegex(e.pattern).subn(e.repl!, "zzz"), (err: unknown) => {
        assert.ok(err instanceof PyRegexError, `expected a PyRegexError, got ${err}`);
        assert.equal(err.kind, e.kind);
        assert.equal(err.reason, e.error);
        return true;
      });
    });
  }
});

Deno.test("pyRegex() with bytes semantics works on binary strings", () => {
  const text = toBinary(new TextEncoder().encode("naïve café\n"));
  // As Python bytes: \w is ASCII, so "ï" (two bytes) splits the word.
  const words = [...pyRegex(String.raw`\w+`, { bytes: true }).finditer(text)].map((m) => m[0]);
  assert.deepEqual(words, ["na", "ve", "caf"]);
  // A non-ASCII literal in the pattern matches its UTF-8 bytes.
  assert.ok(pyRegex(textToBinary("café$"), { bytes: true }).search(text));
  assert.equal(new TextDecoder().decode(fromBinary(text)), "naïve café\n");
  // \u is a text escape; Python refuses it in a bytes pattern.
  assert.throws(() => pyRegex(String.raw`\u00e9`, { bytes: true }), /bad escape \\u/);
});

Deno.test("pyRegex() reports inline (?m) and caches per pattern and options", () => {
  assert.equal(pyRegex("(?m)^a").multiline, true);
  assert.equal(pyRegex("^a").multiline, false);
  assert.equal(pyRegex("a", { ignorecase: true }), pyRegex("a", { ignorecase: true }));
  assert.notEqual(pyRegex("a", { ignorecase: true }), pyRegex("a"));
  assert.deepEqual([...pyRegex("(?P<k>a)(b)").groupindex], [["k", 1]]);
  assert.equal(pyRegex("(?P<k>a)(b)").groups, 2);
  // indices: group spans, as replace's after/before section needs.
  const m = pyRegex("x(?P<s>.*)y", { indices: true }).search("axbcy")!;
  assert.deepEqual(m.indices?.groups?.s, [2, 4]);
});

Deno.test("pyTemplate() expands Python replacement templates", () => {
  const m = /(?<a>x)(y)?/u.exec("x")!;
  assert.equal(pyTemplate(String.raw`\g<a>-\1-\2-\g<0>`)(m), "x-x--x");
  assert.equal(pyTemplate(String.raw`$1 \\ \n`)(m), "$1 \\ \n");
  assert.equal(pyTemplate(String.raw`\%`)(m), "\\%");
  assert.equal(pyTemplate(String.raw`\0\101`)(m), "\0A");
  assert.throws(() => pyTemplate(String.raw`\q`), /bad escape \\q/);
  // Without its pattern, a template's groups are checked when a match is expanded.
  assert.throws(() => pyTemplate(String.raw`\g<nope>`)(m), /unknown group name 'nope'/);
  assert.throws(() => pyTemplate(String.raw`\5`)(m), /invalid group reference 5/);
});

Deno.test("pyEscape() escapes as re.escape does", () => {
  assert.equal(pyEscape("a.b*c[d] e-f_g/h\t"), "a\\.b\\*c\\[d\\]\\ e\\-f_g/h\\\t");
  const special = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  assert.equal(pyRegex(pyEscape(special)).match(special)?.[0], special);
});
