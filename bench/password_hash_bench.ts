/**
 * `deno bench -A bench/password_hash_bench.ts`: Ansible's `password_hash('sha512')` at its
 * default 656,000 rounds (passlib's), through the template engine, with a fixed salt so every
 * run hashes the same input. SHA-crypt is one hash per round, so this is the per-hash cost of
 * node:crypto from JavaScript. The peer is glibc's crypt(3), as Python reaches it:
 * `python3 -c 'import crypt; crypt.crypt("secret", "$6$rounds=656000$abcdefgh")'`.
 */
import { renderTemplate } from "../lib/template/engine.ts";

Deno.bench("password_hash('sha512') at 656000 rounds", async () => {
  await renderTemplate("{{ 'secret' | password_hash('sha512', 'abcdefgh') }}", {});
});

Deno.bench("password_hash('sha256') at 535000 rounds", async () => {
  await renderTemplate("{{ 'secret' | password_hash('sha256', 'abcdefgh') }}", {});
});
