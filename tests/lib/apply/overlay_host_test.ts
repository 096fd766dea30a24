import assert from "node:assert/strict";
import { LocalHost } from "../../../lib/apply/host.ts";
import { OverlayHost } from "../../../lib/apply/overlay_host.ts";
import { PlannedPackages } from "../../../lib/apply/overlay_packages.ts";

async function fixture(): Promise<
  { root: string; base: LocalHost; overlay: OverlayHost; snapshot: () => Promise<string> }
> {
  const root = await Deno.makeTempDir({ prefix: "driftless_overlay_" });
  await Deno.mkdir(`${root}/etc/app`, { recursive: true });
  await Deno.writeTextFile(`${root}/etc/app/conf`, "real\n");
  await Deno.chmod(`${root}/etc/app/conf`, 0o640);
  await Deno.symlink("app", `${root}/etc/app-link`);
  const base = new LocalHost({ root, chroot: false });
  const snapshot = async () => {
    const out: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = `${d}/${e.name}`;
        const st = await Deno.lstat(p);
        out.push(
          `${p.slice(root.length)} ${st.mode?.toString(8)} ${
            st.isFile ? await Deno.readTextFile(p) : ""
          }`,
        );
        if (e.isDirectory) await walk(p);
      }
    };
    await walk(root);
    return out.sort().join("\n");
  };
  return { root, base, overlay: new OverlayHost(base), snapshot };
}

Deno.test("OverlayHost keeps writes in memory and reads them back", async () => {
  const { root, overlay, snapshot } = await fixture();
  try {
    const before = await snapshot();
    await overlay.mkdir("/srv/www/html", { recursive: true, mode: 0o750 });
    await overlay.writeAtomic("/srv/www/html/index.html", "<h1>hi</h1>\n", { mode: 0o644 });
    await overlay.writeAtomic("/etc/app/conf", "planned\n");
    await overlay.chmod("/etc/app/conf", 0o600);
    assert.equal(await overlay.readText("/srv/www/html/index.html"), "<h1>hi</h1>\n");
    assert.equal(await overlay.readText("/etc/app/conf"), "planned\n");
    assert.equal((await overlay.stat("/etc/app/conf"))?.mode, 0o600);
    assert.equal((await overlay.stat("/srv/www"))?.mode, 0o755);
    assert.equal((await overlay.stat("/srv/www/html"))?.mode, 0o750);
    assert.deepEqual(await overlay.readDir("/srv"), ["www"]);
    assert.equal(await snapshot(), before, "the real tree is untouched");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost follows real and planned symlinks", async () => {
  const { root, overlay } = await fixture();
  try {
    assert.equal(await overlay.readText("/etc/app-link/conf"), "real\n");
    await overlay.writeAtomic("/etc/app-link/new", "via link\n");
    assert.equal(await overlay.readText("/etc/app/new"), "via link\n");
    await overlay.symlink("/etc/app/conf", "/etc/planned-link");
    assert.equal(await overlay.readText("/etc/planned-link"), "real\n");
    assert.equal((await overlay.stat("/etc/planned-link", { follow: false }))?.isSymlink, true);
    assert.equal(await overlay.readLink("/etc/planned-link"), "/etc/app/conf");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost hides what a planned removal removes", async () => {
  const { root, overlay } = await fixture();
  try {
    await overlay.remove("/etc/app", { recursive: true });
    assert.equal(await overlay.stat("/etc/app/conf"), undefined);
    assert.equal(await overlay.stat("/etc/app"), undefined);
    await assert.rejects(overlay.readText("/etc/app/conf"), Deno.errors.NotFound);
    assert.ok(!(await overlay.readDir("/etc")).includes("app"));
    assert.ok(await Deno.stat(`${root}/etc/app/conf`), "still there for real");
    await overlay.mkdir("/etc/app");
    assert.deepEqual(await overlay.readDir("/etc/app"), [], "a re-created dir starts empty");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost records commands during apply and runs them during read", async () => {
  const { root, overlay } = await fixture();
  try {
    const read = await overlay.run("echo", ["query"]);
    assert.equal(read.stdout, "query\n");
    overlay.applying = true;
    const r = await overlay.run("useradd", ["-m", "alice smith"]);
    overlay.applying = false;
    assert.equal(r.code, 0);
    assert.deepEqual(overlay.takeCommands(), ["useradd -m 'alice smith'"]);
    assert.deepEqual(overlay.takeCommands(), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost rename moves content and metadata", async () => {
  const { root, overlay } = await fixture();
  try {
    await overlay.rename("/etc/app/conf", "/etc/app/conf.old");
    assert.equal(await overlay.readText("/etc/app/conf.old"), "real\n");
    assert.equal((await overlay.stat("/etc/app/conf.old"))?.mode, 0o640);
    assert.equal(await overlay.stat("/etc/app/conf"), undefined);
    assert.deepEqual(await overlay.readDir("/etc/app"), ["conf.old"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost writes fail where the real host would fail", async () => {
  const { root, overlay } = await fixture();
  try {
    await assert.rejects(overlay.writeAtomic("/no/such/dir/file", "x"), Deno.errors.NotFound);
    await assert.rejects(overlay.writeAtomic("/etc/app/conf/sub", "x"), Deno.errors.NotADirectory);
    await assert.rejects(overlay.mkdir("/etc/app"), Deno.errors.AlreadyExists);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost plans accounts as shadow-utils makes them, for later lookups", async () => {
  const { root, overlay, snapshot } = await fixture();
  try {
    await Deno.writeTextFile(
      `${root}/etc/passwd`,
      "root:x:0:0:root:/root:/bin/bash\nold:x:1004:1004::/home/old:/bin/sh\n" +
        "net:x:998:998::/:/usr/sbin/nologin\n",
    );
    await Deno.writeTextFile(
      `${root}/etc/group`,
      "root:x:0:\nold:x:1004:\nnet:x:998:\njournal:x:999:\n",
    );
    await Deno.writeTextFile(`${root}/etc/shadow`, "root:*:1:0:99999:7:::\n");
    await Deno.writeTextFile(`${root}/etc/login.defs`, "UID_MIN 1000\nGID_MIN 1000\nUMASK 022\n");
    await Deno.mkdir(`${root}/etc/skel`);
    await Deno.writeTextFile(`${root}/etc/skel/.profile`, "# profile\n");
    const before = await snapshot();
    overlay.applying = true;
    await overlay.run("groupadd", ["deploy"]);
    await overlay.run("/usr/sbin/useradd", [
      "-g",
      "deploy",
      "-G",
      "old",
      "-m",
      "-s",
      "/bin/bash",
      "app",
    ]);
    await overlay.run("useradd", ["-r", "-M", "svc"]);
    await overlay.run("usermod", ["-a", "-G", "deploy", "-L", "svc"]);
    await overlay.run("useradd", ["-u", "2000", "gone"]);
    await overlay.run("userdel", ["gone"]);
    overlay.applying = false;

    assert.deepEqual(await overlay.group("deploy"), { name: "deploy", id: 1005 });
    assert.deepEqual(await overlay.user("app"), { name: "app", id: 1005 }, "above the highest");
    assert.deepEqual(await overlay.user("svc"), { name: "svc", id: 997 }, "free as uid and gid");
    assert.deepEqual(await overlay.group("svc"), { name: "svc", id: 997 });
    assert.equal(await overlay.user("gone"), undefined);
    assert.equal(await overlay.group("gone"), undefined, "its private group went with it");
    assert.match(
      await overlay.readText("/etc/passwd"),
      /^app:x:1005:1005::\/home\/app:\/bin\/bash$/m,
    );
    assert.match(await overlay.readText("/etc/group"), /^old:x:1004:app$/m);
    assert.match(await overlay.readText("/etc/group"), /^deploy:x:1005:svc$/m);
    assert.match(await overlay.readText("/etc/shadow"), /^svc:!:/m, "locked");
    const home = await overlay.stat("/home/app");
    assert.deepEqual([home?.isDirectory, home?.mode, home?.uid, home?.gid], [
      true,
      0o755,
      1005,
      1005,
    ]);
    assert.equal(await overlay.readText("/home/app/.profile"), "# profile\n");
    assert.equal((await overlay.stat("/home/app/.profile"))?.uid, 1005);
    assert.equal(await snapshot(), before, "nothing written");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OverlayHost answers package queries as if planned installs had run", async () => {
  const { root, overlay } = await fixture();
  const fmt = "-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n";
  try {
    overlay.applying = true;
    await overlay.run("apt-get", [
      "-y",
      "-o",
      "Dpkg::Options::=--force-confold",
      "install",
      "zzhello=1.0",
    ]);
    overlay.applying = false;
    // The real dpkg-query knows no zzhello; the overlay answers as after the install.
    const r = await overlay.run("dpkg-query", ["-W", fmt, "--", "zzhello"], {
      env: { LC_ALL: "C" },
    });
    assert.deepEqual([r.code, r.stdout], [0, "zzhello\tall\t1.0\tii \n"]);
    assert.deepEqual(overlay.takeCommands(), [
      "apt-get -y -o Dpkg::Options::=--force-confold install zzhello=1.0",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("PlannedPackages reads each manager's commands and query formats", () => {
  const packages = new PlannedPackages();
  const result = (stdout: string) => ({ code: 1, stdout, stderr: "", timedOut: false });
  packages.record("apt-get", ["-y", "remove", "gone"]);
  packages.record("dnf", ["-y", "install", "zzrpm"]);
  packages.record("pacman", ["-S", "--noconfirm", "--needed", "zzpac"]);
  packages.record("apk", ["add", "zzapk"]);
  const fmt = "-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n";
  assert.equal(
    packages.adjust("dpkg-query", ["-W", fmt, "--", "gone"], result("gone\tamd64\t2\tii \n"))
      .stdout,
    "",
  );
  assert.equal(
    packages.adjust(
      "rpm",
      ["-q", "--queryformat", "%{NAME}\t%{VERSION}-%{RELEASE}\n", "zzrpm"],
      result("package zzrpm is not installed\n"),
    ).stdout,
    "package zzrpm is not installed\nzzrpm\t(planned)\n",
  );
  // The dnf task's format (with the epoch) and its options.
  assert.equal(
    packages.adjust(
      "rpm",
      [
        "--root",
        "/r",
        "-q",
        "--qf",
        "%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n",
        "--",
        "zzrpm",
      ],
      result("package zzrpm is not installed\n"),
    ).stdout,
    "package zzrpm is not installed\nzzrpm\t(planned)\n",
  );
  assert.equal(packages.adjust("pacman", ["-Q", "zzpac"], result("")).stdout, "zzpac (planned)\n");
  assert.match(
    packages.adjust("apk", ["info", "-v"], result("musl-1.2-r0\n")).stdout,
    /^musl-1\.2-r0\n(.*\n)*zzapk-\(planned\)-r0\n$/,
  );
  // Other queries are the real host's answer.
  assert.equal(packages.adjust("dpkg-query", ["-L", "zzapk"], result("x\n")).stdout, "x\n");
});
