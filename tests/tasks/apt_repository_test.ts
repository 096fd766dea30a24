import assert from "node:assert/strict";
import { aptRepository, suggestFilename, withSignedBy } from "../../tasks/apt_repository.ts";
import { runCases } from "../_helpers/run_cases.ts";
import { ScriptedHost, writeFiles } from "../_helpers/scripted_host.ts";
import { converge, debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { needs } from "../_helpers/needs.ts";

const REPO = "deb https://dl.example.org/linux/deb/ stable main";
const KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF\n-----END PGP PUBLIC KEY BLOCK-----\n";

Deno.test("suggestFilename() and withSignedBy() follow Ansible's naming and deb options", () => {
  assert.equal(suggestFilename(REPO), "dl_example_org_linux_deb");
  assert.equal(
    suggestFilename("deb [arch=amd64] http://user:pw@mirror.example.org/debian bookworm main"),
    "mirror_example_org_debian",
  );
  assert.equal(
    withSignedBy("deb [arch=amd64] https://x.org/d stable main", "/etc/apt/keyrings/x.asc"),
    "deb [arch=amd64 signed-by=/etc/apt/keyrings/x.asc] https://x.org/d stable main",
  );
});

Deno.test("apt_repository: file table", async (t) => {
  await runCases(t, aptRepository, [
    {
      name: "adds a signed-by repository with its key, then apt-get update",
      params: { repo: REPO, signed_by: KEY, filename: "example" },
      setup: (_root, host) => void (host as ScriptedHost).script({ match: "apt-get update -q" }),
      summaries: [
        "write the signing key /etc/apt/keyrings/example.asc",
        'add "deb [signed-by=/etc/apt/keyrings/example.asc] https://dl.example.org/linux/deb/ stable main" to /etc/apt/sources.list.d/example.list',
      ],
      check: async (real, host) => {
        assert.equal(await Deno.readTextFile(real("/etc/apt/keyrings/example.asc")), KEY);
        assert.deepEqual((host as ScriptedHost).lines(), ["apt-get update -q"]);
      },
    },
    {
      name: "a line already in sources.list is converged",
      params: { repo: REPO },
      setup: (root) =>
        writeFiles(root, {
          "/etc/apt/sources.list": `deb http://deb.debian.org/debian bookworm main\n${
            REPO.replace(" ", "  ")
          }\n`,
        }),
      summaries: [],
    },
    {
      name: "absent removes the line and the emptied file",
      params: { repo: REPO, state: "absent", update_cache: false },
      setup: (root) =>
        writeFiles(root, { "/etc/apt/sources.list.d/dl_example_org_linux_deb.list": `${REPO}\n` }),
      summaries: [
        'remove "deb https://dl.example.org/linux/deb/ stable main" from /etc/apt/sources.list.d/dl_example_org_linux_deb.list',
      ],
      check: (real) =>
        assert.rejects(Deno.stat(real("/etc/apt/sources.list.d/dl_example_org_linux_deb.list"))),
    },
  ], { host: (root) => new ScriptedHost(root) });
});

Deno.test(needs(debianRootMissing(), {
  name: "apt_repository: a sources.list.d file in the Debian root",
  async fn() {
    const root = await openRoot();
    try {
      const p = { repo: REPO, signed_by: KEY, filename: "example", update_cache: false };
      const r = await converge(aptRepository, p, root.host);
      assert.equal(r.first.length, 2);
      assert.deepEqual(r.again, []);
      assert.match(
        await Deno.readTextFile(`${root.dir}/etc/apt/sources.list.d/example.list`),
        /signed-by=\/etc\/apt\/keyrings\/example.asc/,
      );
    } finally {
      await root.close();
    }
  },
}));
