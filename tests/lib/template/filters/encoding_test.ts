/**
 * Ansible encoding filters (base64, JSON, YAML) against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_encoding.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_encoding` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";

tableTest(
  "filters_encoding",
  "Ansible encoding filters (base64, JSON, YAML) render like ansible-core 2.14",
);
