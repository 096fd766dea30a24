/**
 * Parses one config file (YAML, JSON or TOML by extension) and keeps a way back from a key path
 * to its line and column, so every later error can point into the file.
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import type { Node as YamlNode, ScalarTag } from "yaml";
import { parse as parseToml } from "smol-toml";
import { ConfigError, type ConfigIssue, formatPath, type KeyPath } from "../errors.ts";
import { constructPlain } from "../yaml11.ts";

/** A line and column, both 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A parsed config file. */
export interface SourceDoc {
  /** The path shown in messages (relative to the config dir). */
  readonly file: string;
  readonly data: unknown;
  /**
   * Position of the deepest part of `path` that exists in the file: the value it holds, or
   * with `key` the key that names it (for "unknown key" and "defined twice").
   */
  locate(path: KeyPath, key?: boolean): Position | undefined;
}

/** Config formats and the extensions that select them. */
export const FORMATS: Readonly<Record<string, "yaml" | "json" | "toml">> = {
  ".yml": "yaml",
  ".yaml": "yaml",
  ".json": "json",
  ".toml": "toml",
};

/** The format for a file name, or undefined when the extension is not a config format. */
export function formatOf(name: string): "yaml" | "json" | "toml" | undefined {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : FORMATS[name.slice(dot).toLowerCase()];
}

/** Options for {@linkcode parseSource}. */
export interface ParseOptions {
  /**
   * Read YAML as Ansible does (YAML 1.1 as PyYAML reads it: `0644` is octal, `yes`/`off` are
   * booleans): apply, task and vars files, which users bring from Ansible.
   */
  readonly yaml11?: boolean;
}

/** Parses text in the given format; syntax errors throw a ConfigError with positions. */
export function parseSource(
  text: string,
  file: string,
  format: "yaml" | "json" | "toml",
  options: ParseOptions = {},
): SourceDoc {
  switch (format) {
    case "yaml":
      return parseYaml(text, file, options.yaml11 ?? false);
    case "json":
      return parseJson(text, file);
    case "toml":
      return parseTomlDoc(text, file);
  }
}

/**
 * Ansible's own tags. `!unsafe` marks a string that is never templated: it is kept as a raw
 * block, which renders to the text itself. `!vault` is refused.
 */
const ANSIBLE_TAGS: ScalarTag[] = [
  {
    tag: "!unsafe",
    resolve: (s, onError) => {
      if (!/\{\{|\{%|\{#/.test(s)) return s;
      if (s.includes("endraw")) onError("an !unsafe value may not contain endraw");
      return `{% raw %}${s}{% endraw %}`;
    },
  },
  {
    tag: "!vault",
    resolve: (_s, onError) => {
      onError("Ansible Vault values are not supported: use ${NAME} secrets from the env file");
      return "";
    },
  },
];

function parseYaml(text: string, file: string, yaml11 = false): SourceDoc {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    ...(yaml11 ? { merge: true, customTags: ANSIBLE_TAGS } : {}),
  });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({
      file,
      ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
      path: "",
      message: `invalid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}`,
    })));
  }
  if (yaml11) {
    // Plain values as PyYAML reads them; keys stay as written (Ansible's keys are names).
    visit(doc, {
      Scalar(key, node) {
        if (key !== "key" && node.type === "PLAIN" && !node.tag && node.source !== undefined) {
          node.value = constructPlain(node.source).value;
        }
      },
    });
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  return {
    file,
    data,
    locate: (path, key) => locateYaml(doc.contents, path, lineCounter, key ?? false),
  };
}

function locateYaml(
  root: unknown,
  path: KeyPath,
  lc: LineCounter,
  atKey: boolean,
): Position | undefined {
  let node = root as YamlNode | null | undefined;
  let best: number | undefined = rangeStart(node);
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isPair(p) && isScalar(p.key) && String(p.key.value) === String(key)
      );
      if (!pair) break;
      best = rangeStart(pair.key as YamlNode) ?? best;
      node = pair.value as YamlNode | null;
      // Point at the value when the path ends on a scalar: that is what is wrong.
      if (!atKey && i === path.length - 1 && isScalar(node)) best = rangeStart(node) ?? best;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as YamlNode | undefined;
      if (!item) break;
      best = rangeStart(item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  if (best === undefined) return undefined;
  const { line, col } = lc.linePos(best);
  return { line, column: col };
}

function rangeStart(node: YamlNode | null | undefined): number | undefined {
  return node && "range" in node && node.range ? node.range[0] : undefined;
}

function parseJson(text: string, file: string): SourceDoc {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /\(line (\d+) column (\d+)\)/.exec(message);
    const pos = m ? { line: Number(m[1]), column: Number(m[2]) } : locateJsonError(text);
    const what = message.startsWith("Unexpected token")
      ? `unexpected ${/Unexpected token ('[^']*')/.exec(message)?.[1] ?? "token"}`
      : message.replace(/ in JSON at position.*$/, "").replace(/, ".*" is not valid JSON$/s, "");
    throw new ConfigError([{ file, ...pos, path: "", message: `invalid JSON: ${what}` }]);
  }
  // JSON is YAML 1.2 flow syntax, so the YAML parser gives us node positions for free.
  return parseYaml(text, file);
}

function locateJsonError(text: string): Partial<Position> {
  // V8 omits the position for some errors; the YAML parser usually finds the same spot.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const pos = doc.errors[0]?.linePos?.[0];
  return pos ? { line: pos.line, column: pos.col } : {};
}

function parseTomlDoc(text: string, file: string): SourceDoc {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (e) {
    const err = e as Error & { line?: number; column?: number };
    const issue: ConfigIssue = {
      file,
      ...(err.line ? { line: err.line, column: err.column ?? 1 } : {}),
      path: "",
      message: `invalid TOML: ${firstLine(err.message).replace(/^Invalid TOML document: /, "")}`,
    };
    throw new ConfigError([issue]);
  }
  const index = indexToml(text);
  return {
    file,
    data,
    locate(path) {
      // The TOML index knows keys only; a key and its value share the line.
      for (let n = path.length; n >= 0; n--) {
        const hit = index.get(formatPath(path.slice(0, n)));
        if (hit) return hit;
      }
      return undefined;
    },
  };
}

/**
 * Maps each key path defined in a TOML text to where it is defined. A line scanner, not a
 * parser: it follows `[table]`, `[[array]]` headers and `key = value` lines, which is where
 * every key of a config file lives; keys inside inline tables map to their parent.
 */
function indexToml(text: string): Map<string, Position> {
  const index = new Map<string, Position>();
  // Array-of-tables paths (indices resolved) → index of their last element.
  const arrays = new Map<string, number>();
  const resolve = (keys: string[]): (string | number)[] => {
    const out: (string | number)[] = [];
    keys.forEach((key, i) => {
      out.push(key);
      const last = arrays.get(formatPath(out));
      if (last !== undefined && i < keys.length - 1) out.push(last);
    });
    return out;
  };
  let table: (string | number)[] = [];
  let multiline: string | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (multiline) {
      if (line.includes(multiline)) multiline = undefined;
      continue;
    }
    const trimmed = line.trimStart();
    const pos = { line: i + 1, column: line.length - trimmed.length + 1 };
    if (trimmed.startsWith("[[")) {
      const path = resolve(splitDottedKey(trimmed.slice(2, trimmed.indexOf("]]"))));
      const n = (arrays.get(formatPath(path)) ?? -1) + 1;
      arrays.set(formatPath(path), n);
      setOnce(index, path, pos);
      table = [...path, n];
      setOnce(index, table, pos);
    } else if (trimmed.startsWith("[")) {
      table = resolve(splitDottedKey(trimmed.slice(1, trimmed.indexOf("]"))));
      setOnce(index, table, pos);
    } else {
      const eq = findAssignment(trimmed);
      if (eq < 0) continue;
      setOnce(index, [...table, ...splitDottedKey(trimmed.slice(0, eq))], pos);
      const rest = trimmed.slice(eq + 1).trim();
      for (const q of ['"""', "'''"]) {
        if (rest.startsWith(q) && !rest.slice(3).includes(q)) multiline = q;
      }
    }
  }
  return index;
}

function setOnce(index: Map<string, Position>, path: KeyPath, pos: Position): void {
  const key = formatPath(path);
  if (!index.has(key)) index.set(key, pos);
}

function findAssignment(s: string): number {
  if (s.startsWith("#")) return -1;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "=") return i;
  }
  return -1;
}

function splitDottedKey(s: string): string[] {
  const keys: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) && m[0] !== "") keys.push(m[1] ?? m[2] ?? m[3]!);
  return keys;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}
