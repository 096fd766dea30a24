/**
 * Regexes in the logs config (parsers, filters, multiline) are Python patterns, as in the tools
 * users come from: `(?P<name>...)`, inline flags, `\A`/`\Z` all work (see `lib/pyregex.ts`).
 *
 * @module
 */
import { pyRegex, PyRegexError } from "../../pyregex.ts";

/**
 * Compiles a pattern with Python's syntax to a RegExp. Throws SyntaxError with the pattern and
 * Python's reason when it is not a valid regex.
 *
 * @example
 * ```ts
 * compileRegex("(?P<level>\\w+): (?P<msg>.*)").exec("ERROR: disk full")?.groups?.level; // "ERROR"
 * ```
 */
export function compileRegex(pattern: string): RegExp {
  try {
    return pyRegex(pattern).regex;
  } catch (e) {
    if (!(e instanceof PyRegexError)) throw e;
    throw new SyntaxError(`invalid regex ${JSON.stringify(pattern)}: ${e.reason}`);
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
