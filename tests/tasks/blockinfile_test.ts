/** blockinfile: Ansible's recorded behaviour, the runCases table, and edge cases. */
import { blockinfile } from "../../tasks/blockinfile.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("blockinfile edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, blockinfile, "blockinfile");
});
