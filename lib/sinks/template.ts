/**
 * Path and key templates for sinks: `{name}` placeholders filled per batch, and strftime-style
 * `%Y %m %d %H %M %S` fields of a date (UTC). Templates are compiled once, not per event.
 *
 * @module
 */

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
      parts.push(dateField(m[2]!));
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

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function dateField(f: string): (v: unknown, d: Date) => string {
  switch (f) {
    case "Y":
      return (_, d) => String(d.getUTCFullYear());
    case "y":
      return (_, d) => pad(d.getUTCFullYear() % 100);
    case "m":
      return (_, d) => pad(d.getUTCMonth() + 1);
    case "d":
      return (_, d) => pad(d.getUTCDate());
    case "H":
      return (_, d) => pad(d.getUTCHours());
    case "M":
      return (_, d) => pad(d.getUTCMinutes());
    case "S":
      return (_, d) => pad(d.getUTCSeconds());
    case "j": {
      return (_, d) => {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        return pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, 3);
      };
    }
    default:
      return () => "%";
  }
}

/** A compact UTC timestamp for names: `20240501T101500Z`. */
export function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
