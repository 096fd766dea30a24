/**
 * `deno bench -A bench/password_hash_bench.ts`: Ansible's `password_hash('sha512')` at its
 * default 656,000 rounds (passlib's), through the template engine, with a fixed salt so every
 * run hashes the same input; beside it the node:crypto fallback that runs when FFI is not
 * allowed. SHA-crypt is one hash per round. The peer is glibc's crypt(3), which Ansible reaches
 * through Python: `python3 -c 'import crypt; crypt.crypt("secret", "$6$rounds=656000$abcdefgh")'`.
 */
import { renderTemplate } from "../lib/template/engine.ts";
import { shaCryptJs } from "../lib/template/crypt.ts";

Deno.bench("password_hash('sha512') at 656000 rounds (libcrypt)", { baseline: true }, async () => {
  await renderTemplate("{{ 'secret' | password_hash('sha512', 'abcdefgh') }}", {});
});

Deno.bench("SHA-512-crypt at 656000 rounds on node:crypto (no --allow-ffi)", () => {
  shaCryptJs("sha512", "secret", "abcdefgh", 656000);
});
