/**
 * A canary secret from the env file, sent through the transformations templates apply to it
 * (base64 alone and inside a Basic-auth pair, upper case, JSON, URL encoding) into a template,
 * its diff, debug output, a failed command's stderr and the audit log: no output of any run holds
 * the secret in any of those forms, while diffs are still shown with only the secret redacted.
 */
import assert from "node:assert/strict";
import { runCli, writeTree } from "../_helpers/cli.ts";

const CANARY = "c4n4ry-S3cret/x+y~é";

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
/** The forms the canary must never appear in, computed here independently of the redactor. */
const FORMS: Record<string, string> = {
  plain: CANARY,
  base64: b64(CANARY),
  "base64 core of admin:secret": b64(`admin:${CANARY}`).slice(8, -4),
  upper: CANARY.toUpperCase(),
  json: JSON.stringify(CANARY).slice(1, -1),
  "json ascii": JSON.stringify(CANARY).slice(1, -1).replace("é", "\\u00e9"),
  url: encodeURIComponent(CANARY),
  "url, as Python quotes it": encodeURIComponent(CANARY).replace("%2F", "/"),
  hex: [...new TextEncoder().encode(CANARY)].map((b) => b.toString(16).padStart(2, "0")).join(""),
};

const TEMPLATE = `port={{ port }}
password={{ pw }}
b64={{ pw | b64encode }}
auth=Basic {{ ('admin:' ~ pw) | b64encode }}
upper={{ pw | upper }}
json={{ {'password': pw} | to_json }}
url={{ pw | urlencode }}
`;

const TRANSFORMS = "{{ pw | b64encode }} {{ ('admin:' ~ pw) | b64encode }} {{ pw | upper }} " +
  "{{ {'p': pw} | to_json }} {{ pw | urlencode }}";

function assertClean(where: string, text: string): void {
  for (const [name, form] of Object.entries(FORMS)) {
    assert.ok(!text.includes(form), `${where} holds the secret (${name}): ${form}`);
  }
}

Deno.test("a canary secret never leaves through templates, diffs, debug, stderr or the audit log", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_canary_" });
  try {
    const dest = `${dir}/srv/app.conf`;
    await writeTree(dir, {
      "config/apply.yml": JSON.stringify({
        vars: { pw: "${PW}", port: 8080 },
        tasks: [
          { type: "template", src: "app.conf.j2", dest },
          { type: "debug", msg: TRANSFORMS },
          {
            type: "command",
            argv: ["sh", "-c", `echo "${TRANSFORMS}" >&2; exit 3`],
            ignore_errors: true,
          },
        ],
      }),
      "config/templates/app.conf.j2": TEMPLATE,
      "env": `PW=${CANARY}\n`,
      "home/.keep": "",
    });
    await Deno.chmod(`${dir}/env`, 0o600);
    await Deno.mkdir(`${dir}/srv`);
    // The file exists with the old port: the diff's context lines hold the secret.
    await Deno.writeTextFile(dest, TEMPLATE.replace("{{ port }}", "80"));
    const cli = (...args: string[]) =>
      runCli(["--config", `${dir}/config`, "--env-file", `${dir}/env`, "apply", ...args], {
        env: { HOME: `${dir}/home` },
      });

    for (const args of [["--dry-run"], ["--dry-run", "--json"], ["--diff"]]) {
      const r = await cli(...args);
      assert.equal(r.code, 0, r.stderr);
      assertClean(`stdout of apply ${args.join(" ")}`, r.stdout);
      assertClean(`stderr of apply ${args.join(" ")}`, r.stderr);
      // The diff is shown, with only the secret's lines redacted.
      assert.match(r.stdout, /-port=80\b/);
      assert.match(r.stdout, /\+port=8080\b/);
      assert.match(r.stdout, /password=\[redacted\]/);
      assert.match(r.stdout, /auth=Basic \S*\[redacted\]/);
      // The failed command's stderr is shown, redacted (a dry run does not run it).
      if (!args.includes("--dry-run")) {
        assert.match(r.stdout, /stderr: \[redacted\]/);
      }
    }
    const audit = [];
    for await (const e of Deno.readDir(`${dir}/home/.local/state/driftless/audit`)) {
      audit.push(await Deno.readTextFile(`${dir}/home/.local/state/driftless/audit/${e.name}`));
    }
    assert.ok(audit.join("").includes("+port=8080"), "the audit log keeps the diff");
    assertClean("the audit log", audit.join(""));
    // The file itself has the secret: redaction is for output, not for what is managed.
    assert.match(
      await Deno.readTextFile(dest),
      new RegExp(`password=${CANARY.replace("+", "\\+")}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
