import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createS3Client } from "../../../lib/sinks/s3.ts";
import { gunzip } from "../../../lib/sinks/gzip.ts";
import { FileExporter, snapshotFileName } from "../../../lib/facts/file_exporter.ts";
import { S3Exporter, s3Key } from "../../../lib/facts/s3_exporter.ts";
import { runExportLoop } from "../../../lib/facts/exporters.ts";
import { family } from "../../../lib/facts/metric.ts";
import type { Snapshot } from "../../../lib/facts/snapshot.ts";
import { s3rverMissing, startS3rver } from "../sinks/_s3rver.ts";
import { runCli, writeTree } from "../../_helpers/cli.ts";
import { requires } from "./_fixtures.ts";

const snapshot = (time: Date): Snapshot => ({
  time,
  host: "web1",
  families: [family("node_load1", "1m load average.", "gauge", [{ labels: {}, value: 0.25 }])],
  facts: { hostname: "web1" },
});

Deno.test("s3Key() and snapshotFileName() follow prefix/host/YYYY/MM/DD/HHMMSS.mmm and never repeat", () => {
  const t = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67));
  assert.equal(
    s3Key("metrics/", "web1", t, ".prom.gz", "abcd1234"),
    "metrics/web1/2026/01/02/030405.067-abcd1234.prom.gz",
  );
  assert.match(
    s3Key("", "web1", t, ".json"),
    /^web1\/2026\/01\/02\/030405\.067-[0-9a-f]{8}\.json$/,
  );
  assert.notEqual(s3Key("m", "web1", t, ".json"), s3Key("m", "web1", t, ".json"));
  assert.equal(snapshotFileName("web1", t, ".prom.gz"), "web1-20260102T030405.067Z.prom.gz");
  assert.equal(snapshotFileName("web1", t, ".prom.gz", 2), "web1-20260102T030405.067Z-2.prom.gz");
});

Deno.test("FileExporter: pushes in the same millisecond each get their own file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const e = new FileExporter({ type: "file", dir, gzip: false });
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    const paths = await Promise.all([0, 1, 2].map(() => e.push(snapshot(t))));
    assert.equal(new Set(paths).size, 3);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((x) => x.name).sort();
    assert.deepEqual(names, [
      "web1-20260101T000000.500Z-1.prom",
      "web1-20260101T000000.500Z-2.prom",
      "web1-20260101T000000.500Z.prom",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileExporter writes atomically and keeps the newest max_files snapshots", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/other-20200101T000000Z.prom.gz`, "not ours");
    const e = new FileExporter({ type: "file", dir, max_files: 2, format: "json" });
    for (let s = 0; s < 4; s++) await e.push(snapshot(new Date(Date.UTC(2026, 0, 1, 0, 0, s))));
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((x) => x.name).sort();
    assert.deepEqual(names, [
      "other-20200101T000000Z.prom.gz",
      "web1-20260101T000002.000Z.json.gz",
      "web1-20260101T000003.000Z.json.gz",
    ]);
    const doc = JSON.parse(
      new TextDecoder().decode(await gunzip(await Deno.readFile(`${dir}/${names[2]}`))),
    );
    assert.equal(doc.host, "web1");
    assert.equal(doc.facts.hostname, "web1");
    assert.equal(doc.metrics[0].samples[0].value, 0.25);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runExportLoop() pushes at the interval, never overlapping, until aborted", async () => {
  const times: number[] = [];
  const errors: string[] = [];
  const controller = new AbortController();
  let n = 0;
  const exporter = {
    name: "test",
    async push() {
      times.push(Date.now());
      await new Promise((r) => setTimeout(r, 30));
      if (++n === 2) throw new Error("transient");
      return `#${n}`;
    },
    close() {},
  };
  const loop = runExportLoop([{ exporter, intervalMs: 100 }], {
    snapshot: () => Promise.resolve(snapshot(new Date())),
    signal: controller.signal,
    jitter: false,
    onError: (_, m) => errors.push(m),
  });
  await new Promise((r) => setTimeout(r, 560));
  controller.abort();
  await loop;
  assert.ok(times.length >= 3 && times.length <= 6, `${times.length} pushes`);
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i]! - times[i - 1]! >= 90, "no overlap, interval kept");
  }
  assert.deepEqual(errors, ["transient"], "a failed push is reported and the loop goes on");
});

Deno.test({
  ...requires("S3Exporter pushes a gzipped snapshot to a real s3rver, read back", s3rverMissing),
  async fn() {
    const s3 = await startS3rver("metrics-bucket");
    try {
      const t = new Date(Date.UTC(2026, 10, 25, 23, 59, 7));
      const e = new S3Exporter({
        type: "s3",
        bucket: s3.bucket,
        prefix: "fleet",
        endpoint: s3.endpoint,
        force_path_style: true,
        access_key_id: "S3RVER",
        secret_access_key: "S3RVER",
      });
      const key = await e.push(snapshot(t));
      // A second push of the same moment is another object.
      const again = await e.push(snapshot(t));
      e.close();
      assert.match(key, /^fleet\/web1\/2026\/11\/25\/235907\.000-[0-9a-f]{8}\.prom\.gz$/);
      assert.notEqual(again, key);
      const client = await createS3Client({
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        const body = await got.Body!.transformToByteArray();
        const text = new TextDecoder().decode(await gunzip(body));
        assert.match(text, /^# TYPE node_load1 gauge\nnode_load1 0\.25$/m);
      } finally {
        client.destroy();
      }
    } finally {
      await s3.stop();
    }
  },
});

Deno.test({
  ...requires(
    "driftless facts --push uploads to s3rver with credentials from the standard AWS chain",
    s3rverMissing,
  ),
  async fn() {
    const s3 = await startS3rver("pushed");
    const dir = await Deno.makeTempDir();
    try {
      await writeTree(dir, {
        "facts.yml": [
          "exporters:",
          "  - type: s3",
          `    bucket: ${s3.bucket}`,
          "    prefix: nodes",
          `    endpoint: ${s3.endpoint}`,
          "    force_path_style: true",
          "    format: json",
        ].join("\n") + "\n",
      });
      const r = await runCli(["--config", dir, "facts", "--push", "--collector", "meminfo"], {
        env: {
          AWS_ACCESS_KEY_ID: "S3RVER",
          AWS_SECRET_ACCESS_KEY: "S3RVER",
          AWS_REGION: "us-east-1",
        },
      });
      assert.equal(r.code, 0, r.stderr);
      const client = await createS3Client({
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      try {
        const list = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
        const keys = (list.Contents ?? []).map((o) => o.Key!);
        assert.equal(keys.length, 1);
        assert.match(
          keys[0]!,
          /^nodes\/[^/]+\/\d{4}\/\d\d\/\d\d\/\d{6}\.\d{3}-[0-9a-f]{8}\.json\.gz$/,
        );
        const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keys[0]! }));
        const doc = JSON.parse(
          new TextDecoder().decode(await gunzip(await got.Body!.transformToByteArray())),
        );
        assert.ok(doc.facts.memtotal_mb > 0);
        assert.ok(
          doc.metrics.some((f: { name: string }) => f.name === "node_memory_MemTotal_bytes"),
        );
      } finally {
        client.destroy();
      }
    } finally {
      await s3.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
