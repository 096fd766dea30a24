/**
 * Ansible encoding filters (base64, JSON, YAML) against ansible-core 2.14: the table tests/fixtures/templates/oracle/filters_encoding.yml was
 * recorded with `deno run -A tests/lib/template/record_oracle.ts filters_encoding` (real ansible-playbook).
 */
import { tableTest } from "../_tables.ts";
import assert from "node:assert/strict";
import { jsonDecodeError } from "../../../../lib/template/filters/_json.ts";

tableTest(
  "filters_encoding",
  "Ansible encoding filters (base64, JSON, YAML) render like ansible-core 2.14",
);

Deno.test("from_json refuses what Python's json refuses, in its words and position", () => {
  // Expected: str(e) of python3 -c 'import json; json.loads(s)' (Python 3.11, Debian 12).
  const table: [string, string][] = [
    ["", "Expecting value: line 1 column 1 (char 0)"],
    ["{bad json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ['{"a": }', "Expecting value: line 1 column 7 (char 6)"],
    ['{"a": 1 "b": 2}', "Expecting ',' delimiter: line 1 column 9 (char 8)"],
    ['{"a": 1,}', "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)"],
    ["[1,]", "Expecting value: line 1 column 4 (char 3)"],
    ["[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"],
    ['"abc', "Unterminated string starting at: line 1 column 1 (char 0)"],
    ['"a\\qb"', "Invalid \\escape: line 1 column 3 (char 2)"],
    ['"a\\u12g4"', "Invalid \\uXXXX escape: line 1 column 4 (char 3)"],
    ['"a\tb"', "Invalid control character at: line 1 column 3 (char 2)"],
    ["1 2", "Extra data: line 1 column 3 (char 2)"],
    ["nul", "Expecting value: line 1 column 1 (char 0)"],
    ["\n\n  {x", "Expecting property name enclosed in double quotes: line 3 column 4 (char 5)"],
    ["01", "Extra data: line 1 column 2 (char 1)"],
    ["{'a': 1}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"],
    ["[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ];
  for (const [text, want] of table) assert.equal(jsonDecodeError(text), want, JSON.stringify(text));
  for (const ok of ['{"a": [1, 2.5, "x\\u00e9"]}', "NaN", "[-Infinity, null]"]) {
    assert.equal(jsonDecodeError(ok), undefined, ok);
  }
});
