import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createS3Client, S3Sink } from "../../../lib/sinks/s3.ts";
import { gunzip } from "../../../lib/sinks/gzip.ts";
import { s3rverMissing, startS3rver } from "./_s3rver.ts";
import { needs } from "../../_helpers/needs.ts";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

async function readAll(endpoint: string, bucket: string, prefix = "") {
  const client = await createS3Client({ endpoint, forcePathStyle: true, credentials });
  const out = new Map<string, Uint8Array>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      out.set(o.Key!, await got.Body!.transformToByteArray());
    }
    token = page.NextContinuationToken;
  } while (token);
  client.destroy();
  return out;
}

Deno.test(needs(s3rverMissing, {
  name: "S3Sink writes one gzipped NDJSON object per source, read back from s3rver",
  async fn() {
    const s3 = await startS3rver("logs");
    try {
      const sink = new S3Sink({
        name: "archive",
        type: "s3",
        bucket: s3.bucket,
        prefix: "p",
        endpoint: s3.endpoint,
        force_path_style: true,
        access_key_id: "S3RVER",
        secret_access_key: "S3RVER",
      }, { host: "h1" });
      await sink.check();
      const batch = [];
      for (let i = 0; i < 300; i++) {
        batch.push({ message: `line ${i}`, source: i % 3 === 0 ? "nginx" : "app", seq: i });
      }
      await sink.send(batch);
      await sink.close();
      const objects = await readAll(s3.endpoint, s3.bucket);
      assert.equal(objects.size, 2);
      const seqs: number[] = [];
      for (const [key, body] of objects) {
        assert.match(
          key,
          /^p\/h1\/(nginx|app)\/\d{4}\/\d\d\/\d\d\/\d\d\/\d{8}T\d{6}Z-[0-9a-f-]{36}\.ndjson\.gz$/,
        );
        const lines = new TextDecoder().decode(await gunzip(body)).trimEnd().split("\n");
        for (const l of lines) {
          const e = JSON.parse(l);
          assert.equal(e.source, key.split("/")[2]);
          seqs.push(e.seq);
        }
      }
      assert.deepEqual(seqs.sort((a, b) => a - b), [...Array(300).keys()]);
    } finally {
      await s3.stop();
    }
  },
}));

Deno.test(needs(s3rverMissing, {
  name: "S3Sink.check() fails clearly on a missing bucket",
  async fn() {
    const s3 = await startS3rver("logs");
    try {
      const sink = new S3Sink({
        name: "x",
        type: "s3",
        bucket: "nope",
        endpoint: s3.endpoint,
        force_path_style: true,
        access_key_id: "S3RVER",
        secret_access_key: "S3RVER",
      }, { host: "h" });
      await assert.rejects(() => sink.check(), /s3:\/\/nope.*404/);
      await sink.close();
    } finally {
      await s3.stop();
    }
  },
}));
