/**
 * Statements (for/if/set/with/macro/call/filter blocks, include, import, extends) against
 * ansible-core 2.14. Table tests/fixtures/templates/oracle/control.yml was recorded with
 * `deno run -A tests/lib/template/record_oracle.ts control` (real ansible-playbook).
 */
import { tableTest } from "./_tables.ts";

tableTest(
  "control",
  "loops, conditionals, macros, includes and inheritance render like ansible-core 2.14",
);
