/**
 * Ansible regex filters and regex tests against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_regex.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_regex` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest("filters_regex", "Ansible regex filters and regex tests render like ansible-core 2.14");
