import assert from "node:assert/strict";
import { LocalHost } from "../../lib/apply/host.ts";
import type { TaskContext } from "../../lib/apply/task.ts";
import { unarchive } from "../../tasks/unarchive.ts";
import { crc32, detectFormat, zipEntries } from "../../tasks/_archives.ts";

async function sh(cwd: string, cmd: string, ...args: string[]) {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function run(raw: Record<string, unknown>, ctx: TaskContext) {
  const host = new LocalHost();
  const p = unarchive.schema.parse(raw);
  const first = unarchive.plan(p, await unarchive.read(p, host, ctx));
  for (const c of first) await unarchive.apply(c.op, host, ctx);
  const q = unarchive.schema.parse(raw);
  const again = unarchive.plan(q, await unarchive.read(q, host, ctx));
  return {
    first: first.map((c) => c.summary),
    again: again.map((c) => c.summary),
    result: unarchive.result!(q, await unarchive.read(q, host, ctx)),
  };
}

Deno.test("crc32() and zipEntries() agree with Info-ZIP", async () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/src/sub`, { recursive: true });
    await Deno.writeTextFile(`${dir}/src/sub/a.txt`, "alpha\n");
    await sh(`${dir}/src`, "zip", "-q", "-r", `${dir}/a.zip`, "sub");
    const bytes = await Deno.readFile(`${dir}/a.zip`);
    assert.equal(detectFormat(bytes), "zip");
    const e = zipEntries(bytes).find((x) => x.name === "sub/a.txt")!;
    assert.equal(e.size, 6);
    assert.equal(e.crc, crc32(new TextEncoder().encode("alpha\n")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unarchive: tar.gz, tar.xz and zip, decided by their contents", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_unarchive_" });
  const ctx: TaskContext = {
    configDir: `${dir}/config`,
    renderTemplate: () => Promise.reject(new Error("none")),
  };
  try {
    await Deno.mkdir(`${dir}/src/app/bin`, { recursive: true });
    await Deno.writeTextFile(`${dir}/src/app/bin/run`, "#!/bin/sh\necho hi\n");
    await Deno.writeTextFile(`${dir}/src/app/README`, "read me\n");
    await sh(`${dir}/src`, "tar", "-czf", `${dir}/app.tar.gz`, "app");
    await sh(`${dir}/src`, "tar", "-cJf", `${dir}/app.tar.xz`, "app");
    await sh(`${dir}/src`, "zip", "-q", "-r", `${dir}/app.zip`, "app");
    for (const d of ["gz", "xz", "zip"]) await Deno.mkdir(`${dir}/out-${d}`);

    const gz = await run({
      src: `${dir}/app.tar.gz`,
      dest: `${dir}/out-gz`,
      remote_src: true,
      list_files: true,
    }, ctx);
    assert.match(
      gz.first[0]!,
      /^extract .*app\.tar\.gz \(tar\.gz\) into .*: \d+ member\(s\) differ$/,
    );
    assert.deepEqual(gz.again, []);
    assert.ok((gz.result.files as string[]).includes("app/bin/run"));
    assert.equal(await Deno.readTextFile(`${dir}/out-gz/app/README`), "read me\n");

    await Deno.writeTextFile(`${dir}/out-gz/app/README`, "edited\n");
    const fix = await run(
      { src: `${dir}/app.tar.gz`, dest: `${dir}/out-gz`, remote_src: true },
      ctx,
    );
    assert.equal(fix.first.length, 1);
    assert.deepEqual(fix.again, []);
    assert.equal(await Deno.readTextFile(`${dir}/out-gz/app/README`), "read me\n");

    const xz = await run(
      { src: `${dir}/app.tar.xz`, dest: `${dir}/out-xz`, remote_src: true },
      ctx,
    );
    assert.equal(xz.first.length, 1);
    assert.deepEqual(xz.again, []);

    // Without remote_src the archive comes from the config repo's files/.
    await Deno.mkdir(`${dir}/config/files`, { recursive: true });
    await Deno.copyFile(`${dir}/app.zip`, `${dir}/config/files/app.zip`);
    const zip = await run({ src: "app.zip", dest: `${dir}/out-zip` }, ctx);
    assert.equal(zip.first.length, 1);
    assert.deepEqual(zip.again, []);
    assert.equal(await Deno.readTextFile(`${dir}/out-zip/app/bin/run`), "#!/bin/sh\necho hi\n");

    const skip = await run({
      src: "app.zip",
      dest: `${dir}/out-zip`,
      creates: `${dir}/out-zip/app`,
    }, ctx);
    assert.deepEqual(skip.first, []);
    await assert.rejects(
      run({ src: "app.zip", dest: `${dir}/nope` }, ctx),
      /must be an existing directory/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unarchive: copy: false is remote_src; mode and owner apply to every member", async () => {
  const dir = await Deno.makeTempDir({ prefix: "driftless_unarchive_attrs_" });
  const ctx: TaskContext = {
    configDir: `${dir}/config`,
    renderTemplate: () => Promise.reject(new Error("none")),
  };
  try {
    await Deno.mkdir(`${dir}/src/app/bin`, { recursive: true });
    await Deno.writeTextFile(`${dir}/src/app/bin/run`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/src/app/bin/run`, 0o700);
    await sh(`${dir}/src`, "tar", "-czf", `${dir}/app.tar.gz`, "app");
    await Deno.mkdir(`${dir}/out`);
    const raw = { src: `${dir}/app.tar.gz`, dest: `${dir}/out`, copy: false, mode: "u=rwX,go=rX" };
    const r = await run(raw, ctx);
    assert.equal(r.first.length, 1);
    assert.deepEqual(r.again, [], "mode set on purpose is no drift for tar --diff");
    const mode = async (p: string) => (await Deno.stat(`${dir}/out/${p}`)).mode! & 0o7777;
    assert.deepEqual(
      [await mode("app"), await mode("app/bin"), await mode("app/bin/run")],
      [0o755, 0o755, 0o755],
    );
    // A member whose mode drifts is put back without extracting again.
    await Deno.chmod(`${dir}/out/app/bin/run`, 0o600);
    const fix = await run(raw, ctx);
    assert.deepEqual(fix.first, [`chmod 0600 -> 0644 ${dir}/out/app/bin/run`]); // X: no x bit
    assert.deepEqual(fix.again, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
