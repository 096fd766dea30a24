/**
 * C and Python date formatting and parsing, the one engine behind templates (`strftime`,
 * `to_datetime`, `now()`), log timestamps and sink path templates: `strftime` over a broken-down
 * time, and a `strptime` pattern compiler. It imports nothing, so the log pipeline's run-time
 * path can use it.
 *
 * @module
 */

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
/** Zero- (or `c`-) padded decimal. */
export const pad = (n: number, w = 2, c = "0"): string => String(n).padStart(w, c);

/** The broken-down time `strftime` formats. */
export interface Tm {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** Seconds east of UTC, or null for naive. */
  offset: number | null;
  zone: string;
}

function dayOfYear(t: Tm): number {
  return Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86400000) + 1;
}
/** Day of the week, Monday = 0 (Python's `weekday()`). */
export function weekday(t: Tm): number {
  // Monday = 0
  return (new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7;
}
function isoWeek(t: Tm): [number, number] {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day));
  const wd = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - wd + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 +
    Math.round(
      ((d.getTime() - firstThursday.getTime()) / 86400000 - 3 +
        ((firstThursday.getUTCDay() + 6) % 7)) / 7,
    );
  return [d.getUTCFullYear(), week];
}
/** `+0200` (or `+02:00`); empty for a naive time. */
export function offsetText(off: number | null, colon = false): string {
  if (off === null) return "";
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${sign}${pad(Math.floor(a / 3600))}${colon ? ":" : ""}${
    pad(Math.floor((a % 3600) / 60))
  }`;
}

/** C/Python `strftime`. */
export function strftime(fmt: string, t: Tm): string {
  return fmt.replace(/%([-_0^#]?)([a-zA-Z%+])/g, (m, flag: string, c: string) => {
    const wd = weekday(t);
    let v: string;
    switch (c) {
      case "a":
        v = DAYS[wd]!.slice(0, 3);
        break;
      case "A":
        v = DAYS[wd]!;
        break;
      case "b":
      case "h":
        v = MONTHS[t.month - 1]!.slice(0, 3);
        break;
      case "B":
        v = MONTHS[t.month - 1]!;
        break;
      case "c":
        v = `${DAYS[wd]!.slice(0, 3)} ${MONTHS[t.month - 1]!.slice(0, 3)} ${pad(t.day, 2, " ")} ${
          pad(t.hour)
        }:${pad(t.minute)}:${pad(t.second)} ${t.year}`;
        break;
      case "C":
        v = pad(Math.floor(t.year / 100));
        break;
      case "d":
        v = pad(t.day);
        break;
      case "D":
        v = `${pad(t.month)}/${pad(t.day)}/${pad(t.year % 100)}`;
        break;
      case "e":
        v = pad(t.day, 2, " ");
        break;
      case "f":
        v = pad(t.microsecond, 6);
        break;
      case "F":
        v = `${t.year}-${pad(t.month)}-${pad(t.day)}`;
        break;
      case "G":
        v = String(isoWeek(t)[0]);
        break;
      case "g":
        v = pad(isoWeek(t)[0] % 100);
        break;
      case "H":
        v = pad(t.hour);
        break;
      case "I":
        v = pad(t.hour % 12 || 12);
        break;
      case "j":
        v = pad(dayOfYear(t), 3);
        break;
      case "k":
        v = pad(t.hour, 2, " ");
        break;
      case "l":
        v = pad(t.hour % 12 || 12, 2, " ");
        break;
      case "m":
        v = pad(t.month);
        break;
      case "M":
        v = pad(t.minute);
        break;
      case "n":
        v = "\n";
        break;
      case "p":
        v = t.hour < 12 ? "AM" : "PM";
        break;
      case "P":
        v = t.hour < 12 ? "am" : "pm";
        break;
      case "r":
        v = `${pad(t.hour % 12 || 12)}:${pad(t.minute)}:${pad(t.second)} ${
          t.hour < 12 ? "AM" : "PM"
        }`;
        break;
      case "R":
        v = `${pad(t.hour)}:${pad(t.minute)}`;
        break;
      case "s": {
        const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) -
          (t.offset ?? localOffset(t)) * 1000;
        v = String(Math.floor(ms / 1000));
        break;
      }
      case "S":
        v = pad(t.second);
        break;
      case "t":
        v = "\t";
        break;
      case "T":
        v = `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
        break;
      case "u":
        v = String(wd + 1);
        break;
      case "U": {
        const sundayWd = (wd + 1) % 7;
        v = pad(Math.floor((dayOfYear(t) - 1 - sundayWd + 7) / 7));
        break;
      }
      case "V":
        v = pad(isoWeek(t)[1]);
        break;
      case "w":
        v = String((wd + 1) % 7);
        break;
      case "W":
        v = pad(Math.floor((dayOfYear(t) - 1 - wd + 7) / 7));
        break;
      case "x":
        v = `${pad(t.month)}/${pad(t.day)}/${pad(t.year % 100)}`;
        break;
      case "X":
        v = `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
        break;
      case "y":
        v = pad(t.year % 100);
        break;
      case "Y":
        v = String(t.year);
        break;
      case "z":
        v = offsetText(t.offset);
        break;
      case "Z":
        v = t.zone;
        break;
      case "%":
        v = "%";
        break;
      default:
        return m;
    }
    if (flag === "-") v = v.replace(/^[0 ]+(?=.)/, "");
    else if (flag === "^") v = v.toUpperCase();
    return v;
  });
}

/** Seconds east of UTC of this machine's zone at the wall time `t` (naive times are local). */
export function localOffset(t: Tm): number {
  return -new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second).getTimezoneOffset() * 60;
}

/** The broken-down time of `d` in UTC (or with the given offset and zone name). */
export function utcTm(
  d: Date,
  microsecond: number = d.getUTCMilliseconds() * 1000,
  offset: number | null = 0,
  zone = "UTC",
): Tm {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond,
    offset,
    zone,
  };
}

/** What a strptime pattern read; fields it has no directive for are absent. */
export interface Parsed {
  year?: number;
  /** 1-12. */
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
  /** Seconds east of UTC, from `%z` (or `%Z` naming UTC/GMT). */
  offset?: number;
  /** Milliseconds since the epoch, from `%s`. */
  epochMs?: number;
}

/** A directive strptime does not know; `message` is Python's ValueError text. */
export class BadDirective extends Error {
  /** The letter after `%`. */
  readonly directive: string;

  /** `format` is named in the message. */
  constructor(directive: string, format: string) {
    super(`'${directive}' is a bad directive in format '${format}'`);
    this.name = "BadDirective";
    this.directive = directive;
  }
}

/** Options of {@linkcode compileStrptime}. */
export interface StrptimeOptions {
  /**
   * Also the directives of log formats that Python lacks: `%e` (space-padded day), `%L`
   * (milliseconds), `%s` (epoch seconds), `%T` and `%F`, and `%f` to nine digits.
   */
  readonly extended?: boolean;
}

type Setter = (p: Parsed, v: string) => void;
const int = (k: "year" | "month" | "day" | "hour" | "minute" | "second"): Setter => (p, v) => {
  p[k] = parseInt(v, 10);
};
const nameIndex = (names: readonly string[], n: number) => (v: string) =>
  names.findIndex((x) => x.slice(0, n).toLowerCase() === v.toLowerCase()) + 1;
const monthOf = [nameIndex(MONTHS, 3), nameIndex(MONTHS, 9)] as const;

/** Python's `_strptime` regexes (and setters) per directive. */
const DIRECTIVES: Record<string, [string, Setter?]> = {
  Y: ["(\\d{4})", int("year")],
  y: ["(\\d\\d)", (p, v) => void (p.year = +v < 69 ? 2000 + +v : 1900 + +v)],
  m: ["(1[0-2]|0[1-9]|[1-9])", int("month")],
  d: ["(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])", (p, v) => void (p.day = parseInt(v.trim(), 10))],
  H: ["(2[0-3]|[0-1]\\d|\\d)", int("hour")],
  I: ["(1[0-2]|0[1-9]|[1-9])", int("hour")],
  M: ["([0-5]\\d|\\d)", int("minute")],
  S: ["(6[0-1]|[0-5]\\d|\\d)", int("second")],
  f: ["(\\d{1,6})", (p, v) => void (p.microsecond = parseInt(v.padEnd(6, "0"), 10))],
  j: ["(36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])"],
  b: [`(${MONTHS.map((m) => m.slice(0, 3)).join("|")})`, (p, v) => void (p.month = monthOf[0](v))],
  B: [`(${MONTHS.join("|")})`, (p, v) => void (p.month = monthOf[1](v))],
  a: [`(${DAYS.map((m) => m.slice(0, 3)).join("|")})`],
  A: [`(${DAYS.join("|")})`],
  p: ["(am|pm)"],
  z: ["([+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d)?|Z)", (p, v) => void (p.offset = offsetOf(v))],
  Z: ["([A-Za-z]{2,5})?", (p, v) => {
    if (/^(UTC|GMT)$/i.test(v)) p.offset = 0;
  }],
};
/** Log-format directives (`extended`). */
const EXTENDED: Record<string, [string, Setter?]> = {
  e: ["( ?\\d{1,2})", (p, v) => void (p.day = parseInt(v.trim(), 10))],
  f: ["(\\d{1,9})", (p, v) => void (p.microsecond = parseInt(v.slice(0, 6).padEnd(6, "0"), 10))],
  L: ["(\\d{3})", (p, v) => void (p.microsecond = parseInt(v, 10) * 1000)],
  s: ["(\\d+(?:\\.\\d+)?)", (p, v) => void (p.epochMs = Number(v) * 1000)],
  Z: ["([A-Za-z]{1,5})", (p, v) => {
    if (/^(UTC|GMT|Z)$/i.test(v)) p.offset = 0;
  }],
};
const COMPOSITES: Record<string, string> = { T: "%H:%M:%S", F: "%Y-%m-%d" };

/** Seconds east of UTC of `Z`, `+0200`, `-05:30` (or `+05:30:15`). */
export function offsetOf(v: string): number {
  if (v === "Z" || v === "z") return 0;
  const m = /^([+-])(\d\d):?(\d\d)(?::?(\d\d))?$/.exec(v);
  if (!m) return NaN;
  const s = parseInt(m[2]!, 10) * 3600 + parseInt(m[3]!, 10) * 60 + parseInt(m[4] ?? "0", 10);
  return m[1] === "-" ? -s : s;
}

/**
 * Compiles a strptime format as Python's `_strptime` reads it (case-insensitive, whitespace
 * matching any run of whitespace, `%I` with `%p` for 12-hour clocks). Throws
 * {@linkcode BadDirective} on an unknown directive; the parser returns undefined on no match.
 *
 * @example
 * ```ts
 * compileStrptime("%d/%b/%Y:%H:%M:%S %z")("10/Oct/2000:13:55:36 -0700");
 * // { day: 10, month: 10, year: 2000, hour: 13, minute: 55, second: 36, offset: -25200 }
 * ```
 */
export function compileStrptime(
  format: string,
  options: StrptimeOptions = {},
): (text: string) => Parsed | undefined {
  const table = options.extended ? { ...DIRECTIVES, ...EXTENDED } : DIRECTIVES;
  const setters: (Setter | undefined)[] = [];
  let twelveHour = false;
  let re = "";
  const spec = options.extended
    ? format.replace(/%([TF%])/g, (m, c: string) => COMPOSITES[c] ?? m)
    : format;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === "%" && i + 1 < spec.length) {
      const d = spec[++i]!;
      if (d === "%") {
        re += "%";
        continue;
      }
      const entry = table[d];
      if (!entry) throw new BadDirective(d, format);
      re += entry[0];
      setters.push(d === "p" ? undefined : entry[1]);
      if (d === "I") twelveHour = true;
      if (d === "p") setters[setters.length - 1] = (p, v) => void (pmOf.set(p, /pm/i.test(v)));
    } else if (/\s/.test(c)) re += "\\s+";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const regex = new RegExp(`^${re}$`, "i");
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const p: Parsed = {};
    for (let i = 0; i < setters.length; i++) {
      if (m[i + 1] !== undefined) setters[i]?.(p, m[i + 1]!);
    }
    const pm = pmOf.get(p);
    if (twelveHour && p.hour !== undefined) p.hour = (p.hour % 12) + (pm ? 12 : 0);
    return p;
  };
}

/** `%p` of a parse in progress (kept off the result). */
const pmOf = new WeakMap<Parsed, boolean>();
