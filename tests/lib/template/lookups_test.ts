/**
 * Lookups (lookup/query/q, errors=, wantlist=) against ansible-core 2.14: the table
 * tests/fixtures/templates/oracle/lookups.yml was recorded with
 * `deno run -A tests/lib/template/record_oracle.ts lookups` (real ansible-playbook). The pipe
 * and lines cases run real commands; the password cases use /dev/null with a seed.
 */
import assert from "node:assert/strict";
import { renderTemplate, TemplateError } from "../../../lib/template/engine.ts";
import { tableTest } from "./_tables.ts";

tableTest("lookups", "lookups return what ansible-core 2.14 returns");

Deno.test("pipe runs the command without a shell unless shell=True, with a timeout", async () => {
  // Without a shell, `;` and `$HOME` reach echo as plain arguments.
  assert.equal(
    await renderTemplate("{{ lookup('pipe', 'echo a; echo $HOME') }}", {}),
    "a; echo $HOME",
  );
  assert.equal(
    await renderTemplate("{{ lookup('pipe', 'echo a; echo b', shell=True) }}", {}),
    "a\nb",
  );
  assert.equal(
    await renderTemplate(`{{ lookup('pipe', 'printf "%s|" "two words" x') }}`, {}),
    "two words|x|",
  );
  const user = "x'; touch /tmp/driftless-pwned; echo '";
  assert.equal(
    await renderTemplate("{{ lookup('pipe', 'echo ' ~ (u | quote)) }}", { u: user }),
    user,
  );
  await assert.rejects(
    renderTemplate("{{ lookup('pipe', 'sleep 5', timeout=0.2) }}", {}),
    (e: unknown) => e instanceof TemplateError && /timed out after 0\.2s/.test(e.message),
  );
  await assert.rejects(
    renderTemplate("{{ lookup('pipe', 'no-such-command-zz') }}", {}),
    /could not run/,
  );
});

Deno.test("password creates the file once (0600 in a 0700 dir) and then returns what it holds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_password_" });
  try {
    const t = "{{ lookup('password', 'creds/db length=12 chars=digits') }}";
    const first = await renderTemplate(t, {}, { searchPath: [dir] });
    assert.match(first, /^\d{12}$/);
    assert.equal(await Deno.readTextFile(`${dir}/creds/db`), `${first}\n`);
    assert.equal((await Deno.stat(`${dir}/creds/db`)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${dir}/creds`)).mode! & 0o777, 0o700);
    assert.equal(
      await renderTemplate(t, {}, { searchPath: [dir] }),
      first,
      "the stored password is reused",
    );
    const enc = "{{ lookup('password', 'creds/hashed encrypt=sha512_crypt') }}";
    const hash = await renderTemplate(enc, {}, { searchPath: [dir] });
    assert.match(hash, /^\$6\$rounds=656000\$[./0-9A-Za-z]{16}\$/);
    assert.match(
      await Deno.readTextFile(`${dir}/creds/hashed`),
      /^\S{20} salt=[./0-9A-Za-z]{16}\n$/,
    );
    assert.equal(
      await renderTemplate(enc, {}, { searchPath: [dir] }),
      hash,
      "same password and salt",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
