/** SHA-crypt: the system's libcrypt (as Ansible reaches it) and the node:crypto fallback agree. */
import assert from "node:assert/strict";
import { shaCrypt, shaCryptJs, systemCrypt } from "../../../lib/template/crypt.ts";

// python3 -c 'import crypt; print(crypt.crypt("secret", "$6$rounds=1000$abcdefgh"))' (glibc)
const RECORDED = "$6$rounds=1000$abcdefgh$" +
  "nhYjN017qxiYztzyUpZtPnUQcnLy62KsunSLHNeLahp2EHPlAKmFFlrjEwSXGo2kgY5hR2.peKEg2VGUqIJJu1";

Deno.test("shaCryptJs() gives glibc's crypt(3) hash", () => {
  assert.equal(shaCryptJs("sha512", "secret", "abcdefgh", 1000), RECORDED);
});

Deno.test("systemCrypt() (libcrypt over FFI) and shaCryptJs() agree on every setting", () => {
  assert.ok(systemCrypt("secret", "$6$rounds=1000$abcdefgh"), "libcrypt.so.1 loads under -A");
  const cases: ["sha256" | "sha512", string, string, number | null][] = [
    ["sha512", "secret", "abcdefgh", 1000],
    ["sha512", "", "saltsaltsaltsalt", null],
    ["sha256", "pässwörd with spaces", "./AZaz09", 5000],
    ["sha256", "x".repeat(200), "s", 999],
    ["sha512", "tab\tand $dollar", "abc", 1234],
  ];
  for (const [algo, pw, salt, rounds] of cases) {
    const js = shaCryptJs(algo, pw, salt, rounds);
    assert.equal(shaCrypt(algo, pw, salt, rounds), js, `${algo} ${JSON.stringify(pw)} ${rounds}`);
  }
  // A NUL cannot pass through C: the JavaScript path takes it.
  assert.equal(systemCrypt("a\0b", "$6$abc"), undefined);
  assert.equal(shaCrypt("sha512", "a\0b", "abc", null), shaCryptJs("sha512", "a\0b", "abc", null));
});
