/**
 * Path and key templates for sinks: `{name}` placeholders filled per batch, and the strftime
 * fields `%Y %y %m %d %j %H %M %S` of a date in UTC (the shared engine of `lib/time_format.ts`).
 * Templates are compiled once, not per event.
 *
 * @module
 */

import { strftime, utcTm } from "../time_format.ts";

/** A compiled template: renders with the given values and date. */
export type Template = (values: Readonly<Record<string, string>>, date: Date) => string;

const TOKEN = /\{([a-z_]+)\}|%([YmdHMSjy%])/g;

/**
 * Compiles a template; throws a RangeError naming the placeholder when one is not allowed.
 *
 * @example
 * ```ts
 * const t = compileTemplate("{host}/%Y/%m/%d.log", ["host"]);
 * t({ host: "web-1" }, new Date("2024-05-01T10:00:00Z")); // "web-1/2024/05/01.log"
 * ```
 */
export function compileTemplate(template: string, names: readonly string[]): Template {
  const parts: ((v: Readonly<Record<string, string>>, d: Date) => string)[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    if (m.index > last) {
      const text = template.slice(last, m.index);
      parts.push(() => text);
    }
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      const name = m[1];
      if (name === "date") {
        parts.push((_, d) => d.toISOString().slice(0, 10));
      } else if (names.includes(name)) {
        parts.push((v) => v[name] ?? "");
      } else {
        throw new RangeError(
          `unknown placeholder {${name}} in "${template}" (allowed: ${
            [...names, "date"].map((n) => `{${n}}`).join(", ")
          })`,
        );
      }
    } else {
      const format = `%${m[2]!}`;
      parts.push((_, d) => strftime(format, utcTm(d)));
    }
  }
  if (last < template.length) {
    const text = template.slice(last);
    parts.push(() => text);
  }
  return (values, date) => {
    let out = "";
    for (const p of parts) out += p(values, date);
    return out;
  };
}

/** A compact UTC timestamp for names: `20240501T101500Z`. */
export function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
