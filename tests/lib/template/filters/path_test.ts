/**
 * Ansible path filters against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_path.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_path` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest("filters_path", "Ansible path filters render like ansible-core 2.14");
