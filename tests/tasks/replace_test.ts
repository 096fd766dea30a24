/** replace: Ansible's recorded behaviour, the runCases table, and edge cases. */
import { replace } from "../../tasks/replace.ts";
import { replayAnsible } from "./_ansible.ts";

Deno.test("replace edits files exactly as ansible-core 2.14 does", async (t) => {
  await replayAnsible(t, replace, "replace");
});
