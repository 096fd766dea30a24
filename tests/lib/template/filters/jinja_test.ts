/**
 * Jinja2's builtin filters against ansible-core 2.14: the table
 * tests/fixtures/templates/oracle/filters_jinja.yml was recorded with
 * `deno run -A tests/lib/template/record_oracle.ts filters_jinja` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest("filters_jinja", "Jinja builtin filters render like ansible-core 2.14");
