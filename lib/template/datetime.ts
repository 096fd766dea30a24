/**
 * Python's `datetime.datetime` and `timedelta` as templates see them (from `to_datetime` and
 * `now()`), plus C `strftime`/`strptime` formatting.
 *
 * @module
 */
import { pyError } from "./error.ts";
import * as py from "./py.ts";
import { pyfn } from "./signature.ts";

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
const pad = (n: number, w = 2, c = "0") => String(n).padStart(w, c);

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
function weekday(t: Tm): number {
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
function offsetText(off: number | null, colon = false): string {
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

/** The broken-down UTC fields of `d`, with the rest given. */
function utcTm(d: Date, microsecond: number, offset: number | null, zone: string): Tm {
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

/** `o` when it is a `cls`; else Python's TypeError for ordering a `name` against it. */
function orderable<T>(o: unknown, cls: abstract new (...a: never[]) => T, name: string): T {
  if (o instanceof cls) return o;
  throw pyError(
    "TypeError",
    `'<' not supported between instances of '${name}' and '${py.typeName(o)}'`,
  );
}

function localOffset(t: Tm): number {
  return -new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second).getTimezoneOffset() * 60;
}

/** The local broken-down time of an epoch (seconds). */
export function localTm(epochSeconds: number, utc = false): Tm {
  const d = new Date(Math.floor(epochSeconds * 1000));
  if (utc) return utcTm(d, Math.round((epochSeconds % 1) * 1e6), 0, "GMT");
  let zone = "";
  try {
    zone = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  } catch {
    zone = "";
  }
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    microsecond: Math.round(((epochSeconds % 1) + 1) % 1 * 1e6),
    offset: -d.getTimezoneOffset() * 60,
    zone: zone === "UTC" || zone === "GMT" ? zone : zone,
  };
}

/** `datetime.timedelta`. */
export class PyTimedelta extends py.PyObject {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(totalMicro: number) {
    super();
    const day = 86400e6;
    this.days = Math.floor(totalMicro / day);
    let rest = totalMicro - this.days * day;
    this.seconds = Math.floor(rest / 1e6);
    rest -= this.seconds * 1e6;
    this.microseconds = Math.round(rest);
  }
  get typeName(): string {
    return "timedelta";
  }
  get total(): number {
    return this.days * 86400 + this.seconds + this.microseconds / 1e6;
  }
  override str(): string {
    const h = Math.floor(this.seconds / 3600);
    const m = Math.floor((this.seconds % 3600) / 60);
    const s = this.seconds % 60;
    let out = `${h}:${pad(m)}:${pad(s)}`;
    if (this.microseconds) out += `.${pad(this.microseconds, 6)}`;
    if (this.days) out = `${this.days} day${Math.abs(this.days) === 1 ? "" : "s"}, ${out}`;
    return out;
  }
  override repr(): string {
    const parts: string[] = [];
    if (this.days) parts.push(`days=${this.days}`);
    if (this.seconds) parts.push(`seconds=${this.seconds}`);
    if (this.microseconds) parts.push(`microseconds=${this.microseconds}`);
    return `datetime.timedelta(${parts.join(", ")})`;
  }
  override bool(): boolean {
    return this.total !== 0;
  }
  override eq(o: unknown): boolean {
    return o instanceof PyTimedelta && o.total === this.total;
  }
  compare(o: unknown): number {
    return Math.sign(this.total - orderable(o, PyTimedelta, "timedelta").total);
  }
  override getattr(name: string): unknown {
    switch (name) {
      case "days":
        return this.days;
      case "seconds":
        return this.seconds;
      case "microseconds":
        return this.microseconds;
      case "total_seconds":
        return pyfn("total_seconds", "", () => py.toFloat(this.total));
    }
    return undefined;
  }
}

/** `datetime.datetime` (naive unless an offset was parsed). */
export class PyDateTime extends py.PyObject {
  constructor(readonly tm: Tm) {
    super();
  }
  get typeName(): string {
    return "datetime";
  }
  /** Microseconds since the epoch, treating naive times as UTC (for differences). */
  get micros(): number {
    const t = this.tm;
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) * 1000 + t.microsecond -
      (t.offset ?? 0) * 1e6;
  }
  isoformat(sep = "T"): string {
    const t = this.tm;
    let s = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}${sep}${pad(t.hour)}:${pad(t.minute)}:${
      pad(t.second)
    }`;
    if (t.microsecond) s += `.${pad(t.microsecond, 6)}`;
    if (t.offset !== null) s += offsetText(t.offset, true);
    return s;
  }
  override str(): string {
    return this.isoformat(" ");
  }
  override repr(): string {
    const t = this.tm;
    const parts = [t.year, t.month, t.day, t.hour, t.minute];
    if (t.second || t.microsecond) parts.push(t.second);
    if (t.microsecond) parts.push(t.microsecond);
    return `datetime.datetime(${parts.join(", ")}${t.offset !== null ? ", tzinfo=..." : ""})`;
  }
  override eq(o: unknown): boolean {
    return o instanceof PyDateTime && o.micros === this.micros;
  }
  compare(o: unknown): number {
    return Math.sign(this.micros - orderable(o, PyDateTime, "datetime.datetime").micros);
  }
  /** `self - other`. */
  sub(o: unknown): unknown {
    if (o instanceof PyDateTime) return new PyTimedelta(this.micros - o.micros);
    if (o instanceof PyTimedelta) return fromMicros(this.micros - o.total * 1e6, this.tm.offset);
    throw pyError(
      "TypeError",
      `unsupported operand type(s) for -: 'datetime.datetime' and '${py.typeName(o)}'`,
    );
  }
  add(o: unknown): unknown {
    if (o instanceof PyTimedelta) return fromMicros(this.micros + o.total * 1e6, this.tm.offset);
    throw pyError(
      "TypeError",
      `unsupported operand type(s) for +: 'datetime.datetime' and '${py.typeName(o)}'`,
    );
  }
  override getattr(name: string): unknown {
    const t = this.tm;
    switch (name) {
      case "year":
      case "month":
      case "day":
      case "hour":
      case "minute":
      case "second":
      case "microsecond":
        return t[name];
      case "strftime":
        return pyfn("strftime", "format", (f) => strftime(py.str(f), t));
      case "isoformat":
        return pyfn("isoformat", "sep='T'", (sep) => this.isoformat(py.str(sep)));
      case "timestamp":
        return pyfn("timestamp", "", () => {
          const off = t.offset ?? localOffset(t);
          const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - off * 1000;
          return py.toFloat(ms / 1000 + t.microsecond / 1e6);
        });
      case "weekday":
        return pyfn("weekday", "", () => weekday(t));
      case "isoweekday":
        return pyfn("isoweekday", "", () => weekday(t) + 1);
      case "date":
        return pyfn("date", "", () => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`);
    }
    return undefined;
  }
}

function fromMicros(micros: number, offset: number | null): PyDateTime {
  const total = micros + (offset ?? 0) * 1e6;
  const d = new Date(Math.floor(total / 1000));
  return new PyDateTime(utcTm(d, Math.round(total - Math.floor(total / 1e6) * 1e6), offset, ""));
}

/** Python's `datetime.strptime(string, format)`. */
export function strptime(s: string, fmt: string): PyDateTime {
  const fields: string[] = [];
  let re = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === "%" && i + 1 < fmt.length) {
      const d = fmt[++i]!;
      const spec: Record<string, string> = {
        Y: "(\\d{4})",
        m: "(1[0-2]|0[1-9]|[1-9])",
        d: "(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])",
        H: "(2[0-3]|[0-1]\\d|\\d)",
        I: "(1[0-2]|0[1-9]|[1-9])",
        M: "([0-5]\\d|\\d)",
        S: "(6[0-1]|[0-5]\\d|\\d)",
        f: "(\\d{1,6})",
        y: "(\\d\\d)",
        j: "(36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])",
        b: `(${MONTHS.map((m) => m.slice(0, 3)).join("|")})`,
        B: `(${MONTHS.join("|")})`,
        a: `(${DAYS.map((m) => m.slice(0, 3)).join("|")})`,
        A: `(${DAYS.join("|")})`,
        p: "(am|pm)",
        z: "([+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d)?|Z)",
        Z: "([A-Za-z]{2,5})?",
        "%": "%",
      };
      if (!(d in spec)) throw pyError("ValueError", `'${d}' is a bad directive in format '${fmt}'`);
      re += spec[d];
      if (d !== "%") fields.push(d);
    } else if (/\s/.test(c)) re += "\\s+";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const m = new RegExp(`^${re}$`, "i").exec(s);
  if (!m) {
    throw pyError("ValueError", `time data ${py.repr(s)} does not match format ${py.repr(fmt)}`);
  }
  const tm: Tm = {
    year: 1900,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    microsecond: 0,
    offset: null,
    zone: "",
  };
  let pm: boolean | null = null;
  fields.forEach((f, i) => {
    const v = m[i + 1] ?? "";
    const n = parseInt(v, 10);
    switch (f) {
      case "Y":
        tm.year = n;
        break;
      case "y":
        tm.year = n < 69 ? 2000 + n : 1900 + n;
        break;
      case "m":
        tm.month = n;
        break;
      case "d":
        tm.day = n;
        break;
      case "H":
        tm.hour = n;
        break;
      case "I":
        tm.hour = n % 12;
        break;
      case "M":
        tm.minute = n;
        break;
      case "S":
        tm.second = n;
        break;
      case "f":
        tm.microsecond = parseInt(v.padEnd(6, "0"), 10);
        break;
      case "b":
        tm.month = MONTHS.findIndex((x) => x.slice(0, 3).toLowerCase() === v.toLowerCase()) + 1;
        break;
      case "B":
        tm.month = MONTHS.findIndex((x) => x.toLowerCase() === v.toLowerCase()) + 1;
        break;
      case "p":
        pm = v.toLowerCase() === "pm";
        break;
      case "z":
        if (v === "Z") tm.offset = 0;
        else {
          const mm = /^([+-])(\d\d):?(\d\d)/.exec(v)!;
          tm.offset = (mm[1] === "-" ? -1 : 1) *
            (parseInt(mm[2]!, 10) * 3600 + parseInt(mm[3]!, 10) * 60);
        }
        break;
    }
  });
  if (pm !== null && fields.includes("I")) tm.hour = (tm.hour % 12) + (pm ? 12 : 0);
  const probe = new Date(Date.UTC(tm.year, tm.month - 1, tm.day));
  if (probe.getUTCDate() !== tm.day) throw pyError("ValueError", "day is out of range for month");
  return new PyDateTime(tm);
}
