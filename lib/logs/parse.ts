/**
 * Parsers: turn a line into fields (json, logfmt, syslog, nginx, apache, regex, plain) and take
 * the event's time from a field with a format. A line that does not parse keeps its raw text and
 * gets an error (`error.message` in JSON output): nothing is dropped silently.
 *
 * Everything (regexes, time formats) is compiled once per source, not per line.
 *
 * @module
 */
import type { ParserConfig } from "../config/logs_schema.ts";
import type { LogEvent } from "./event.ts";
import { parseAccess, parseApacheError, parseNginxError } from "./parse/access.ts";
import { parseLogfmt } from "./parse/logfmt.ts";
import { compileRegex, namedGroups } from "./parse/regex.ts";
import { parseSyslog } from "./parse/syslog.ts";
import { compileTimeFormat, type TimeParser } from "./parse/timestamp.ts";

/** Parses one event in place. */
export type Parser = (event: LogEvent) => void;

type Fields = Record<string, unknown>;

/** Key a parser uses to hand over a time it already parsed (removed before fields are set). */
const TIME = "\0time";

/**
 * Compiles a source's parser; undefined means none (plain lines). Throws RangeError or
 * SyntaxError for a bad time format or regex.
 */
export function compileParser(config: ParserConfig | undefined): Parser | undefined {
  if (config === undefined) return undefined;
  const c = typeof config === "string" ? { type: config } as Exclude<ParserConfig, string> : config;
  const target = c.target;
  const ts = c.timestamp;
  const tz = ts?.timezone !== undefined ? { timezone: ts.timezone } : {};
  let parse: (line: string) => Fields | string;
  let timeField: string | undefined = ts?.field;
  let timeParser: TimeParser | undefined = ts ? compileTimeFormat(ts.format, tz) : undefined;

  switch (c.type) {
    case "plain":
      if (!ts) return undefined;
      parse = () => ({});
      break;
    case "json":
      parse = (line) => {
        let v: unknown;
        try {
          v = JSON.parse(line);
        } catch (e) {
          return `json: ${(e as Error).message}`;
        }
        return v !== null && typeof v === "object" && !Array.isArray(v)
          ? v as Fields
          : "json: expected an object";
      };
      break;
    case "logfmt":
      parse = (line) => parseLogfmt(line) ?? "logfmt: no key=value pairs";
      break;
    case "syslog": {
      const format = c.format ?? "auto";
      const rfc3339 = compileTimeFormat("rfc3339", tz);
      const rfc3164 = compileTimeFormat("rfc3164", tz);
      const own = !ts;
      timeField ??= "syslog.timestamp";
      parse = (line) => {
        const p = parseSyslog(line, format);
        if (!p) return `syslog: not an ${format === "auto" ? "RFC 5424 or 3164" : format} line`;
        const syslog: Fields = { timestamp: p.timestamp };
        if (p.priority !== undefined) {
          syslog.priority = p.priority;
          syslog.facility = p.facility;
          syslog.severity = p.severity;
        }
        if (p.version !== undefined) syslog.version = p.version;
        if (p.hostname !== undefined) syslog.hostname = p.hostname;
        if (p.appname !== undefined) syslog.appname = p.appname;
        if (p.procid !== undefined) syslog.procid = p.procid;
        if (p.msgid !== undefined) syslog.msgid = p.msgid;
        if (p.structured_data !== undefined) syslog.structured_data = p.structured_data;
        const fields: Fields = { syslog, message: p.message };
        if (own) {
          const t = (p.timestampFormat === "rfc3339" ? rfc3339 : rfc3164)(p.timestamp);
          if (t === undefined) return `syslog: cannot read the timestamp "${p.timestamp}"`;
          fields[TIME] = t;
        }
        return fields;
      };
      break;
    }
    case "nginx":
    case "apache": {
      const format = c.format ?? "combined";
      if (format === "error") {
        const fn = c.type === "nginx" ? parseNginxError : parseApacheError;
        if (!ts) {
          timeField = "time_local";
          timeParser = compileTimeFormat(
            c.type === "nginx" ? "%Y/%m/%d %H:%M:%S" : "%a %b %d %H:%M:%S.%f %Y",
            tz,
          );
        }
        parse = (line) => fn(line) ?? `${c.type}: not an error log line`;
      } else {
        if (!ts) {
          timeField = "time_local";
          timeParser = compileTimeFormat("common", tz);
        }
        parse = (line) => parseAccess(line, format) ?? `${c.type}: not a ${format} log line`;
      }
      break;
    }
    case "regex": {
      const re = compileRegex(c.pattern);
      parse = (line) => namedGroups(re, line) ?? "regex: the line does not match the pattern";
      break;
    }
  }

  return (event) => {
    const r = parse(event.message);
    if (typeof r === "string") {
      event.error = r;
      return;
    }
    let own: number | undefined;
    if (TIME in r) {
      own = r[TIME] as number;
      delete r[TIME];
    }
    if (target) event.setField(target, r);
    else if (event.fields) Object.assign(event.fields, r);
    else event.fields = r;
    if (own !== undefined) {
      event.time = own;
      return;
    }
    if (timeParser && timeField) {
      const raw = event.field(target ? `${target}.${timeField}` : timeField);
      if (raw === undefined) {
        event.error = `timestamp: no field "${timeField}"`;
        return;
      }
      const t = typeof raw === "number" && ts?.format.startsWith("unix")
        ? timeParser(String(raw))
        : typeof raw === "string"
        ? timeParser(raw)
        : undefined;
      if (t === undefined) {
        event.error = `timestamp: cannot read ${JSON.stringify(raw)} as ${ts?.format ?? "a time"}`;
      } else event.time = t;
    }
  };
}
