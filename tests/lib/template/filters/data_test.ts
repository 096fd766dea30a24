/**
 * Ansible dict and list filters against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_data.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_data` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest("filters_data", "Ansible dict and list filters render like ansible-core 2.14");
