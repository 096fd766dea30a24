/**
 * Syslog message text: RFC 5424 and RFC 3164 headers, facility and severity names, and
 * RFC 6587 octet-counting framing. Pure functions; the transports live in `syslog.ts`.
 *
 * @module
 */

/** Facility numbers by name (RFC 5424 table 1). */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  solaris_cron: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Severity numbers by the names log levels commonly use. */
export const SEVERITIES: Readonly<Record<string, number>> = {
  emerg: 0,
  emergency: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  critical: 2,
  fatal: 2,
  err: 3,
  error: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  informational: 6,
  information: 6,
  debug: 7,
  trace: 7,
};

/** A facility from a config value (name or number); throws RangeError on an unknown name. */
export function facilityOf(value: string | number | undefined): number {
  if (value === undefined) return FACILITIES.user!;
  if (typeof value === "number") return value;
  const f = FACILITIES[value.toLowerCase()];
  if (f === undefined) {
    throw new RangeError(
      `unknown syslog facility "${value}" (expected one of ${Object.keys(FACILITIES).join(", ")})`,
    );
  }
  return f;
}

/** A severity from a value (name, level word or number), or undefined when it is not one. */
export function severityOf(value: unknown): number | undefined {
  if (typeof value === "number") return value >= 0 && value <= 7 ? Math.floor(value) : undefined;
  if (typeof value !== "string") return undefined;
  const v = value.trim().toLowerCase();
  if (/^[0-7]$/.test(v)) return Number(v);
  return SEVERITIES[v];
}

/** The fields of one syslog message. */
export interface SyslogMessage {
  readonly facility: number;
  readonly severity: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId?: string;
  readonly msgId?: string;
  readonly message: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Printable US-ASCII without spaces, cut to `max` (header fields), or "-" when empty. */
function headerField(value: string | undefined, max: number): string {
  if (!value) return "-";
  const clean = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return clean === "" ? "-" : clean;
}

/**
 * An RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`.
 *
 * @example
 * ```ts
 * formatRfc5424({ facility: 1, severity: 6, time: 0, hostname: "h", appName: "app", message: "hi" });
 * // "<14>1 1970-01-01T00:00:00.000Z h app - - - hi"
 * ```
 */
export function formatRfc5424(m: SyslogMessage): string {
  return `<${m.facility * 8 + m.severity}>1 ${new Date(m.time).toISOString()} ${
    headerField(m.hostname, 255)
  } ${headerField(m.appName, 48)} ${headerField(m.procId, 128)} ${
    headerField(m.msgId, 32)
  } - ${m.message}`;
}

/** An RFC 3164 message: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG` (local time, as the RFC says). */
export function formatRfc3164(m: SyslogMessage): string {
  const d = new Date(m.time);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${
    two(d.getHours())
  }:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  const tag = headerField(m.appName, 32).replace(/[\[\]:]/g, "_");
  const pid = m.procId ? `[${headerField(m.procId, 16)}]` : "";
  return `<${m.facility * 8 + m.severity}>${stamp} ${
    headerField(m.hostname, 255)
  } ${tag}${pid}: ${m.message}`;
}

/** Cuts UTF-8 bytes to at most `max`, backing off to a character boundary. */
export function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
