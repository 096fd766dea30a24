import assert from "node:assert/strict";
import { interpolate, Redactor, secretSource, substitute } from "../../lib/secrets.ts";
import { loadConfig } from "../../lib/config/loader.ts";
import { readEnvFile } from "../../lib/config/env_file.ts";
import { ConfigError, formatIssue } from "../../lib/errors.ts";
import { writeTree } from "../_helpers/cli.ts";

const source = (values: Record<string, string>) => secretSource(values);

Deno.test("interpolate() fills ${NAME} and ${NAME:-default}, and $${ escapes", () => {
  const s = source({ DB_PASS: "hunter22" });
  assert.equal(interpolate("pw=${DB_PASS}", s), "pw=hunter22");
  assert.equal(interpolate("${DRIFTLESS_TEST_UNSET:-fallback}", s), "fallback");
  assert.equal(interpolate("${DRIFTLESS_TEST_UNSET:-}", s), "");
  assert.equal(
    interpolate("literal $${DB_PASS} and ${DB_PASS}", s),
    "literal ${DB_PASS} and hunter22",
  );
  assert.equal(interpolate("no placeholders $HOME {x}", s), "no placeholders $HOME {x}");
});

Deno.test("interpolate() registers substituted values, not defaults, with the redactor", () => {
  const r = new Redactor();
  interpolate("${A}:${B:-public-default}", source({ A: "s3cr3t-value" }), { redactor: r });
  assert.equal(r.redact("a=s3cr3t-value b=public-default"), "a=[redacted] b=public-default");
});

Deno.test("secretSource() prefers the process environment over the env file", () => {
  Deno.env.set("DRIFTLESS_TEST_PRECEDENCE", "from-env");
  try {
    const s = source({ DRIFTLESS_TEST_PRECEDENCE: "from-file", ONLY_FILE: "file-value" });
    assert.equal(s.get("DRIFTLESS_TEST_PRECEDENCE"), "from-env");
    assert.equal(s.get("ONLY_FILE"), "file-value");
  } finally {
    Deno.env.delete("DRIFTLESS_TEST_PRECEDENCE");
  }
});

Deno.test("substitute() reports missing variables with their key path", () => {
  const { value, missing } = substitute(
    {
      db: { url: "postgres://u:${DRIFTLESS_TEST_MISSING}@h/db" },
      list: ["${DRIFTLESS_TEST_MISSING2}"],
    },
    source({}),
  );
  assert.deepEqual(missing.map((m) => [m.name, m.path]), [
    ["DRIFTLESS_TEST_MISSING", ["db", "url"]],
    ["DRIFTLESS_TEST_MISSING2", ["list", 0]],
  ]);
  assert.deepEqual((value as { list: string[] }).list, ["${DRIFTLESS_TEST_MISSING2}"]);
});

Deno.test("Redactor.redact() replaces longest values first and skips tiny ones", () => {
  const r = new Redactor();
  r.add("abc");
  r.add("abcdef");
  assert.equal(r.add("x"), false);
  assert.equal(r.redact("abcdef abc x"), "[redacted] [redacted] x");
  assert.deepEqual(r.redactValue({ a: ["abc", 1], b: { c: "zabcz" } }), {
    a: ["[redacted]", 1],
    b: { c: "z[redacted]z" },
  });
});

Deno.test("loadConfig() names the file and key of a missing variable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, { "agent.yml": "audit:\n  dir: ${DRIFTLESS_TEST_NOPE}/audit\n" });
    await assert.rejects(loadConfig(dir), (e: ConfigError) => {
      assert.equal(
        formatIssue(e.issues[0]!),
        "agent.yml:2:8 audit.dir: ${DRIFTLESS_TEST_NOPE} is not set in the environment, and there is no env file; " +
          "set it, or give a default: ${DRIFTLESS_TEST_NOPE:-value}",
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig() fills variables from the env file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, {
      "config/vars.yml": "token: ${API_TOKEN}\nregion: ${REGION:-eu-west-1}\n",
      "env": 'export API_TOKEN="tok-123456"\n# comment\n',
    });
    await Deno.chmod(`${dir}/env`, 0o600);
    const config = await loadConfig(`${dir}/config`, {
      envFile: `${dir}/env`,
      envFileRequired: true,
    });
    assert.deepEqual(config.vars, { token: "tok-123456", region: "eu-west-1" });
    assert.deepEqual(config.warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readEnvFile() refuses an env file inside the config dir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, { "env": "A=1\n" });
    await assert.rejects(
      readEnvFile(`${dir}/env`, { configDir: dir, required: true }),
      (e: ConfigError) => /inside the config dir/.test(e.issues[0]!.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readEnvFile() warns when group or others can read it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTree(dir, { "env": "A=1\n", "config/.keep": "" });
    await Deno.chmod(`${dir}/env`, 0o644);
    const env = await readEnvFile(`${dir}/env`, { configDir: `${dir}/config`, required: true });
    assert.deepEqual(env.values, { A: "1" });
    assert.match(env.warnings[0]!, /readable by group or others \(mode 0644\); run: chmod 600/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readEnvFile() tolerates a missing default file but not a named one", async () => {
  const missing = "/nonexistent/driftless/env";
  assert.deepEqual((await readEnvFile(missing, { configDir: "/tmp", required: false })).values, {});
  await assert.rejects(readEnvFile(missing, { configDir: "/tmp", required: true }), ConfigError);
});

Deno.test("Redactor matches a secret's encodings, and base64 of text that holds it", () => {
  const secret = "Tr0ub4dor&3/é+x";
  const r = new Redactor();
  r.add(secret);
  const bytes = new TextEncoder().encode(secret);
  const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const forms = {
    plain: secret,
    upper: secret.toUpperCase(),
    lower: secret.toLowerCase(),
    base64: b64(secret),
    "base64 url-safe": b64(secret).replaceAll("+", "-").replaceAll("/", "_"),
    url: encodeURIComponent(secret),
    "url, form style": encodeURIComponent(secret).replaceAll("%20", "+"),
    json: JSON.stringify(secret),
    "json, ascii only": JSON.stringify(secret).replace("é", "\\u00e9"),
    hex,
    "hex, upper": hex.toUpperCase(),
  };
  for (const [name, form] of Object.entries(forms)) {
    assert.ok(!r.redact(`x ${form} y`).includes(form), `${name}: ${form}`);
    assert.match(r.redact(`x ${form} y`), /\[redacted\]/, name);
  }
  // Inside a longer base64 text, at each of the three byte offsets (Basic auth, Docker auth).
  for (const prefix of ["user:", "ab:", "a:"]) {
    const whole = b64(`${prefix}${secret}:more`);
    const shown = r.redact(whole);
    assert.match(shown, /\[redacted\]/, prefix);
    // What is left is at most the groups shared with the neighbours: no run of the secret.
    const left = shown.split("[redacted]").join("");
    assert.ok(left.length <= b64(prefix).length + b64(":more").length + 8, `${prefix}: ${shown}`);
  }
  assert.equal(r.redact("nothing secret here"), "nothing secret here");
});

Deno.test("Redactor redacts each line of a multi-line secret, as a diff shows it", () => {
  const r = new Redactor();
  r.add("-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA1\nzq8W9x2\n-----END KEY-----");
  const diff =
    "@@ -1 +1,5 @@\n-old\n+-----BEGIN KEY-----\n+MIIEpAIBAAKCAQEA1\n+zq8W9x2\n+-----END KEY-----";
  assert.equal(
    r.redact(diff),
    "@@ -1 +1,5 @@\n-old\n+[redacted]\n+[redacted]\n+[redacted]\n+[redacted]",
  );
});
