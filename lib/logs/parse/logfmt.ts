/**
 * logfmt (`key=value key2="quoted value" flag`): the format of Heroku, Go's slog text handler
 * and many CLIs. Values stay strings; a bare key is `true`.
 *
 * @module
 */

/**
 * Parses a logfmt line into fields, or returns undefined when it holds no `key=value` pair.
 *
 * @example
 * ```ts
 * parseLogfmt('level=info msg="hello world" ok'); // { level: "info", msg: "hello world", ok: true }
 * ```
 */
export function parseLogfmt(line: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let pairs = 0;
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n && line[i] !== "=" && line.charCodeAt(i) > 32) i++;
    const key = line.slice(ks, i);
    if (line[i] !== "=") {
      if (key !== "") out[key] = true;
      continue;
    }
    i++; // "="
    let value: string;
    if (line[i] === '"') {
      i++;
      let v = "";
      let start = i;
      while (i < n && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < n) {
          v += line.slice(start, i);
          const c = line[i + 1]!;
          v += c === "n" ? "\n" : c === "t" ? "\t" : c === "r" ? "\r" : c;
          i += 2;
          start = i;
        } else i++;
      }
      if (i >= n) return undefined; // unterminated quote
      value = v + line.slice(start, i);
      i++;
    } else {
      const vs = i;
      while (i < n && line.charCodeAt(i) > 32) i++;
      value = line.slice(vs, i);
    }
    if (key === "") return undefined;
    out[key] = value;
    pairs++;
  }
  return pairs > 0 ? out : undefined;
}
