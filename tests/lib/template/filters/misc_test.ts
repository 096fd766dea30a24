/**
 * Ansible math, hash, random, time and URL filters against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_misc.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_misc` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest(
  "filters_misc",
  "Ansible math, hash, random, time and URL filters render like ansible-core 2.14",
);
