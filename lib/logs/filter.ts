/**
 * Filters, applied in order per source: `include` / `exclude` (regex on the line or a field),
 * `equals` / `matches` on a field (keep, or with `negate` drop), `drop_fields`, `add_fields`,
 * and `rate_limit` (a token bucket; drops are counted). Regexes are compiled once.
 *
 * @module
 */
import type { FilterConfig } from "../config/logs_schema.ts";
import type { LogEvent } from "./event.ts";
import { compileRegex } from "./parse/regex.ts";

/** Why events were dropped, counted per source. */
export interface FilterStats {
  /** Dropped by include, exclude, equals or matches. */
  filtered: number;
  /** Dropped by a rate limit. */
  rateLimited: number;
}

/** Runs the filters on an event: false means drop it. May change the event's fields. */
export type FilterChain = (event: LogEvent, now: number) => boolean;

type Step = (event: LogEvent, now: number) => boolean;

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * Compiles a source's filters; undefined when there are none.
 *
 * @example
 * ```ts
 * const stats = { filtered: 0, rateLimited: 0 };
 * const keep = compileFilters([{ exclude: "DEBUG" }], stats);
 * ```
 */
export function compileFilters(
  configs: readonly FilterConfig[] | undefined,
  stats: FilterStats,
): FilterChain | undefined {
  if (!configs || configs.length === 0) return undefined;
  const steps = configs.map((c) => compileStep(c, stats));
  return (event, now) => {
    for (let i = 0; i < steps.length; i++) if (!steps[i]!(event, now)) return false;
    return true;
  };
}

function compileStep(c: FilterConfig, stats: FilterStats): Step {
  const field = c.field;
  const value = field === undefined || field === "message"
    ? (e: LogEvent) => e.message
    : (e: LogEvent) => text(e.field(field));
  if (c.include !== undefined) {
    const re = compileRegex(c.include);
    return (e) => {
      const v = value(e);
      if (v !== undefined && re.test(v)) return true;
      stats.filtered++;
      return false;
    };
  }
  if (c.exclude !== undefined) {
    const re = compileRegex(c.exclude);
    return (e) => {
      const v = value(e);
      if (v === undefined || !re.test(v)) return true;
      stats.filtered++;
      return false;
    };
  }
  if (c.equals !== undefined || c.matches !== undefined) {
    const negate = c.negate ?? false;
    let test: (e: LogEvent) => boolean;
    if (c.equals !== undefined) {
      const want = c.equals;
      const wantText = String(want);
      test = (e) => {
        const v = e.field(field!);
        return v === want || (v !== undefined && v !== null && String(v) === wantText);
      };
    } else {
      const re = compileRegex(c.matches!);
      test = (e) => {
        const v = text(e.field(field!));
        return v !== undefined && re.test(v);
      };
    }
    return (e) => {
      if (test(e) !== negate) return true;
      stats.filtered++;
      return false;
    };
  }
  if (c.drop_fields !== undefined) {
    const names = c.drop_fields;
    return (e) => {
      for (const n of names) e.deleteField(n);
      return true;
    };
  }
  if (c.add_fields !== undefined) {
    const entries = Object.entries(c.add_fields);
    return (e) => {
      for (const [k, v] of entries) {
        e.setField(k, v !== null && typeof v === "object" ? structuredClone(v) : v);
      }
      return true;
    };
  }
  const rate = c.rate_limit!.events_per_second;
  const burst = c.rate_limit!.burst ?? Math.max(1, Math.ceil(rate));
  let tokens = burst;
  let last = -1;
  return (_e, now) => {
    if (last >= 0) tokens = Math.min(burst, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens >= 1) {
      tokens--;
      return true;
    }
    stats.rateLimited++;
    return false;
  };
}
