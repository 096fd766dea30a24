/**
 * Timestamp parsing with a format compiled once: named formats (`rfc3339`, `unix`, `unix_ms`,
 * `common` for access logs, `rfc3164` for BSD syslog) or strptime patterns (`%Y-%m-%d
 * %H:%M:%S`, read by the shared engine of `lib/time_format.ts` with the log directives `%e %L %s
 * %T %F`). Times without a zone are read in the configured timezone: `UTC` (default),
 * `local`, a fixed offset (`+02:00`) or an IANA name (`Europe/Berlin`).
 *
 * @module
 */

import { BadDirective, compileStrptime, offsetOf, type Parsed } from "../../time_format.ts";

/** Parses a timestamp string to ms since the epoch, or returns undefined. */
export type TimeParser = (text: string) => number | undefined;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Named formats and what they stand for. */
export const NAMED_FORMATS: Readonly<Record<string, string>> = {
  rfc3339: "rfc3339",
  iso8601: "rfc3339",
  unix: "unix",
  unix_ms: "unix_ms",
  common: "%d/%b/%Y:%H:%M:%S %z",
  rfc3164: "%b %e %H:%M:%S",
};

/** A zone: minutes to add to UTC for the local wall time at a given instant. */
type Zone = (utcGuess: number) => number;

/** Compiles a timezone setting; throws RangeError on an unknown one. */
export function compileZone(timezone: string | undefined): Zone {
  if (!timezone || /^(UTC|GMT|Z)$/i.test(timezone)) return () => 0;
  if (timezone === "local") return (t) => -new Date(t).getTimezoneOffset();
  if (/^[+-]\d{2}:?\d{2}$/.test(timezone)) {
    const off = offsetOf(timezone) / 60;
    return () => off;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch {
    throw new RangeError(`unknown timezone "${timezone}" (use UTC, local, +02:00 or an IANA name)`);
  }
  return (t) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
    return Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
  };
}

/**
 * Compiles a timestamp format. Throws RangeError on an unknown `%` field.
 *
 * @example
 * ```ts
 * const p = compileTimeFormat("%d/%b/%Y:%H:%M:%S %z");
 * p("10/Oct/2000:13:55:36 -0700"); // 971211336000
 * ```
 */
export function compileTimeFormat(
  format: string,
  options: { timezone?: string; now?: () => number } = {},
): TimeParser {
  const spec = NAMED_FORMATS[format] ?? format;
  const zone = compileZone(options.timezone);
  const now = options.now ?? Date.now;
  if (spec === "rfc3339") {
    return (text) => {
      const t = text.trim();
      if (!RFC3339.test(t)) return undefined;
      const hasZone = /(Z|z|[+-]\d{2}:?\d{2})$/.test(t.slice(10));
      const ms = Date.parse(hasZone ? t.replace(" ", "T") : t.replace(" ", "T") + "Z");
      if (Number.isNaN(ms)) return undefined;
      return hasZone ? ms : ms - zone(ms) * 60_000;
    };
  }
  if (spec === "unix" || spec === "unix_ms") {
    const scale = spec === "unix" ? 1000 : 1;
    return (text) => {
      const v = Number(text);
      return text.trim() !== "" && Number.isFinite(v) ? Math.round(v * scale) : undefined;
    };
  }
  let parse: (text: string) => Parsed | undefined;
  try {
    parse = compileStrptime(spec, { extended: true });
  } catch (e) {
    if (!(e instanceof BadDirective)) throw e;
    throw new RangeError(`unknown field %${e.directive} in timestamp format "${format}"`);
  }
  return (text) => {
    const p = parse(text.trim());
    if (!p) return undefined;
    if (p.epochMs !== undefined) return Math.round(p.epochMs);
    const inferYear = p.year === undefined;
    const year = p.year ?? new Date(now()).getUTCFullYear();
    const toMs = (y: number) => {
      const wall = Date.UTC(
        y,
        (p.month ?? 1) - 1,
        p.day ?? 1,
        p.hour ?? 0,
        p.minute ?? 0,
        p.second ?? 0,
        Math.floor((p.microsecond ?? 0) / 1000),
      );
      if (Number.isNaN(wall)) return NaN;
      const off = p.offset !== undefined ? p.offset / 60 : zone(wall - zone(wall) * 60_000);
      return wall - off * 60_000;
    };
    let ms = toMs(year);
    // A year-less stamp (BSD syslog) from "the future" belongs to last year (December logs in January).
    if (inferYear && ms > now() + 86_400_000) ms = toMs(year - 1);
    return Number.isNaN(ms) ? undefined : ms;
  };
}
