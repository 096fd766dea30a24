import assert from "node:assert/strict";
import { toJsonFamilies, toPrometheusText } from "../../../lib/facts/exposition.ts";
import { family } from "../../../lib/facts/metric.ts";
import { missing } from "./_fixtures.ts";
import { promtool } from "./_serve.ts";

const FAMS = [
  family("node_vmstat_pgfault", "/proc/vmstat information field pgfault.", "untyped", [{
    labels: {},
    value: 12,
  }]),
  family("node_filesystem_size_bytes", "Filesystem size in bytes.", "gauge", [
    {
      labels: { device: "/dev/sdb1", fstype: "ext4", mountpoint: '/srv/my "data"\\x' },
      value: 2.7e11,
    },
  ]),
  family("job_duration_seconds", "How long\nit took", "histogram", [
    { name: "job_duration_seconds_bucket", labels: { le: "1" }, value: 3 },
    { name: "job_duration_seconds_bucket", labels: { le: "+Inf" }, value: 4 },
    { name: "job_duration_seconds_sum", labels: {}, value: 5.5 },
    { name: "job_duration_seconds_count", labels: {}, value: 4 },
  ]),
  family("weird", "non-finite", "gauge", [{ labels: { k: "nan" }, value: NaN }, {
    labels: { k: "inf" },
    value: -Infinity,
  }]),
];

Deno.test("toPrometheusText() writes untyped families, escapes labels and help", async () => {
  const text = await toPrometheusText(FAMS);
  assert.match(text, /^# TYPE node_vmstat_pgfault untyped$/m);
  assert.match(
    text,
    /^node_filesystem_size_bytes\{device="\/dev\/sdb1",fstype="ext4",mountpoint="\/srv\/my \\"data\\"\\\\x"\} 270000000000$/m,
  );
  assert.match(text, /^# HELP job_duration_seconds How long\\nit took$/m);
  assert.match(text, /^job_duration_seconds_bucket\{le="\+Inf"\} 4$/m);
  assert.match(text, /^weird\{k="inf"\} -Inf$/m);
});

Deno.test({
  name: "toPrometheusText() output passes promtool check metrics",
  ignore: missing("promtool") !== undefined,
  async fn() {
    const r = await promtool(await toPrometheusText(FAMS));
    assert.equal(r.code, 0, r.findings.join("\n"));
  },
});

Deno.test("toJsonFamilies() keeps non-finite values as Prometheus writes them", () => {
  const json = toJsonFamilies(FAMS);
  assert.deepEqual(json[3]!.samples.map((s) => s.value), ["NaN", "-Inf"]);
  assert.equal(json[2]!.samples[0]!.name, "job_duration_seconds_bucket");
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)));
});
