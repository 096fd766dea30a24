import assert from "node:assert/strict";
import { parsePromText, PromTextError } from "../../../lib/facts/prom_text.ts";
import { textfileCollector, textfileFamilies } from "../../../lib/facts/textfile.ts";
import { DEFAULT_PATHS } from "../../../lib/facts/collector.ts";
import { valueOf } from "./_fixtures.ts";

Deno.test("parsePromText() reads HELP, TYPE, escaped labels and histogram series", () => {
  const { families, hasTimestamps } = parsePromText([
    "# HELP job_duration_seconds How long\\nit took",
    "# TYPE job_duration_seconds histogram",
    'job_duration_seconds_bucket{le="1"} 3',
    'job_duration_seconds_bucket{le="+Inf"} 4',
    "job_duration_seconds_sum 5.5",
    "job_duration_seconds_count 4",
    "# a comment",
    'backup_ok{path="/srv/a \\"b\\"",host="x\\\\y"} 1',
    "weird_value NaN",
    "",
  ].join("\n"));
  assert.equal(hasTimestamps, false);
  const h = families[0]!;
  assert.deepEqual([h.name, h.type, h.help, h.samples.length], [
    "job_duration_seconds",
    "histogram",
    "How long\nit took",
    4,
  ]);
  assert.equal(h.samples[0]!.name, "job_duration_seconds_bucket");
  assert.deepEqual(families[1]!.samples[0]!.labels, { path: '/srv/a "b"', host: "x\\y" });
  assert.equal(families[1]!.type, "untyped");
  assert.ok(Number.isNaN(families[2]!.samples[0]!.value));
});

Deno.test("parsePromText() reports the line of a syntax error", () => {
  assert.throws(
    () => parsePromText("ok 1\nbad metric{\n"),
    (e: unknown) => e instanceof PromTextError && e.line === 2,
  );
  assert.throws(() => parsePromText('x{a="1",a="2"} 1'), /duplicate label/);
  assert.throws(() => parsePromText("# TYPE x gauges\n"), /unknown metric type/);
  assert.equal(parsePromText("x 1 1700000000000\n").hasTimestamps, true);
});

Deno.test("textfileFamilies() merges files, records mtimes and flags bad files like node_exporter", () => {
  const r = textfileFamilies([
    {
      path: "/d/a.prom",
      text: '# HELP my_metric A test\n# TYPE my_metric gauge\nmy_metric{a="1"} 3\nother_thing 5\n',
      mtime: 100,
    },
    { path: "/d/b.prom", text: "bad metric{\n", mtime: 200 },
    { path: "/d/c.prom", text: "ts_metric 1 1700000000000\n", mtime: 300 },
    { path: "/d/d.prom", text: 'my_metric{a="2"} 4\n', mtime: 400 },
  ]);
  assert.equal(r.errors.length, 3);
  assert.match(r.errors[0]!, /b\.prom.*line 1/);
  assert.match(r.errors[1]!, /unsupported client-side timestamps/);
  assert.match(r.errors[2]!, /d\.prom.*my_metric has another type/);
  const f = r.families;
  assert.equal(
    valueOf(f, "my_metric", { a: "2" }),
    undefined,
    "d.prom's untyped my_metric conflicts with a.prom's gauge",
  );
  assert.equal(valueOf(f, "node_textfile_scrape_error"), 1);
  assert.equal(f.find((x) => x.name === "other_thing")!.help, "Metric read from /d/a.prom");
  assert.deepEqual(
    f.find((x) => x.name === "node_textfile_mtime_seconds")!.samples.map((s) => s.labels.file),
    ["/d/a.prom"],
  );
});

Deno.test("textfileCollector() reads *.prom files from a real directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/backup.prom`,
      "# TYPE backup_last_success_seconds gauge\nbackup_last_success_seconds 1.7e9\n",
    );
    await Deno.writeTextFile(`${dir}/ignored.txt`, "not_read 1\n");
    const errors: string[] = [];
    const fams = await textfileCollector({ directory: dir, onError: (m) => errors.push(m) })
      .collect({ paths: DEFAULT_PATHS, signal: new AbortController().signal });
    assert.equal(valueOf(fams, "backup_last_success_seconds"), 1.7e9);
    assert.equal(valueOf(fams, "not_read"), undefined);
    assert.equal(valueOf(fams, "node_textfile_scrape_error"), 0);
    const mtime = (await Deno.stat(`${dir}/backup.prom`)).mtime!.getTime() / 1000;
    assert.equal(
      valueOf(fams, "node_textfile_mtime_seconds", { file: `${dir}/backup.prom` }),
      mtime,
    );
    assert.deepEqual(errors, []);
    const none = await textfileCollector({ directory: `${dir}/absent` }).collect({
      paths: DEFAULT_PATHS,
      signal: new AbortController().signal,
    });
    assert.equal(valueOf(none, "node_textfile_scrape_error"), 0, "a missing directory is no error");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
