/**
 * Regex parsing with named groups. Python-style patterns from other tools' configs work as
 * written: `(?P<name>...)` and `(?P=name)` are rewritten to JavaScript's `(?<name>...)` and
 * `\k<name>`, and leading inline flags such as `(?i)` become RegExp flags.
 *
 * @module
 */

/**
 * Compiles a pattern, accepting Python's named-group syntax. Throws SyntaxError with the
 * pattern in the message when it is not a valid regex.
 *
 * @example
 * ```ts
 * compileRegex("(?P<level>\\w+): (?P<msg>.*)").exec("ERROR: disk full")?.groups?.level; // "ERROR"
 * ```
 */
export function compileRegex(pattern: string, extraFlags = ""): RegExp {
  let source = pattern.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  let flags = extraFlags;
  const inline = /^\(\?([imsu]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (!flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new SyntaxError(`invalid regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/** The named groups a regex captured (unmatched optional groups left out). */
export function namedGroups(regex: RegExp, line: string): Record<string, unknown> | undefined {
  const m = regex.exec(line);
  if (!m) return undefined;
  const out: Record<string, unknown> = {};
  const groups = m.groups ?? {};
  for (const k in groups) if (groups[k] !== undefined) out[k] = groups[k];
  return out;
}
