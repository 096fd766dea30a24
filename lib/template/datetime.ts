/**
 * Python's `datetime.datetime` and `timedelta` as templates see them (from `to_datetime` and
 * `now()`); their `strftime`/`strptime` are the shared engine of `lib/time_format.ts`.
 *
 * @module
 */
import { pyError } from "./error.ts";
import * as py from "./py.ts";
import { pyfn } from "./signature.ts";
import {
  BadDirective,
  compileStrptime,
  localOffset,
  offsetText,
  pad,
  type Parsed,
  strftime,
  type Tm,
  utcTm,
  weekday,
} from "../time_format.ts";

export { strftime, type Tm } from "../time_format.ts";

/** `o` when it is a `cls`; else Python's TypeError for ordering a `name` against it. */
function orderable<T>(o: unknown, cls: abstract new (...a: never[]) => T, name: string): T {
  if (o instanceof cls) return o;
  throw pyError(
    "TypeError",
    `'<' not supported between instances of '${name}' and '${py.typeName(o)}'`,
  );
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
  let parse: (text: string) => Parsed | undefined;
  try {
    parse = compileStrptime(fmt);
  } catch (e) {
    if (e instanceof BadDirective) throw pyError("ValueError", e.message);
    throw e;
  }
  const p = parse(s);
  if (!p) {
    throw pyError("ValueError", `time data ${py.repr(s)} does not match format ${py.repr(fmt)}`);
  }
  const tm: Tm = {
    year: p.year ?? 1900,
    month: p.month ?? 1,
    day: p.day ?? 1,
    hour: p.hour ?? 0,
    minute: p.minute ?? 0,
    second: p.second ?? 0,
    microsecond: p.microsecond ?? 0,
    offset: p.offset ?? null,
    zone: "",
  };
  const probe = new Date(Date.UTC(tm.year, tm.month - 1, tm.day));
  if (probe.getUTCDate() !== tm.day) throw pyError("ValueError", "day is out of range for month");
  return new PyDateTime(tm);
}
