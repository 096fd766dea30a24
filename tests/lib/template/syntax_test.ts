/**
 * Expressions, operators, literals, Python printing and methods, lazily templated vars, and
 * whitespace control against ansible-core 2.14. Tables tests/fixtures/templates/oracle/syntax.yml
 * and whitespace.yml were recorded with
 * `deno run -A tests/lib/template/record_oracle.ts syntax whitespace` (real ansible-playbook).
 */
import { tableTest } from "./_tables.ts";

tableTest("syntax", "expressions and Python values render like ansible-core 2.14");
tableTest("whitespace", "whitespace control and newlines render like ansible-core 2.14");
