/** blockinfile: Ansible's recorded behaviour, the runCases table, and edge cases. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { blockinfile } from "../../tasks/blockinfile.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("blockinfile edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, blockinfile, "blockinfile");
});

Deno.test("blockinfile converges (runCases)", async (t) => {
  const put = (root: string, name: string, text: string) =>
    Deno.writeTextFile(join(root, name), text);
  await runCases(t, blockinfile, [
    {
      name: "insert, with the markers around the block",
      params: { path: "/hosts", block: "10.0.0.1 db\n10.0.0.2 web" },
      setup: (root) => put(root, "hosts", "127.0.0.1 localhost\n"),
      summaries: ["insert block in /hosts"],
      check: async (real) =>
        assert.equal(
          await Deno.readTextFile(real("/hosts")),
          "127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 db\n10.0.0.2 web\n" +
            "# END ANSIBLE MANAGED BLOCK\n",
        ),
    },
    {
      name: "update in place (alias content, dest)",
      params: { dest: "/f", content: "new" },
      setup: (root) =>
        put(root, "f", "a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nz\n"),
      summaries: ["update block in /f"],
      changes: (c) => assert.match(c[0]!.diff!.after, /^a\n# BEGIN .*\nnew\n# END .*\nz\n$/),
    },
    {
      name: "two blocks with their own markers stay apart",
      params: { path: "/f", block: "two", marker: "# {mark} two" },
      setup: (root) => put(root, "f", "# BEGIN one\none\n# END one\n"),
      summaries: ["insert block in /f"],
      check: async (real) =>
        assert.equal(
          await Deno.readTextFile(real("/f")),
          "# BEGIN one\none\n# END one\n# BEGIN two\ntwo\n# END two\n",
        ),
    },
    {
      name: "remove",
      params: { path: "/f", state: "absent" },
      setup: (root) =>
        put(root, "f", "a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n"),
      summaries: ["remove block from /f"],
    },
    {
      name: "create with a mode",
      params: { path: "/new", block: "x", create: true, mode: "0640" },
      summaries: ["create /new with the block"],
      check: async (real) => assert.equal((await Deno.stat(real("/new"))).mode! & 0o777, 0o640),
    },
    { name: "absent and no file", params: { path: "/none", state: "absent" }, summaries: [] },
    {
      name: "insertafter a regex",
      params: { path: "/f", block: "k=v", insertafter: "^\\[main\\]" },
      setup: (root) => put(root, "f", "[main]\nx=1\n[other]\n"),
      summaries: ["insert block in /f"],
      check: async (real) =>
        assert.match(
          await Deno.readTextFile(real("/f")),
          /^\[main\]\n# BEGIN .*\nk=v\n# END .*\nx=1\n/,
        ),
    },
  ]);
});

Deno.test("blockinfile schema: exclusive insert points, valid regexes", () => {
  const issue = (p: Record<string, unknown>) =>
    blockinfile.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(issue({ path: "/f", insertafter: "a", insertbefore: "b" })!, /mutually exclusive/);
  assert.match(issue({ path: "/f", insertafter: "(" })!, /missing \)/);
  assert.match(issue({ path: "/f", block: "a", content: "b" })!, /aliases/);
});
