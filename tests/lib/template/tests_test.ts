/**
 * Jinja2 and Ansible tests (`x is ...`) against ansible-core 2.14: the table
 * tests/fixtures/templates/oracle/tests.yml was recorded with
 * `deno run -A tests/lib/template/record_oracle.ts tests` (real ansible-playbook).
 */
import { tableTest } from "./_tables.ts";

tableTest("tests", "Jinja and Ansible tests answer like ansible-core 2.14");
