/**
 * Config-file idioms (sshd, hosts, systemd units, haproxy, nested macros, filter chains)
 * against ansible-core 2.14: the table tests/fixtures/templates/oracle/realistic.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts realistic` (real ansible-playbook).
 */
import { tableTest } from "./_tables.ts";

tableTest("realistic", "config-file templates render byte for byte like ansible-core 2.14");
