/**
 * The public config types are the schemas' types: each interface in `*_types.ts` must be
 * identical to `z.output` (or, for what users write, `z.input`) of its schema. A schema change
 * that is not mirrored in the interfaces fails `deno check` here, naming the type.
 */
import assert from "node:assert/strict";
import type * as z from "zod";
import type * as facts from "../../../lib/config/facts_types.ts";
import type * as logs from "../../../lib/config/logs_types.ts";
import type * as agent from "../../../lib/config/agent_types.ts";
import type * as sinks from "../../../lib/sinks/config_types.ts";
import type {
  collectorsSchema,
  factsSchema,
  fileExporterSchema,
  s3ExporterSchema,
  serveSchema,
  thresholdSchema,
} from "../../../lib/config/facts_schema.ts";
import type { filterSchema, logsSchema, sourceSchema } from "../../../lib/config/logs_schema.ts";
import type {
  agentApplySchema,
  agentGitSchema,
  agentSchema,
} from "../../../lib/config/agent_schema.ts";
import type {
  batchSchema,
  consoleSinkSchema,
  fileSinkSchema,
  httpSinkSchema,
  queueSchema,
  retrySchema,
  s3SinkSchema,
  s3TargetShape,
  sinkSchema,
  syslogSinkSchema,
} from "../../../lib/sinks/config.ts";
import { loadConfig } from "../../../mod.ts";

/**
 * True when A and B are the same type: every key, its optionality, readonly-ness and type (a
 * key missing on one side is caught, which mutual assignability alone would let through).
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/** Fails the type check unless T is `true`. */
function same<_T extends true>(): void {}

type Out<S extends z.ZodType> = z.output<S>;
type In<S extends z.ZodType> = z.input<S>;

// facts.*
same<Equal<facts.FactsConfig, Out<typeof factsSchema>>>();
same<Equal<facts.CollectorsConfig, Out<typeof collectorsSchema>>>();
same<Equal<facts.ThresholdConfig, Out<typeof thresholdSchema>>>();
same<Equal<facts.ServeConfig, Out<typeof serveSchema>>>();
same<Equal<facts.S3ExporterConfig, Out<typeof s3ExporterSchema>>>();
same<Equal<facts.FileExporterConfig, Out<typeof fileExporterSchema>>>();
same<Equal<facts.CollectorName, keyof Out<typeof collectorsSchema>>>();

// logs.*
same<Equal<logs.LogsConfig, Out<typeof logsSchema>>>();
same<Equal<logs.SourceConfig, Out<typeof sourceSchema>>>();
same<Equal<logs.FilterConfig, Out<typeof filterSchema>>>();
same<Equal<logs.ParserConfig, NonNullable<Out<typeof sourceSchema>["parser"]>>>();

// agent.*
same<Equal<agent.AgentConfig, Out<typeof agentSchema>>>();
same<Equal<agent.AgentApplyConfig, Out<typeof agentApplySchema>>>();
same<Equal<agent.AgentGitConfig, Out<typeof agentGitSchema>>>();

// sinks, parsed (logs outputs, audit sinks) and as written (createSink)
same<Equal<sinks.SinkConfig, Out<typeof sinkSchema>>>();
same<Equal<sinks.SinkInput, In<typeof sinkSchema>>>();
same<Equal<sinks.FileSinkConfig, Out<typeof fileSinkSchema>>>();
same<Equal<sinks.S3SinkConfig, Out<typeof s3SinkSchema>>>();
same<Equal<sinks.SyslogSinkConfig, Out<typeof syslogSinkSchema>>>();
same<Equal<sinks.HttpSinkConfig, Out<typeof httpSinkSchema>>>();
same<Equal<sinks.ConsoleSinkConfig, Out<typeof consoleSinkSchema>>>();
same<Equal<sinks.BatchOptions, Out<typeof batchSchema>>>();
same<Equal<sinks.BatchOptions<sinks.WrittenUnits>, In<typeof batchSchema>>>();
same<Equal<sinks.RetryOptions, Out<typeof retrySchema>>>();
same<Equal<sinks.QueueOptions, Out<typeof queueSchema>>>();
same<Equal<sinks.S3Target, Out<z.ZodObject<typeof s3TargetShape>>>>();

// The check itself tells types apart (a comparison that cannot fail proves nothing).
same<Equal<Equal<{ a?: number }, { a?: number; b?: string }>, false>>();
same<Equal<Equal<{ a?: number }, { a?: number | undefined }>, false>>();
same<Equal<Equal<{ a: number }, { a: string }>, false>>();

Deno.test("loadConfig returns the sections as their public types say: durations in ms, sizes in bytes, agent defaults applied", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/facts.yml`,
      "interval: 15s\ncollectors: { cpu: { info: true, interval: 2s } }\n",
    );
    await Deno.writeTextFile(
      `${dir}/logs.yml`,
      `sources: [{ name: app, paths: ["/var/log/app.log"], outputs: [out], poll_interval: 250ms }]
outputs: [{ name: out, type: file, path: /tmp/out.log, batch: { max_bytes: 64KiB, timeout: 2 } }]
`,
    );
    await Deno.writeTextFile(`${dir}/agent.yml`, "apply: { interval: 1h }\n");
    const config = await loadConfig(dir);
    const interval: number | undefined = config.facts?.interval;
    assert.equal(interval, 15_000);
    const cpu: facts.CpuCollectorOptions | undefined = config.facts?.collectors?.cpu;
    assert.deepEqual(cpu, { info: true, interval: 2000 });
    const source: logs.SourceConfig | undefined = config.logs?.sources?.[0];
    assert.equal(source?.poll_interval, 250);
    const output: sinks.SinkConfig | undefined = config.logs?.outputs?.[0];
    assert.equal(output?.type, "file");
    assert.deepEqual(output?.batch, { max_bytes: 65_536, timeout: 2000 });
    const apply: agent.AgentApplyConfig | undefined = config.agent?.apply;
    assert.deepEqual(apply, {
      enabled: true,
      interval: 3_600_000,
      run_on_start: true,
      timeout: 3_600_000,
      mode: "enforce",
      http_trigger: false,
    });
    assert.equal(config.agent?.debounce, 2000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
