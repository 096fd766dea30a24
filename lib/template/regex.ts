/**
 * Python regexes for templates: `lib/pyregex.ts` does the work; this maps its errors to the
 * engine's Python errors (`re.error`, `IndexError`), so messages come out as Ansible prints them.
 *
 * @module
 */
import { PyRegexError } from "../pyregex.ts";
import { pyError } from "./error.ts";

/** Runs `fn` (a `pyRegex` call and its use), turning a PyRegexError into a template error. */
export function pyRe<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PyRegexError) throw pyError(e.kind, e.reason);
    throw e;
  }
}
