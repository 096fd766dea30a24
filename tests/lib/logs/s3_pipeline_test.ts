import assert from "node:assert/strict";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { gunzip } from "../../../lib/sinks/gzip.ts";
import { createS3Client } from "../../../lib/sinks/s3.ts";
import { s3rverMissing, startS3rver } from "../sinks/_s3rver.ts";
import { append, once, seqs, tally, withDir } from "./_pipeline.ts";

Deno.test({
  name: "pipeline ships a log to a real s3rver: objects read back and counted, every line once",
  ignore: s3rverMissing !== undefined,
  fn: () =>
    withDir(async (dir) => {
      const s3 = await startS3rver("archive");
      try {
        await Deno.mkdir(`${dir}/logs`);
        await append(`${dir}/logs/app.log`, 0, 20_000);
        await append(`${dir}/logs/db.log`, 20_000, 25_000);
        await once({
          state_dir: `${dir}/state`,
          sources: [
            { name: "app", paths: [`${dir}/logs/app.log`], outputs: ["s3"] },
            { name: "db", paths: [`${dir}/logs/db.log`], outputs: ["s3"] },
          ],
          outputs: [{
            name: "s3",
            type: "s3",
            bucket: "archive",
            prefix: "logs",
            endpoint: s3.endpoint,
            force_path_style: true,
            access_key_id: "S3RVER",
            secret_access_key: "S3RVER",
            batch: { max_events: 6000 },
          }],
        });
        const client = await createS3Client({
          endpoint: s3.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
        });
        const list = await client.send(new ListObjectsV2Command({ Bucket: "archive" }));
        const keys = (list.Contents ?? []).map((o) => o.Key!);
        assert.ok(keys.length >= 5, `${keys.length} objects`);
        let text = "";
        for (const key of keys) {
          assert.match(
            key,
            /^logs\/test-host\/(app|db)\/\d{4}\/\d\d\/\d\d\/\d\d\/\d{8}T\d{6}Z-[0-9a-f-]{36}\.ndjson\.gz$/,
          );
          const obj = await client.send(new GetObjectCommand({ Bucket: "archive", Key: key }));
          const body = new TextDecoder().decode(
            await gunzip(await obj.Body!.transformToByteArray()),
          );
          for (const l of body.trimEnd().split("\n")) {
            const e = JSON.parse(l);
            assert.equal(e.event.dataset, key.split("/")[2]);
            text += e.message + "\n";
          }
        }
        client.destroy();
        assert.deepEqual(tally(seqs(text), 25_000), { missing: [], duplicates: 0 });
      } finally {
        await s3.stop();
      }
    }),
});
