/** replace: Ansible's recorded behaviour, the runCases table, and edge cases. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { replace } from "../../tasks/replace.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("replace edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, replace, "replace");
});

Deno.test("replace converges (runCases)", async (t) => {
  const put = (root: string, name: string, data: string | Uint8Array) =>
    typeof data === "string"
      ? Deno.writeTextFile(join(root, name), data)
      : Deno.writeFile(join(root, name), data);
  await runCases(t, replace, [
    {
      name: "named groups and \\g<name>",
      params: { path: "/f", regexp: "(?P<k>\\w+) = (?P<v>\\w+)", replace: "\\g<k>=\\g<v>" },
      setup: (root) => put(root, "f", "a = 1\nb = 2\n"),
      summaries: ["2 replacements in /f"],
      changes: (c) => assert.equal(c[0]!.diff!.after, "a=1\nb=2\n"),
    },
    {
      name: "nothing to replace",
      params: { path: "/f", regexp: "^zzz$", replace: "y" },
      setup: (root) => put(root, "f", "a\n"),
      summaries: [],
    },
    {
      name: "only between after and before",
      params: { path: "/f", regexp: "^on$", replace: "off", after: "\\[b\\]", before: "\\[c\\]" },
      setup: (root) => put(root, "f", "[a]\non\n[b]\non\n[c]\non\n"),
      summaries: ["1 replacement in /f"],
      check: async (real) =>
        assert.equal(await Deno.readTextFile(real("/f")), "[a]\non\n[b]\noff\n[c]\non\n"),
    },
    {
      name: "latin-1 files with encoding",
      params: { path: "/f", regexp: "caf\u00e9", replace: "tea", encoding: "latin-1" },
      setup: (root) => put(root, "f", new Uint8Array([99, 97, 102, 0xe9, 10])),
      summaries: ["1 replacement in /f"],
      check: async (real) =>
        assert.deepEqual(await Deno.readFile(real("/f")), new TextEncoder().encode("tea\n")),
    },
    {
      name: "not UTF-8 without encoding fails",
      params: { path: "/f", regexp: "x" },
      setup: (root) => put(root, "f", new Uint8Array([0xff, 10])),
      summaries: [],
      throws: /not valid UTF-8; set encoding/,
    },
    {
      name: "a missing file fails",
      params: { path: "/nope", regexp: "x" },
      summaries: [],
      throws: /Path \/nope does not exist !/,
    },
    {
      name: "mode with no content change",
      params: { path: "/f", regexp: "zzz", mode: "0600" },
      setup: async (root) => {
        await put(root, "f", "a\n");
        await Deno.chmod(join(root, "f"), 0o644);
      },
      summaries: ["chmod 0644 -> 0600 /f"],
    },
  ]);
});

Deno.test("replace schema: Python syntax errors are reported before any run", () => {
  const issue = (p: Record<string, unknown>) =>
    replace.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(issue({ path: "/f", regexp: "(?P<a>x" })!, /missing \), unterminated subpattern/);
  assert.match(issue({ path: "/f", regexp: "x", replace: "\\q" })!, /bad escape \\q/);
  // re.subn checks the template's groups against the pattern, even when nothing matches.
  assert.match(issue({ path: "/f", regexp: "(x)", replace: "\\2" })!, /invalid group reference 2/);
  assert.equal(issue({ path: "/f", regexp: "(?P<k>x)", replace: "\\g<k>\\1" }), undefined);
  assert.match(issue({ path: "/f", regexp: "x", encoding: "utf-16" })!, /Invalid option/);
  assert.equal(issue({ path: "/f", regexp: "x", encoding: "Latin-1" }), undefined);
});
