/**
 * Thresholds: named `warn` / `crit` bounds on the series of a metric (chosen with a
 * PromQL-style selector and label matches). Each evaluation exports
 * `driftless_threshold_state{threshold, metric, <series labels>, severity}` (1 for the current
 * severity of ok, warning, critical; 0 for the others) and reports each change of severity as
 * a structured event. A severity rises as soon as a bound is crossed and falls only once the
 * value is back past the bound by the rule's hysteresis, so a value hovering at a bound does
 * not flap.
 *
 * @module
 */
import { FamilySet, type Labels, type MetricFamily } from "./metric.ts";

/** A label matcher: `=`, `!=`, `=~` or `!~` (regexes are anchored, as in PromQL). */
export interface Matcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

/** A parsed selector. */
export interface Selector {
  readonly name: string;
  readonly matchers: readonly Matcher[];
}

/** Parses `name` or `name{label="v",other!~"re"}`. */
export function parseSelector(text: string): Selector {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/.exec(text);
  if (!m) {
    throw new SyntaxError(`expected a metric name or selector, found ${JSON.stringify(text)}`);
  }
  const matchers: Matcher[] = [];
  let rest = (m[2] ?? "").trim();
  while (rest !== "") {
    const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,\s*)?/.exec(
      rest,
    );
    if (!lm) {
      throw new SyntaxError(
        `bad label matcher in ${JSON.stringify(text)} at ${JSON.stringify(rest)}`,
      );
    }
    const value = lm[3]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (lm[2] === "=~" || lm[2] === "!~") new RegExp(`^(?:${value})$`);
    matchers.push({ label: lm[1]!, op: lm[2] as Matcher["op"], value });
    rest = rest.slice(lm[0].length);
  }
  return { name: m[1]!, matchers };
}

/** A threshold rule (from `facts.thresholds`). */
export interface ThresholdRule {
  /** Names the rule: the `threshold` label and the events' `threshold`. */
  readonly name: string;
  /** Metric name or selector. */
  readonly metric: string;
  /** Exact label matches added to the selector's. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly warn?: number | undefined;
  readonly crit?: number | undefined;
  readonly direction?: "above" | "below" | undefined;
  /**
   * How far back past a bound the value must go before the severity falls (in the metric's
   * unit). Default: 5 % of each bound; 0 turns it off.
   */
  readonly hysteresis?: number | undefined;
}

/** A severity. */
export type Severity = "ok" | "warning" | "critical";
const SEVERITIES: readonly Severity[] = ["ok", "warning", "critical"];

/** A matched series and its severity, as the last evaluation left it. */
export interface ThresholdState {
  readonly threshold: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly severity: Severity;
  readonly value: number;
  readonly rule: ThresholdRule;
}

/** A change of severity: the structured event sent to the audit sinks. */
export interface ThresholdEvent {
  readonly "@timestamp": string;
  readonly event: "threshold";
  readonly threshold: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly severity: Severity;
  readonly previous: Severity;
  readonly value: number;
  readonly warn?: number;
  readonly crit?: number;
  readonly direction: "above" | "below";
  readonly message: string;
}

type Bounds = Pick<ThresholdRule, "warn" | "crit" | "direction">;

/** The severity of a value under a rule's bounds, without hysteresis. */
export function severityOf(rule: Bounds, value: number): Severity {
  if (Number.isNaN(value)) return "ok";
  const past = (bound: number | undefined) =>
    bound !== undefined &&
    ((rule.direction ?? "above") === "above" ? value >= bound : value <= bound);
  if (past(rule.crit)) return "critical";
  if (past(rule.warn)) return "warning";
  return "ok";
}

const RANK: Readonly<Record<Severity, number>> = { ok: 0, warning: 1, critical: 2 };

/**
 * The severity of a value that was at `previous`: it rises at once, and falls only as far as
 * the bounds moved back by the hysteresis allow.
 */
export function nextSeverity(rule: ThresholdRule, previous: Severity, value: number): Severity {
  const now = severityOf(rule, value);
  if (RANK[now] >= RANK[previous]) return now;
  const back = (rule.direction ?? "above") === "above" ? -1 : 1;
  const shift = (bound: number | undefined) =>
    bound === undefined ? undefined : bound + back * (rule.hysteresis ?? Math.abs(bound) * 0.05);
  const held = severityOf({ ...rule, warn: shift(rule.warn), crit: shift(rule.crit) }, value);
  const kept = RANK[held] < RANK[previous] ? held : previous;
  return RANK[kept] > RANK[now] ? kept : now;
}

function compile(m: Matcher): (labels: Labels) => boolean {
  if (m.op === "=") return (l) => (l[m.label] ?? "") === m.value;
  if (m.op === "!=") return (l) => (l[m.label] ?? "") !== m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return m.op === "=~" ? (l) => re.test(l[m.label] ?? "") : (l) => !re.test(l[m.label] ?? "");
}

const RESERVED = new Set(["threshold", "metric", "severity"]);

function stateLabels(threshold: string, metric: string, labels: Labels): Record<string, string> {
  const out: Record<string, string> = { threshold, metric };
  for (const [k, v] of Object.entries(labels)) out[RESERVED.has(k) ? `exported_${k}` : k] = v;
  return out;
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}\0${labels[k]}`).join("\0");
}

interface Compiled {
  readonly rule: ThresholdRule;
  readonly name: string;
  readonly metric: string;
  readonly match: ((labels: Labels) => boolean)[];
}

/** Evaluates rules against scrapes and remembers each series' severity between runs. */
export class ThresholdEvaluator {
  readonly #rules: Compiled[];
  readonly #state = new Map<string, Severity>();
  readonly #onEvent: ((e: ThresholdEvent) => void) | undefined;
  #last: ThresholdState[] = [];

  constructor(
    rules: readonly ThresholdRule[],
    options: { onEvent?: (e: ThresholdEvent) => void } = {},
  ) {
    this.#rules = rules.map((rule) => {
      const sel = parseSelector(rule.metric);
      const matchers = [
        ...sel.matchers,
        ...Object.entries(rule.labels ?? {}).map(([label, value]) => ({
          label,
          op: "=" as const,
          value,
        })),
      ];
      return { rule, name: rule.name, metric: sel.name, match: matchers.map(compile) };
    });
    this.#onEvent = options.onEvent;
  }

  /** True when there is at least one rule. */
  get active(): boolean {
    return this.#rules.length > 0;
  }

  /** The rules' names. */
  get names(): string[] {
    return this.#rules.map((r) => r.name);
  }

  /** Every matched series at the last evaluation, with its severity. */
  get states(): readonly ThresholdState[] {
    return this.#last;
  }

  /**
   * Evaluates every rule against the families; returns the `driftless_threshold_state` family
   * (none when no series matched) and emits an event for each change of severity. A series
   * seen for the first time emits an event only when it is not ok. With `partial` (a filtered
   * scrape) the series that are missing keep their state.
   */
  evaluate(
    families: readonly MetricFamily[],
    options: { now?: Date; partial?: boolean } = {},
  ): MetricFamily[] {
    const now = options.now ?? new Date();
    if (this.#rules.length === 0) return [];
    const byName = new Map(families.map((f) => [f.name, f]));
    const current = new Map<string, { labels: Record<string, string>; severity: Severity }>();
    const states: ThresholdState[] = [];
    const seen = new Set<string>();
    for (const c of this.#rules) {
      const fam = byName.get(c.metric);
      if (!fam) continue;
      for (const s of fam.samples) {
        if (s.name && s.name !== fam.name) continue;
        if (!c.match.every((f) => f(s.labels))) continue;
        const labels = stateLabels(c.name, c.metric, s.labels);
        const key = seriesKey(labels);
        seen.add(key);
        const previous = this.#state.get(key) ?? "ok";
        const severity = nextSeverity(c.rule, previous, s.value);
        this.#state.set(key, severity);
        current.set(key, { labels, severity });
        states.push({
          threshold: c.name,
          metric: c.metric,
          labels: s.labels,
          severity,
          value: s.value,
          rule: c.rule,
        });
        if (severity !== previous) {
          this.#onEvent?.({
            "@timestamp": now.toISOString(),
            event: "threshold",
            threshold: c.name,
            metric: c.metric,
            labels: s.labels,
            severity,
            previous,
            value: s.value,
            ...(c.rule.warn !== undefined ? { warn: c.rule.warn } : {}),
            ...(c.rule.crit !== undefined ? { crit: c.rule.crit } : {}),
            direction: c.rule.direction ?? "above",
            message: `${c.name}${
              describe(s.labels)
            } is ${severity} (value ${s.value}, was ${previous})`,
          });
        }
      }
    }
    // Series that disappeared start from ok when they come back; a partial scrape (collect[]
    // filters) proves nothing about the series it left out.
    if (!options.partial) {
      for (const key of [...this.#state.keys()]) if (!seen.has(key)) this.#state.delete(key);
    }
    this.#last = states;
    if (current.size === 0) return [];
    const set = new FamilySet();
    for (const { labels, severity } of current.values()) {
      for (const sev of SEVERITIES) {
        set.add(
          "driftless_threshold_state",
          "Threshold state of a series: 1 for its current severity (ok, warning, critical).",
          "gauge",
          { ...labels, severity: sev },
          sev === severity ? 1 : 0,
        );
      }
    }
    return set.list();
  }
}

function describe(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}
