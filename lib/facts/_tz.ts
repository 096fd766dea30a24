/**
 * The local time zone's abbreviation ("UTC", "CET", "CEST"), read from the POSIX TZ rule at the
 * end of /etc/localtime (TZif v2+), since JS only knows zone names and offsets. Used by the time
 * collector's `time_zone` label and the `date_time` facts.
 *
 * @module
 */

/** The abbreviations and standard offset of a POSIX TZ rule like `CET-1CEST,M3.5.0,M10.5.0/3`. */
export interface PosixTz {
  readonly std: string;
  /** Seconds east of UTC in standard time. */
  readonly stdOffset: number;
  readonly dst?: string;
}

/** Parses the leading part of a POSIX TZ string; undefined when it does not parse. */
export function parsePosixTz(tz: string): PosixTz | undefined {
  const m = /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(<[^>]+>|[A-Za-z]{3,})?/.exec(
    tz.trim(),
  );
  if (!m) return undefined;
  const strip = (s: string) => s.replace(/^<|>$/g, "");
  const [h = "0", mi = "0", s = "0"] = m[2]!.replace(/^[+-]/, "").split(":");
  const sign = m[2]!.startsWith("-") ? -1 : 1;
  // POSIX offsets are west of UTC: "CET-1" is one hour east.
  const stdOffset = -sign * (Number(h) * 3600 + Number(mi) * 60 + Number(s)) || 0;
  return { std: strip(m[1]!), stdOffset, ...(m[3] ? { dst: strip(m[3]) } : {}) };
}

/** The POSIX TZ footer of a TZif file (the text between the last two newlines). */
export function tzifFooter(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== "TZif") {
    return undefined;
  }
  if (bytes[bytes.length - 1] !== 0x0a) return undefined;
  const start = bytes.lastIndexOf(0x0a, bytes.length - 2);
  if (start < 0) return undefined;
  return new TextDecoder().decode(bytes.subarray(start + 1, bytes.length - 1));
}

/** The local zone now: its abbreviation, the DST abbreviation, and the offset east of UTC. */
export interface LocalZone {
  readonly abbr: string;
  readonly dstAbbr: string;
  readonly offsetSeconds: number;
}

/** Picks the abbreviation for an offset from a parsed rule. */
export function zoneFor(rule: PosixTz | undefined, offsetSeconds: number): LocalZone {
  if (!rule) {
    const abbr = offsetSeconds === 0 ? "UTC" : formatOffset(offsetSeconds);
    return { abbr, dstAbbr: abbr, offsetSeconds };
  }
  const abbr = rule.dst && offsetSeconds !== rule.stdOffset ? rule.dst : rule.std;
  return { abbr, dstAbbr: rule.dst ?? rule.std, offsetSeconds };
}

/**
 * Reads the local zone from `<root>/etc/localtime` (a small file on the root filesystem, read
 * synchronously); UTC-style names when it is absent.
 */
export function localZone(root = "/", now = new Date()): LocalZone {
  const offsetSeconds = -now.getTimezoneOffset() * 60;
  let rule: PosixTz | undefined;
  try {
    const footer = tzifFooter(Deno.readFileSync(`${root.replace(/\/+$/, "")}/etc/localtime`));
    rule = footer ? parsePosixTz(footer) : undefined;
  } catch {
    // No /etc/localtime (or not readable): the kernel's and libc's default is UTC.
  }
  return zoneFor(rule, offsetSeconds);
}

/** `+0100` style offset (Ansible's `tz_offset`). */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? "-" : "+";
  const abs = Math.abs(offsetSeconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0");
  return `${sign}${hh}${mm}`;
}
