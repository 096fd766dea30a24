/**
 * Lookups (lookup/query/q, errors=, wantlist=) against ansible-core 2.14: the table
 * tests/fixtures/templates/oracle/lookups.yml was recorded with
 * `deno run -A tests/lib/template/record_oracle.ts lookups` (real ansible-playbook). The pipe
 * and lines cases run real commands; the password cases use /dev/null with a seed.
 */
import { tableTest } from "./_tables.ts";

tableTest("lookups", "lookups return what ansible-core 2.14 returns");
