/**
 * A parser for the Prometheus text format (0.0.4), for the textfile collector: HELP and TYPE
 * lines, labels with escapes, histogram and summary series, and timestamps (reported, so the
 * collector can refuse them as node_exporter does).
 *
 * @module
 */
import type { MetricFamily, MetricType, Sample } from "./metric.ts";

/** A parse error with its 1-based line number. */
export class PromTextError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "PromTextError";
    this.line = line;
  }
}

/** What a text file holds. */
export interface PromText {
  readonly families: MetricFamily[];
  /** True when any sample carries a timestamp. */
  readonly hasTimestamps: boolean;
}

const TYPES = new Set(["counter", "gauge", "untyped", "summary", "histogram"]);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count"],
};

function parseValue(s: string): number {
  const lower = s.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^0x[0-9a-f]+$/i.test(s)) return NaN;
  return Number(s);
}

/**
 * Parses exposition text. `defaultHelp` gives the help of families without a HELP line.
 *
 * @example
 * ```ts
 * parsePromText("# TYPE up gauge\nup 1\n").families[0]?.type; // "gauge"
 * ```
 */
export function parsePromText(text: string, defaultHelp = ""): PromText {
  const byName = new Map<
    string,
    { name: string; help?: string; type?: MetricType; samples: Sample[] }
  >();
  const get = (name: string) => {
    let f = byName.get(name);
    if (!f) byName.set(name, f = { name, samples: [] });
    return f;
  };
  let hasTimestamps = false;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, "");
    const lineNo = n + 1;
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) continue;
      const [, kind, name, rest = ""] = m;
      if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) {
        throw new PromTextError(lineNo, `invalid metric name "${name}"`);
      }
      const f = get(name!);
      if (kind === "HELP") {
        if (f.help !== undefined) throw new PromTextError(lineNo, `second HELP line for ${name}`);
        f.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
      } else {
        const type = rest.trim();
        if (!TYPES.has(type)) throw new PromTextError(lineNo, `unknown metric type "${type}"`);
        if (f.type !== undefined) throw new PromTextError(lineNo, `second TYPE line for ${name}`);
        if (f.samples.length > 0) {
          throw new PromTextError(lineNo, `TYPE for ${name} after its samples`);
        }
        f.type = type as MetricType;
      }
      continue;
    }
    const sample = parseSampleLine(line, lineNo);
    if (sample.timestamp) hasTimestamps = true;
    // A histogram's `_bucket` series belongs to the family its TYPE line declared.
    let owner = sample.name;
    for (const [base, f] of [...byName].reverse()) {
      const suffixes = f.type ? SUFFIXES[f.type] : undefined;
      if (suffixes?.some((s) => sample.name === `${base}${s}`)) {
        owner = base;
        break;
      }
    }
    const f = get(owner);
    f.samples.push({
      ...(owner !== sample.name ? { name: sample.name } : {}),
      labels: sample.labels,
      value: sample.value,
    });
  }
  const families: MetricFamily[] = [];
  for (const f of byName.values()) {
    if (f.samples.length === 0) continue;
    families.push({
      name: f.name,
      help: f.help ?? defaultHelp,
      type: f.type ?? "untyped",
      samples: f.samples,
    });
  }
  return { families, hasTimestamps };
}

function parseSampleLine(line: string, lineNo: number) {
  let i = 0;
  const m = NAME.exec(line);
  if (!m) {
    throw new PromTextError(
      lineNo,
      `expected a metric name, found ${JSON.stringify(line.slice(0, 40))}`,
    );
  }
  const name = m[0];
  i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    for (;;) {
      while (line[i] === " ") i++;
      if (line[i] === "}") {
        i++;
        break;
      }
      const ln = LABEL_NAME.exec(line.slice(i));
      if (!ln) throw new PromTextError(lineNo, `expected a label name in ${JSON.stringify(line)}`);
      i += ln[0].length;
      while (line[i] === " ") i++;
      if (line[i] !== "=") throw new PromTextError(lineNo, `expected "=" after label ${ln[0]}`);
      i++;
      while (line[i] === " ") i++;
      if (line[i] !== '"') {
        throw new PromTextError(lineNo, `expected a quoted value for label ${ln[0]}`);
      }
      i++;
      let value = "";
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new PromTextError(lineNo, "unterminated label value");
        if (c === '"') break;
        if (c === "\\") {
          const e = line[i + 1];
          value += e === "n" ? "\n" : e === '"' ? '"' : e === "\\" ? "\\" : `\\${e ?? ""}`;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (ln[0] in labels) throw new PromTextError(lineNo, `duplicate label ${ln[0]}`);
      labels[ln[0]] = value;
      while (line[i] === " ") i++;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw new PromTextError(lineNo, `expected "," or "}" in labels`);
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length === 0 || rest[0] === "" || rest.length > 2) {
    throw new PromTextError(lineNo, `expected a value (and optional timestamp) after ${name}`);
  }
  const value = parseValue(rest[0]!);
  if (Number.isNaN(value) && rest[0]!.toLowerCase() !== "nan") {
    throw new PromTextError(lineNo, `expected float as value, got ${JSON.stringify(rest[0])}`);
  }
  if (rest[1] !== undefined && !/^-?\d+$/.test(rest[1])) {
    throw new PromTextError(
      lineNo,
      `expected an integer timestamp, got ${JSON.stringify(rest[1])}`,
    );
  }
  return { name, labels, value, timestamp: rest[1] !== undefined };
}
