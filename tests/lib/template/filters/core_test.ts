/**
 * Ansible bool/ternary/mandatory/type_debug/comment/quote/split filters against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_core.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_core` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest(
  "filters_core",
  "Ansible bool/ternary/mandatory/type_debug/comment/quote/split filters render like ansible-core 2.14",
);
