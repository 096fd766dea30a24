/** Python's shlex.split, as command, script, validate and the pipe lookup use it. */
import assert from "node:assert/strict";
import { shellJoin, shellQuote, ShlexError, shlexSplit } from "../../lib/shlex.ts";

Deno.test("shlexSplit() splits as Python's shlex.split", () => {
  // Expected values printed by python3 -c 'import shlex; print(shlex.split(s))'.
  const table: [string, string[]][] = [
    ["echo hi", ["echo", "hi"]],
    [`printf '%s|' "a b" c`, ["printf", "%s|", "a b", "c"]],
    [String.raw`a\ b "c\"d" 'e\f'`, ["a b", 'c"d', "e\\f"]],
    ['x="1 2" y', ["x=1 2", "y"]],
    [`"" '' z`, ["", "", "z"]],
    ['a"b"c', ["abc"]],
    ["tab\there", ["tab", "here"]],
    [String.raw`echo "$HOME" \$x`, ["echo", "$HOME", "$x"]],
    ["a # b", ["a", "#", "b"]],
    ["a\\\nb", ["a\nb"]],
    [String.raw`"a\$b"`, ["a\\$b"]],
    ["a\x0bb c\u00a0d", ["a\x0bb", "c\u00a0d"]],
  ];
  for (const [input, want] of table) assert.deepEqual(shlexSplit(input), want, input);
});

Deno.test("shlexSplit() refuses what Python refuses, naming the text", () => {
  assert.throws(() => shlexSplit('"open'), (e: unknown) => {
    assert.ok(e instanceof ShlexError);
    assert.equal(e.reason, "No closing quotation");
    assert.equal(e.message, 'No closing quotation in: "open');
    return true;
  });
  assert.throws(() => shlexSplit("it's"), /No closing quotation/);
  assert.throws(() => shlexSplit("esc\\"), /No escaped character in: esc\\/);
});

Deno.test("shellQuote() and shellJoin() quote as Python's shlex.quote and shlex.join", () => {
  // Expected values printed by python3 -c 'import shlex; print(shlex.quote(s))'.
  const table: [string, string][] = [
    ["plain/path-1.0:x=y,z@%+", "plain/path-1.0:x=y,z@%+"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", `'it'"'"'s'`],
    ["$HOME", "'$HOME'"],
    ["é", "'é'"],
    ["a\nb", "'a\nb'"],
  ];
  for (const [input, want] of table) assert.equal(shellQuote(input), want, input);
  assert.equal(shellJoin(["printf", "%s|", "a b", "it's"]), `printf '%s|' 'a b' 'it'"'"'s'`);
  // The join splits back into the same argv.
  assert.deepEqual(shlexSplit(shellJoin(["x y", "it's", ""])), ["x y", "it's", ""]);
});
