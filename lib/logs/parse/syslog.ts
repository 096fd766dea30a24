/**
 * Syslog lines: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`) and RFC 3164 /
 * the files rsyslog writes (`[<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, or with an RFC 3339
 * timestamp as Debian 12 writes `/var/log/syslog`).
 *
 * @module
 */

/** The parts of a syslog line; `message` is the MSG part. */
export interface SyslogParts {
  readonly priority?: number;
  readonly facility?: number;
  readonly severity?: number;
  readonly version?: number;
  /** The timestamp as written. */
  readonly timestamp: string;
  /** `rfc3339` or `rfc3164` (how to parse `timestamp`). */
  readonly timestampFormat: "rfc3339" | "rfc3164";
  readonly hostname?: string;
  readonly appname?: string;
  readonly procid?: string;
  readonly msgid?: string;
  readonly structured_data?: string;
  readonly message: string;
}

const RFC5424 =
  /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?:\uFEFF)?([\s\S]*))?$/;
const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (\S+) ([^\s:\[]+)(?:\[([^\]]*)\])?: ?([\s\S]*)$/;

const nil = (v: string | undefined) => (v === undefined || v === "-" ? undefined : v);

function pri(p: string | undefined): { priority?: number; facility?: number; severity?: number } {
  if (p === undefined) return {};
  const n = Number(p);
  return n > 191 ? {} : { priority: n, facility: n >> 3, severity: n & 7 };
}

/** Parses an RFC 5424 line, or returns undefined. */
export function parseRfc5424(line: string): SyslogParts | undefined {
  const m = RFC5424.exec(line);
  if (!m) return undefined;
  const p = pri(m[1]);
  if (p.priority === undefined) return undefined;
  return {
    ...p,
    version: Number(m[2]),
    timestamp: m[3]!,
    timestampFormat: "rfc3339",
    ...(nil(m[4]) ? { hostname: m[4]! } : {}),
    ...(nil(m[5]) ? { appname: m[5]! } : {}),
    ...(nil(m[6]) ? { procid: m[6]! } : {}),
    ...(nil(m[7]) ? { msgid: m[7]! } : {}),
    ...(nil(m[8]) ? { structured_data: m[8]! } : {}),
    message: m[9] ?? "",
  };
}

/** Parses an RFC 3164 (BSD) line, with or without `<PRI>`, or returns undefined. */
export function parseRfc3164(line: string): SyslogParts | undefined {
  const m = RFC3164.exec(line);
  if (!m) return undefined;
  return {
    ...pri(m[1]),
    timestamp: m[2]!,
    timestampFormat: m[2]!.includes("T") ? "rfc3339" : "rfc3164",
    hostname: m[3]!,
    appname: m[4]!,
    ...(m[5] !== undefined ? { procid: m[5] } : {}),
    message: m[6]!,
  };
}

/** Parses either format (`auto`), trying RFC 5424 first. */
export function parseSyslog(
  line: string,
  format: "auto" | "rfc3164" | "rfc5424" = "auto",
): SyslogParts | undefined {
  if (format === "rfc5424") return parseRfc5424(line);
  if (format === "rfc3164") return parseRfc3164(line);
  return parseRfc5424(line) ?? parseRfc3164(line);
}
