/**
 * Web server logs: the access log's common and combined formats (nginx and apache write the
 * same ones) and each server's error log. Fields use nginx's variable names.
 *
 * @module
 */

const COMMON =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const NGINX_ERROR =
  /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?([\s\S]*)$/;
const APACHE_ERROR =
  /^\[([^\]]+)\] \[(?:([^:\]]+):)?(\w+)\] \[pid (\d+)(?::tid (\d+))?\](?: \[client ([^\]]+)\])? ([\s\S]*)$/;

/** Access log formats. */
export type AccessFormat = "combined" | "common";

/**
 * Parses an access log line; `combined` also requires the referrer and user agent.
 *
 * @example
 * ```ts
 * parseAccess('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326', "common")?.status; // 200
 * ```
 */
export function parseAccess(
  line: string,
  format: AccessFormat,
): Record<string, unknown> | undefined {
  const m = COMMON.exec(line);
  if (!m || (format === "combined" && m[8] === undefined)) return undefined;
  const out: Record<string, unknown> = {
    remote_addr: m[1]!,
    time_local: m[4]!,
    request: m[5]!,
    status: Number(m[6]),
    body_bytes_sent: m[7] === "-" ? 0 : Number(m[7]),
  };
  if (m[2] !== "-") out.ident = m[2];
  if (m[3] !== "-") out.remote_user = m[3];
  const req = /^(\S+) (\S+)(?: (\S+))?$/.exec(m[5]!);
  if (req) {
    out.method = req[1];
    out.path = req[2];
    if (req[3]) out.protocol = req[3];
  }
  if (m[8] !== undefined) {
    out.http_referer = m[8];
    out.http_user_agent = m[9];
  }
  return out;
}

/** Parses an nginx error log line (`2024/05/01 10:00:00 [error] 12#12: *5 message`). */
export function parseNginxError(line: string): Record<string, unknown> | undefined {
  const m = NGINX_ERROR.exec(line);
  if (!m) return undefined;
  return {
    time_local: m[1]!,
    level: m[2]!,
    pid: Number(m[3]),
    tid: Number(m[4]),
    ...(m[5] !== undefined ? { connection: Number(m[5]) } : {}),
    message: m[6]!,
  };
}

/** Parses an apache 2.4 error log line (`[date] [module:level] [pid N:tid M] [client a:p] msg`). */
export function parseApacheError(line: string): Record<string, unknown> | undefined {
  const m = APACHE_ERROR.exec(line);
  if (!m) return undefined;
  return {
    time_local: m[1]!,
    ...(m[2] !== undefined ? { module: m[2] } : {}),
    level: m[3]!,
    pid: Number(m[4]),
    ...(m[5] !== undefined ? { tid: Number(m[5]) } : {}),
    ...(m[6] !== undefined ? { client: m[6] } : {}),
    message: m[7]!,
  };
}
