/**
 * Modes, owners and groups. Symbolic modes are checked against Ansible's own arithmetic:
 * `tests/fixtures/tasks/modes/modes.json` holds `AnsibleModule._symbolic_mode_to_octal()` results
 * (made by `/usr/bin/python3 tests/fixtures/tasks/modes/gen.py`, umask 022).
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import {
  Accounts,
  bool,
  computeMode,
  isModeSpec,
  modeSchema,
  newMode,
  octal,
  planAttrs,
  readAttrState,
  resolveOwnership,
} from "../../tasks/_attrs.ts";

const modes = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/tasks/modes/modes.json", import.meta.url)),
) as { kind: "file" | "dir"; current: number; spec: string; mode: number }[];

Deno.test("computeMode() agrees with Ansible's _symbolic_mode_to_octal", () => {
  const wrong = modes.filter((m) =>
    computeMode(m.spec, m.current, m.kind === "dir", 0o022) !== m.mode
  ).map((m) =>
    `${m.kind} ${octal(m.current)} ${m.spec}: want ${octal(m.mode)}, got ${
      octal(computeMode(m.spec, m.current, m.kind === "dir", 0o022))
    }`
  );
  assert.deepEqual(wrong, []);
  assert.ok(modes.length > 300);
});

Deno.test("computeMode() takes octal strings as absolute modes", () => {
  assert.equal(computeMode("0644", 0o777, false), 0o644);
  assert.equal(computeMode("644", 0o777, false), 0o644);
  assert.equal(computeMode("0o750", 0, true), 0o750);
  assert.equal(computeMode("1777", 0, true), 0o1777);
});

Deno.test("mode schema takes numbers as the mode bits (as Ansible does) and refuses nonsense", () => {
  const schema = modeSchema();
  const msg = (v: unknown) => schema.safeParse(v).error?.issues[0]?.message;
  assert.equal(schema.parse(0o644), "0644"); // YAML 1.1 `mode: 0644`
  assert.equal(schema.parse(644), "1204"); // `mode: 644` is decimal: Ansible chmods 0o1204 too
  assert.match(msg(0o10000)!, /is not a file mode/);
  assert.match(msg(-1)!, /is not a file mode/);
  assert.match(msg("u+q")!, /neither octal/);
  assert.match(msg("99999")!, /neither octal/);
  assert.equal(msg("u=rwX,go=rX"), undefined);
  assert.equal(modeSchema({ preserve: true }).parse("preserve"), "preserve");
  assert.match(msg("preserve")!, /neither octal/);
  assert.ok(isModeSpec("a+x,u-s") && !isModeSpec("z+x"));
});

Deno.test("bool accepts Ansible's yes/no spellings", () => {
  for (const v of [true, "yes", "True", "on", "1", 1, "y"]) assert.equal(bool.parse(v), true);
  for (const v of [false, "no", "False", "off", "0", 0, "n"]) assert.equal(bool.parse(v), false);
  assert.match(bool.safeParse("maybe").error!.issues[0]!.message, /expected a boolean.*"maybe"/);
});

Deno.test("newMode() starts from the umask default of the kind", () => {
  assert.equal(newMode(undefined, false, 0o022), 0o644);
  assert.equal(newMode(undefined, true, 0o027), 0o750);
  assert.equal(newMode("u+x", false, 0o022), 0o744);
  assert.equal(newMode("0600", false, 0o022), 0o600);
});

Deno.test("owner and group resolve by name or id through the host's databases", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/etc`);
    await Deno.writeTextFile(
      `${root}/etc/passwd`,
      "root:x:0:0::/root:/bin/sh\nalice:x:1500:1500::/home/alice:/bin/sh\n",
    );
    await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nstaff:x:1600:\n");
    const host = new LocalHost({ root, chroot: false });
    const accounts = new Accounts(host);
    assert.deepEqual(await resolveOwnership({ owner: "alice", group: "staff" }, accounts), {
      owner: { id: 1500, name: "alice" },
      group: { id: 1600, name: "staff" },
    });
    assert.deepEqual(await resolveOwnership({ owner: "1500", group: "4242" }, accounts), {
      owner: { id: 1500, name: "alice" },
      group: { id: 4242, name: "4242" },
    });
    await assert.rejects(
      resolveOwnership({ owner: "nobody-here" }, accounts),
      /failed to look up user nobody-here/,
    );
    await Deno.writeTextFile(`${root}/f`, "x");
    await Deno.chmod(`${root}/f`, 0o644);
    const st = (await readAttrState(host, "/f", accounts))!;
    const uid = st.stat.uid;
    const changes = planAttrs(st, {
      mode: "go-r",
      owner: { id: uid, name: "same" },
      group: { id: 4242, name: "4242" },
      umask: 0o022,
    });
    assert.deepEqual(changes.map((c) => c.summary).slice(0, 1), ["chmod 0644 -> 0600 /f"]);
    assert.match(changes[1]!.summary, /^chgrp \S+ -> 4242 \/f$/);
    assert.equal(changes.length, 2, "the owner already matches");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
