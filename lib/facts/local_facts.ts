/**
 * Ansible's `local` facts: each `*.fact` file of /etc/ansible/facts.d becomes
 * `local.<name>`, read as JSON or else as INI (sections of `key = value`, keys lower-cased as
 * Python's configparser does). Executable fact scripts are not run: gathering never forks.
 *
 * @module
 */

/** Parses an INI fact file; undefined when a line is neither a section, an option nor a comment. */
export function parseIniFact(text: string): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  let last: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (/^\s*([#;].*)?$/.test(line)) continue;
    const head = /^\[([^\]]+)\]\s*$/.exec(line);
    if (head) {
      section = out[head[1]!] ??= {};
      last = undefined;
      continue;
    }
    if (/^\s/.test(line) && section && last !== undefined) {
      // A continuation line.
      section[last] += `\n${line.trim()}`;
      continue;
    }
    const opt = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!opt || !section) return undefined;
    last = opt[1]!.toLowerCase();
    section[last] = opt[2]!.trim();
  }
  return out;
}

/** The value of one fact file: its JSON, else its INI, else Ansible's error text. */
export function localFact(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parseIniFact(text) ??
      `error loading facts as JSON or ini - please check content: ${path}`;
  }
}
