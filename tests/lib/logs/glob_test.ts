import assert from "node:assert/strict";
import { compileExclude, compileGlob, expandGlob, isCompressed } from "../../../lib/logs/glob.ts";

Deno.test("compileGlob() finds the static base and matches like a shell", () => {
  const cases: [string, string, string[], string[]][] = [
    ["/var/log/*.log", "/var/log", ["/var/log/a.log", "/var/log/.x.log"], [
      "/var/log/a/b.log",
      "/var/log/a.log.1",
    ]],
    ["/var/log/**/*.log", "/var/log", ["/var/log/a.log", "/var/log/x/y/z.log"], ["/var/log/a.txt"]],
    ["/var/log/app-?.{log,txt}", "/var/log", ["/var/log/app-1.log", "/var/log/app-b.txt"], [
      "/var/log/app-12.log",
    ]],
    ["/srv/*/logs/[a-c]*.log", "/srv", ["/srv/x/logs/b1.log"], [
      "/srv/x/logs/d.log",
      "/srv/x/y/logs/a.log",
    ]],
    ["/var/log/syslog", "/var/log", ["/var/log/syslog"], ["/var/log/syslog.1"]],
    ["/var/log/app.log*", "/var/log", ["/var/log/app.log", "/var/log/app.log.1"], [
      "/var/log/app.lo",
    ]],
  ];
  for (const [pattern, base, yes, no] of cases) {
    const g = compileGlob(pattern);
    assert.equal(g.base, base, pattern);
    for (const p of yes) assert.ok(g.regex.test(p), `${pattern} should match ${p}`);
    for (const p of no) assert.ok(!g.regex.test(p), `${pattern} should not match ${p}`);
  }
});

Deno.test("compileExclude() matches names without a slash and paths with one", () => {
  assert.ok(compileExclude("*.gz")("/var/log/a.log.1.gz"));
  assert.ok(!compileExclude("*.gz")("/var/log/gz/a.log"));
  assert.ok(compileExclude("/var/log/private/**")("/var/log/private/x/y.log"));
  assert.ok(isCompressed("/var/log/syslog.2.gz") && !isCompressed("/var/log/syslog.1"));
});

Deno.test("expandGlob() walks only what the glob can match, including ** at any depth", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const p of ["a.log", "b.txt", "x/c.log", "x/y/d.log", "x/y/z/e.log", "other/f.log"]) {
      await Deno.mkdir(`${dir}/${p.split("/").slice(0, -1).join("/")}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${p}`, "");
    }
    await Deno.symlink(`${dir}/a.log`, `${dir}/link.log`);
    const rel = (l: string[]) => l.map((p) => p.slice(dir.length + 1)).sort();
    assert.deepEqual(rel(await expandGlob(compileGlob(`${dir}/*.log`))), ["a.log", "link.log"]);
    assert.deepEqual(rel(await expandGlob(compileGlob(`${dir}/x/**/*.log`))), [
      "x/c.log",
      "x/y/d.log",
      "x/y/z/e.log",
    ]);
    assert.deepEqual(rel(await expandGlob(compileGlob(`${dir}/*/c.log`))), ["x/c.log"]);
    assert.deepEqual(await expandGlob(compileGlob(`${dir}/missing/*.log`)), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
