/**
 * Timestamp parsing with a format compiled once: named formats (`rfc3339`, `unix`, `unix_ms`,
 * `common` for access logs, `rfc3164` for BSD syslog) or strftime-style patterns (`%Y-%m-%d
 * %H:%M:%S`). Times without a zone are read in the configured timezone: `UTC` (default),
 * `local`, a fixed offset (`+02:00`) or an IANA name (`Europe/Berlin`).
 *
 * @module
 */

/** Parses a timestamp string to ms since the epoch, or returns undefined. */
export type TimeParser = (text: string) => number | undefined;

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

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

interface Field {
  readonly re: string;
  readonly set?: (p: Parts, v: string) => void;
}

interface Parts {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  pm?: boolean;
  offsetMin?: number;
  epoch?: number;
}

const num =
  (k: "year" | "month" | "day" | "hour" | "minute" | "second") => (p: Parts, v: string) => {
    p[k] = Number(v.trim()) - (k === "month" ? 1 : 0);
  };

const FIELDS: Record<string, Field> = {
  Y: { re: "(\\d{4})", set: num("year") },
  y: { re: "(\\d{2})", set: (p, v) => (p.year = 2000 + Number(v)) },
  m: { re: "(\\d{1,2})", set: num("month") },
  d: { re: "(\\d{1,2})", set: num("day") },
  e: { re: "( ?\\d{1,2})", set: num("day") },
  H: { re: "(\\d{1,2})", set: num("hour") },
  I: { re: "(\\d{1,2})", set: num("hour") },
  M: { re: "(\\d{2})", set: num("minute") },
  S: { re: "(\\d{2})", set: num("second") },
  f: { re: "(\\d{1,9})", set: (p, v) => (p.ms = Math.floor(Number(`0.${v}`) * 1000)) },
  L: { re: "(\\d{3})", set: (p, v) => (p.ms = Number(v)) },
  z: { re: "(Z|[+-]\\d{2}:?\\d{2})", set: (p, v) => (p.offsetMin = parseOffset(v)) },
  Z: {
    re: "([A-Za-z]{1,5})",
    set: (p, v) => {
      if (/^(UTC|GMT|Z)$/i.test(v)) p.offsetMin = 0;
    },
  },
  b: {
    re: "([A-Za-z]{3})",
    set: (p, v) => (p.month = MONTHS[v.toLowerCase()] ?? NaN),
  },
  B: {
    re: "([A-Za-z]{3,9})",
    set: (p, v) => (p.month = MONTHS[v.slice(0, 3).toLowerCase()] ?? NaN),
  },
  a: { re: "[A-Za-z]{3}" },
  A: { re: "[A-Za-z]{3,9}" },
  p: { re: "(AM|PM|am|pm)", set: (p, v) => (p.pm = v.toLowerCase() === "pm") },
  s: { re: "(\\d+(?:\\.\\d+)?)", set: (p, v) => (p.epoch = Number(v) * 1000) },
};

function parseOffset(v: string): number {
  if (v === "Z" || v === "z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(v)!;
  const min = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -min : min;
}

/** A zone: minutes to add to UTC for the local wall time at a given instant. */
type Zone = (utcGuess: number) => number;

/** Compiles a timezone setting; throws RangeError on an unknown one. */
export function compileZone(timezone: string | undefined): Zone {
  if (!timezone || /^(UTC|GMT|Z)$/i.test(timezone)) return () => 0;
  if (timezone === "local") return (t) => -new Date(t).getTimezoneOffset();
  if (/^[+-]\d{2}:?\d{2}$/.test(timezone)) {
    const off = parseOffset(timezone);
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
  const setters: ((p: Parts, v: string) => void)[] = [];
  let re = "";
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c !== "%") {
      re += c === " " ? "\\s+" : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      continue;
    }
    const f = spec[++i];
    if (f === "%") {
      re += "%";
      continue;
    }
    if (f === "T" || f === "F") {
      const sub = f === "T" ? ["H", ":", "M", ":", "S"] : ["Y", "-", "m", "-", "d"];
      for (const s of sub) {
        if (s.length === 1 && FIELDS[s]) {
          re += FIELDS[s]!.re;
          setters.push(FIELDS[s]!.set!);
        } else re += s;
      }
      continue;
    }
    const field = f ? FIELDS[f] : undefined;
    if (!field) throw new RangeError(`unknown field %${f ?? ""} in timestamp format "${format}"`);
    re += field.re;
    if (field.set) setters.push(field.set);
  }
  const regex = new RegExp(`^\\s*${re}\\s*$`);
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const p: Parts = { month: 0, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
    for (let i = 0; i < setters.length; i++) setters[i]!(p, m[i + 1]!);
    if (p.epoch !== undefined) return Math.round(p.epoch);
    if (p.pm !== undefined) p.hour = (p.hour % 12) + (p.pm ? 12 : 0);
    if (
      !(p.month >= 0 && p.month <= 11) || p.day < 1 || p.day > 31 || p.hour > 23 ||
      p.minute > 59 || p.second > 60
    ) return undefined;
    const inferYear = p.year === undefined;
    const year = p.year ?? new Date(now()).getUTCFullYear();
    const toMs = (y: number) => {
      const wall = Date.UTC(y, p.month, p.day, p.hour, p.minute, p.second, p.ms);
      if (Number.isNaN(wall)) return NaN;
      const off = p.offsetMin ?? zone(wall - zone(wall) * 60_000);
      return wall - off * 60_000;
    };
    let ms = toMs(year);
    // A year-less stamp (BSD syslog) from "the future" belongs to last year (December logs in January).
    if (inferYear && ms > now() + 86_400_000) ms = toMs(year - 1);
    return Number.isNaN(ms) ? undefined : ms;
  };
}
