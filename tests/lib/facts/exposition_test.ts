import assert from "node:assert/strict";
import { formatValue, toJsonFamilies, toPrometheusText } from "../../../lib/facts/exposition.ts";
import { family } from "../../../lib/facts/metric.ts";
import { missing, requires } from "./_fixtures.ts";
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
  family("job_duration_seconds", "How long\nit took in C:\\ time", "histogram", [
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

Deno.test("toPrometheusText() writes untyped families, escapes labels and help", () => {
  const text = toPrometheusText(FAMS);
  assert.match(text, /^# TYPE node_vmstat_pgfault untyped$/m);
  assert.match(
    text,
    /^node_filesystem_size_bytes\{device="\/dev\/sdb1",fstype="ext4",mountpoint="\/srv\/my \\"data\\"\\\\x"\} 2\.7e\+11$/m,
  );
  assert.match(text, /^# HELP job_duration_seconds How long\\nit took in C:\\\\ time$/m);
  assert.match(text, /^job_duration_seconds_bucket\{le="\+Inf"\} 4$/m);
  assert.match(text, /^weird\{k="inf"\} -Inf$/m);
  assert.match(text, /^weird\{k="nan"\} NaN$/m);
  assert.doesNotMatch(text, /Infinity/);
});

Deno.test("formatValue() writes numbers as node_exporter's Go client does", () => {
  // Each right-hand side is how node_exporter 1.5 writes the value (e2e-output.txt).
  const cases: [number, string][] = [
    [0, "0"],
    [1, "1"],
    [-1, "-1"],
    [999999, "999999"],
    [1e6, "1e+06"],
    [16779968000, "1.6779968e+10"],
    [0.25, "0.25"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [18446744073709551615, "1.8446744073709552e+19"],
    [123456.789, "123456.789"],
    [NaN, "NaN"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
  ];
  for (const [v, text] of cases) assert.equal(formatValue(v), text, String(v));
});

Deno.test({
  ...requires("toPrometheusText() output passes promtool check metrics", missing("promtool")),
  async fn() {
    const r = await promtool(toPrometheusText(FAMS));
    assert.equal(r.code, 0, r.findings.join("\n"));
  },
});

Deno.test("toJsonFamilies() keeps non-finite values as Prometheus writes them", () => {
  const json = toJsonFamilies(FAMS);
  assert.deepEqual(json[3]!.samples.map((s) => s.value), ["NaN", "-Inf"]);
  assert.equal(json[2]!.samples[0]!.name, "job_duration_seconds_bucket");
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(json)));
});
