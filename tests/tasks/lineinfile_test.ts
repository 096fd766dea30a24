/** lineinfile: Ansible's recorded behaviour, the runCases table, and edge cases. */
import assert from "node:assert/strict";
import { lineinfile } from "../../tasks/lineinfile.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("lineinfile edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, lineinfile, "lineinfile", {
    "insertafter the last line without newline": {
      after: "a\nb\nc\n",
      why: "Ansible writes a\nbc\n (the new line glued onto the unterminated last one), " +
        "and appends c again on the next run",
    },
  });
});

Deno.test("lineinfile schema checks what Ansible checks", () => {
  const bad = (p: Record<string, unknown>) =>
    lineinfile.schema.safeParse(p).error?.issues[0]?.message;
  assert.match(bad({ path: "/x" })!, /line is required/);
  assert.match(
    bad({ path: "/x", line: "a", insertafter: "a", insertbefore: "b" })!,
    /mutually exclusive/,
  );
  assert.match(bad({ path: "/x", line: "a", backrefs: true })!, /regexp is required/);
  assert.match(bad({ path: "/x", state: "absent" })!, /one of line, search_string, or regexp/);
  assert.match(bad({ path: "/x", line: "a", regexp: "(" })!, /missing \), unterminated subpattern/);
  assert.equal(bad({ dest: "/x", value: "a", regex: "^a" }), undefined);
});
