/**
 * What a checkpoint save costs (JSON, write, fsync, rename, directory fsync), by the number of
 * files followed: the logs pipeline saves after every batch an output acknowledges, so this is
 * the price of "a crash repeats at most one batch". Run: deno bench -A bench/logs_checkpoint_bench.ts
 */
import { CheckpointStore } from "../lib/logs/checkpoint.ts";

for (const files of [1, 100, 1000, 5000]) {
  const dir = await Deno.makeTempDir({ prefix: "driftless_cp_bench_" });
  const store = await CheckpointStore.open(dir);
  for (let i = 0; i < files; i++) {
    store.set({
      source: "app",
      dev: 2049,
      ino: 100_000 + i,
      fp: "ab".repeat(16),
      fp_len: 1024,
      offset: 1_000_000 + i,
      path: `/var/log/app/service-${i}.log`,
      sinks: { web: 2_000_000 + i },
    });
  }
  let n = 0;
  Deno.bench({
    name: `checkpoint save, ${files} file(s)`,
    group: "checkpoint",
    baseline: files === 1,
    async fn() {
      store.set({
        source: "app",
        dev: 2049,
        ino: 100_000,
        fp: "ab".repeat(16),
        fp_len: 1024,
        offset: 2_000_000 + ++n,
        path: "/var/log/app/service-0.log",
      });
      await store.save();
    },
  });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
}
