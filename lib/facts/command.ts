/**
 * The command collector: runs configured commands (no shell unless asked) with a timeout and
 * turns their output into metrics: a bare number becomes the gauge `<name>`, a JSON object
 * becomes one gauge per numeric or boolean leaf (`<name>_<path>`). Each command also reports
 * `driftless_command_success{command}` and `driftless_command_duration_seconds{command}`.
 *
 * @module
 */
import { runCommand } from "./_run.ts";
import type { Collector } from "./collector.ts";
import { FamilySet, type MetricFamily, sanitizeName } from "./metric.ts";

/** One configured command. */
export interface CommandSpec {
  /** Metric name (or prefix for JSON output); also the `command` label. */
  readonly name: string;
  /** argv, or a string run with `/bin/sh -c`. */
  readonly command: readonly string[] | string;
  readonly timeoutMs?: number;
  readonly help?: string;
  /** Extra labels on every metric of this command. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Metric samples parsed from a command's output. */
export interface ParsedOutput {
  /** Metric name suffix (`""` for a bare number) → value. */
  readonly values: ReadonlyArray<readonly [string, number]>;
}

/** Parses stdout: a number, or JSON (number, boolean, object or array of those, nested). */
export function parseCommandOutput(stdout: string): ParsedOutput {
  const text = stdout.trim();
  if (text === "") throw new Error("the command printed nothing");
  const asNumber = Number(text);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && Number.isFinite(asNumber)) {
    return { values: [["", asNumber]] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`expected a number or JSON, found ${JSON.stringify(text.slice(0, 60))}`);
  }
  const values: [string, number][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === "number" && Number.isFinite(v)) values.push([path.join("_"), v]);
    else if (typeof v === "boolean") values.push([path.join("_"), v ? 1 : 0]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(data, []);
  if (values.length === 0) throw new Error("the JSON output holds no numbers");
  return { values };
}

/** One command's outcome, for {@linkcode commandFamilies}. */
export interface CommandOutcome {
  readonly spec: CommandSpec;
  readonly durationSeconds: number;
  readonly parsed?: ParsedOutput;
}

/** The families for the commands' outcomes. */
export function commandFamilies(outcomes: readonly CommandOutcome[]): MetricFamily[] {
  const set = new FamilySet();
  for (const o of outcomes) {
    for (const [suffix, value] of o.parsed?.values ?? []) {
      const name = sanitizeName(suffix === "" ? o.spec.name : `${o.spec.name}_${suffix}`);
      set.add(name, o.spec.help ?? `Output of the command "${o.spec.name}".`, "gauge", {
        ...o.spec.labels,
      }, value);
    }
  }
  for (const o of outcomes) {
    set.add(
      "driftless_command_success",
      "1 if the command ran, exited 0 and its output parsed.",
      "gauge",
      { command: o.spec.name },
      o.parsed ? 1 : 0,
    );
  }
  for (const o of outcomes) {
    set.add("driftless_command_duration_seconds", "How long the command ran.", "gauge", {
      command: o.spec.name,
    }, o.durationSeconds);
  }
  return set.list();
}

/** Options of the command collector. */
export interface CommandOptions {
  readonly commands: readonly CommandSpec[];
  /** Default per-command timeout. */
  readonly timeoutMs?: number;
  /** Receives one line per failed command. */
  readonly onError?: (message: string) => void;
}

/**
 * The command collector: runs every command concurrently, each with its own timeout. When the
 * collector itself is aborted (its timeout), the commands still running are killed and the
 * ones that finished keep their results.
 */
export function commandCollector(options: CommandOptions): Collector {
  const timeoutOf = (spec: CommandSpec) => spec.timeoutMs ?? options.timeoutMs ?? 10_000;
  return {
    name: "command",
    // Long enough for every command's own timeout, the SIGKILL that may follow and a margin.
    timeoutMs: Math.max(0, ...options.commands.map(timeoutOf)) + 2000,
    async collect({ signal }) {
      const outcomes = await Promise.all(
        options.commands.map(async (spec): Promise<CommandOutcome> => {
          const argv = typeof spec.command === "string"
            ? ["/bin/sh", "-c", spec.command]
            : spec.command;
          const t0 = performance.now();
          try {
            const r = await runCommand(argv, {
              timeoutMs: timeoutOf(spec),
              signal,
            });
            if (r.code !== 0) {
              throw new Error(
                `exited ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ""}`,
              );
            }
            return {
              spec,
              durationSeconds: (performance.now() - t0) / 1000,
              parsed: parseCommandOutput(r.stdout),
            };
          } catch (e) {
            options.onError?.(`command "${spec.name}": ${(e as Error).message}`);
            return { spec, durationSeconds: (performance.now() - t0) / 1000 };
          }
        }),
      );
      return commandFamilies(outcomes);
    },
  };
}
