/** fnmatch patterns against Python's own answers. */
import assert from "node:assert/strict";
import { fnmatchRegex } from "../../lib/fnmatch.ts";

// Recorded with python3 -c 'import fnmatch; [n for n in NAMES if fnmatch.fnmatchcase(n, p)]'.
const NAMES = [
  "app.log",
  ".log",
  "abc",
  "a/c",
  "abc.log",
  "ax",
  "dx",
  "]x",
  "b",
  "-",
  "^",
  "a",
  "[",
  "\\\\",
  "a[",
  "",
  "x",
  "ac",
  "xdy",
  "d",
  "e",
  "f",
  "éa",
  "é😀",
  "ü",
  "a.b",
  "axb",
  "a+b",
  "(x)",
  "{a}",
  "&",
  "!",
  "é",
];
const TABLE: [string, string[]][] = [
  ["*.log", ["app.log", ".log", "abc.log"]],
  ["a?c", ["abc", "a/c"]],
  ["[abc]x", ["ax"]],
  ["[!abc]x", ["dx", "]x"]],
  ["[a-c]", ["b", "a"]],
  ["[z-a]", []],
  ["[]a]", ["a"]],
  ["[!]a]", ["b", "-", "^", "[", "x", "d", "e", "f", "ü", "&", "!", "é"]],
  ["[a-]", ["-", "a"]],
  ["[-a]", ["-", "a"]],
  ["[^a]", ["^", "a"]],
  ["[[]", ["["]],
  ["[\\\\]", []],
  ["a[", ["a["]],
  ["*", NAMES],
  ["", [""]],
  ["[!]", []],
  ["[]", []],
  ["x[a-c-e]y", []],
  ["[a-c-e]", ["b", "-", "a", "e"]],
  ["a*b*c", ["abc"]],
  ["é?", ["éa", "é😀"]],
  ["[é-ü]", ["ü", "é"]],
  ["a.b", ["a.b"]],
  ["a+b", ["a+b"]],
  ["(x)", ["(x)"]],
  ["{a}", ["{a}"]],
  ["[a&&b]", ["b", "a", "&"]],
  ["[!a-c]", ["-", "^", "[", "x", "d", "e", "f", "ü", "&", "!", "é"]],
];

Deno.test("fnmatchRegex() matches what Python's fnmatch matches", () => {
  for (const [pattern, want] of TABLE) {
    const re = fnmatchRegex(pattern);
    assert.deepEqual(NAMES.filter((n) => re.test(n)), want, pattern);
  }
});
