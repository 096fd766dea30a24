/**
 * Error types shared by every job, and the exit codes they map to (DESIGN §1).
 *
 * @module
 */

/** Process exit codes: 0 ok, 1 a task or runtime step failed, 2 usage/config error, 77 permission. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  config: 2,
  permission: 77,
} as const;

/** A key path into a config document, e.g. `["tasks", 3, "mode"]`. */
export type KeyPath = readonly (string | number)[];

/** Formats a key path the way users write it: `tasks[3].mode`. */
export function formatPath(path: KeyPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** One problem in a config file, located as precisely as the source allows. */
export interface ConfigIssue {
  /** Path of the file, relative to the config dir where possible. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
  /** Key path inside the document (`tasks[3].mode`); empty for the whole file. */
  readonly path: string;
  /** What is wrong, e.g. `expected a string like "0644", found the number 644`. */
  readonly message: string;
  /** A fix to try, e.g. `did you mean "file"?`. */
  readonly hint?: string;
  /** A warning does not stop anything; an issue is an error unless it says so. */
  readonly severity?: "warning";
}

/** Renders an issue as `file:line:col path: message (hint)`. */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) {
    where += `:${issue.line}`;
    if (issue.column !== undefined) where += `:${issue.column}`;
  }
  const path = issue.path ? ` ${issue.path}` : "";
  const hint = issue.hint ? `; ${issue.hint}` : "";
  return `${where}${path}: ${issue.message}${hint}`;
}

/** Issues in reading order: by file, then line and column. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) =>
    a.file === b.file
      ? (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
      : a.file < b.file
      ? -1
      : 1
  );
}

/** Thrown when config (files, env file, CLI input) is invalid; carries every issue found. */
export class ConfigError extends Error {
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];
  /** The process exit code this error maps to. */
  readonly exitCode: number = ExitCode.config;

  /** Creates the error. */
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** A usage error (bad flag value, conflicting options): exit 2, nothing applied. */
export class UsageError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number = ExitCode.config;

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A Deno permission is missing; `flags` lists what to add to the command line. */
export class PermissionError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number = ExitCode.permission;
  /** Deno flags that would grant the permission. */
  readonly flags: readonly string[];

  /** Creates the error. */
  constructor(message: string, flags: readonly string[]) {
    super(message);
    this.name = "PermissionError";
    this.flags = flags;
  }
}

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate to `word`, if it is close enough to be a likely typo. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "x"?` when a close candidate exists. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const s = suggest(word, candidates);
  return s === undefined ? undefined : `did you mean "${s}"?`;
}
