/**
 * The modules that only read the host and return facts: getent, package_facts, service_facts,
 * setup and find. Parsers are checked on text as the real tools print it; the modules run for
 * real in the cached Debian root (its passwd, its dpkg database) and in temp trees.
 */
import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { findTask } from "../../tasks/find.ts";
import { getent, parseGetent } from "../../tasks/getent.ts";
import { packageFacts, parseApkInstalled, parseDpkgStatus } from "../../tasks/package_facts.ts";
import { parseListUnits, parseStatusAll, parseUnitFiles } from "../../tasks/service_facts.ts";
import { parseIniFact, setup } from "../../tasks/setup.ts";
import { debianRootMissing, openRoot } from "../_helpers/debian_root.ts";
import { writeTree } from "../_helpers/cli.ts";
import { needs } from "../_helpers/needs.ts";

const ctx = {} as TaskContext;

Deno.test("parseGetent() splits as Ansible's getent: colon databases on ':', the others on spaces", () => {
  assert.deepEqual(parseGetent("root:x:0:0:root:/root:/bin/bash\n", ":"), {
    root: ["x", "0", "0", "root", "/root", "/bin/bash"],
  });
  assert.deepEqual(parseGetent("ssh   22/tcp\nssh 22/udp\nhttp 80/tcp www\n", undefined), {
    ssh: [["22/tcp"], ["22/udp"]],
    http: ["80/tcp", "www"],
  });
});

Deno.test(needs(debianRootMissing(), {
  name: "getent and package_facts read the Debian root's own databases",
  async fn() {
    const root = await openRoot();
    try {
      const read = (task: typeof getent | typeof packageFacts, raw: Record<string, unknown>) =>
        task.read(task.schema.parse(raw) as never, root.host, ctx) as Promise<
          Record<string, Record<string, Record<string, unknown>>>
        >;
      const passwd = await read(getent, { database: "passwd", key: "root" });
      assert.deepEqual(passwd.ansible_facts!.getent_passwd, {
        root: ["x", "0", "0", "root", "/root", "/bin/bash"],
      });
      const missing = await read(getent, { database: "passwd", key: "nobody-here" });
      assert.deepEqual(missing, {
        failed: true,
        msg: "One or more supplied key could not be found in the database.",
      } as never);
      const soft = await read(getent, { database: "group", key: "nobody-here", fail_key: false });
      assert.deepEqual(soft.ansible_facts!.getent_group, { "nobody-here": null });

      const facts = await read(packageFacts, { manager: "auto" });
      const bash = (facts.ansible_facts!.packages as Record<string, Record<string, string>[]>)
        .bash!;
      const version = await root.host.run("dpkg-query", ["-W", "-f=${Version}", "bash"]);
      assert.deepEqual(bash.map((p) => [p.name, p.version, p.source]), [
        ["bash", version.stdout, "apt"],
      ]);
    } finally {
      await root.close();
    }
  },
}));

Deno.test("package_facts parsers: dpkg status (installed only) and apk's db", () => {
  const status = [
    "Package: curl\nStatus: install ok installed\nSection: web\nArchitecture: amd64\nVersion: 7.88.1-10",
    "Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1",
  ].join("\n\n");
  assert.deepEqual(parseDpkgStatus(status), [
    { name: "curl", version: "7.88.1-10", arch: "amd64", category: "web", source: "apt" },
  ]);
  assert.deepEqual(parseApkInstalled("C:Q1x\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:zlib\nV:1.3\n"), [
    { name: "musl", version: "1.2.4-r2", arch: "x86_64", source: "apk" },
    { name: "zlib", version: "1.3", arch: "", source: "apk" },
  ]);
});

Deno.test("service_facts parsers: systemctl units and unit files, service --status-all", () => {
  const units = parseListUnits([
    "cron.service        loaded active   running Regular background program processing daemon",
    "● nginx.service     loaded failed   failed  A high performance web server",
    "ssh.service         loaded inactive dead    OpenBSD Secure Shell server",
  ].join("\n"));
  assert.deepEqual(Object.values(units).map((u) => [u.name, u.state]), [
    ["cron.service", "running"],
    ["nginx.service", "failed"],
    ["ssh.service", "stopped"],
  ]);
  assert.deepEqual(parseUnitFiles("cron.service enabled enabled\nssh@.service static -\n"), {
    "cron.service": "enabled",
    "ssh@.service": "static",
  });
  // As Ansible 2.14's sysv scan: "+" is running, anything else stopped, no status.
  assert.deepEqual(parseStatusAll(" [ + ]  cron\n [ - ]  procps\n [ ? ]  hwclock.sh\n"), {
    cron: { name: "cron", state: "running", source: "sysv" },
    procps: { name: "procps", state: "stopped", source: "sysv" },
    "hwclock.sh": { name: "hwclock.sh", state: "stopped", source: "sysv" },
  });
});

Deno.test("setup gathers the managed root's facts, filtered, with local facts", async () => {
  const root = await Deno.makeTempDir({ prefix: "driftless_setup_" });
  try {
    await writeTree(root, {
      "etc/os-release": 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n',
      "etc/ansible/facts.d/app.fact": '{"tier": "web"}',
      "etc/ansible/facts.d/site.fact": "[general]\nRegion = eu\n",
    });
    const host = new LocalHost({ root, chroot: false });
    const params = setup.schema.parse({ filter: ["ansible_distribution*", "ansible_local"] });
    const got = await setup.read(params, host, ctx) as { ansible_facts: Record<string, unknown> };
    assert.deepEqual(Object.keys(got.ansible_facts).sort(), [
      "ansible_distribution",
      "ansible_distribution_file_path",
      "ansible_distribution_major_version",
      "ansible_distribution_release",
      "ansible_distribution_version",
      "ansible_local",
    ]);
    assert.equal(got.ansible_facts.ansible_distribution, "Fedora");
    assert.deepEqual(got.ansible_facts.ansible_local, {
      app: { tier: "web" },
      site: { general: { region: "eu" } },
    });
    assert.deepEqual(parseIniFact("; c\n[a]\nk: v\n"), { a: { k: "v" } });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("find matches names, types, content, size and depth as Ansible's find", async () => {
  const root = await Deno.makeTempDir({ prefix: "driftless_find_" });
  try {
    await writeTree(root, {
      "srv/a.conf": "listen 80\n",
      "srv/b.conf": "x".repeat(2048),
      "srv/c.txt": "listen 443\n",
      "srv/.hidden.conf": "h\n",
      "srv/sub/d.conf": "listen 8080\n",
      "srv/sub/deeper/e.conf": "e\n",
    });
    const host = new LocalHost({ root, chroot: false });
    const names = async (raw: Record<string, unknown>) => {
      const found = await findTask.read(findTask.schema.parse(raw), host, ctx);
      const result = findTask.result!(findTask.schema.parse(raw), found);
      return { paths: (found.files.map((f) => f.path as string)).sort(), matched: result.matched };
    };
    assert.deepEqual((await names({ paths: "/srv", patterns: "*.conf" })).paths, [
      "/srv/a.conf",
      "/srv/b.conf",
    ]);
    assert.deepEqual(
      (await names({ paths: ["/srv"], patterns: ["*.conf"], recurse: true, hidden: true })).paths,
      [
        "/srv/.hidden.conf",
        "/srv/a.conf",
        "/srv/b.conf",
        "/srv/sub/d.conf",
        "/srv/sub/deeper/e.conf",
      ],
    );
    assert.deepEqual(
      (await names({ paths: "/srv", recurse: true, depth: 2, contains: "^listen \\d+$" })).paths,
      ["/srv/a.conf", "/srv/c.txt", "/srv/sub/d.conf"],
    );
    assert.deepEqual((await names({ paths: "/srv", size: "1k" })).paths, ["/srv/b.conf"]);
    assert.deepEqual(
      await names({ paths: "/srv", patterns: ["^[ab]\\."], use_regex: true, excludes: "b.*" }),
      { paths: ["/srv/a.conf"], matched: 1 },
    );
    assert.deepEqual((await names({ paths: "/srv", file_type: "directory" })).paths, [
      "/srv/sub",
    ]);
    const missing = await findTask.read(findTask.schema.parse({ paths: "/nope" }), host, ctx);
    assert.match(missing.skipped_paths["/nope"]!, /not seem to be a valid directory/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
