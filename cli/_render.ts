/**
 * The one printer (DESIGN §2): everything the CLI shows goes through here, so secrets are
 * redacted in one place and colour follows `--no-color` / `NO_COLOR` in one place.
 *
 * @module
 */
import { type ConfigIssue, formatIssue } from "../lib/errors.ts";
import { redactor } from "../lib/secrets.ts";

const encoder = new TextEncoder();
let colorEnabled = false;
let level: LogLevel = "info";

/** Log levels, most severe first. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Sets colour and verbosity for the rest of the process. */
export function configure(options: { color: boolean; level: LogLevel }): void {
  colorEnabled = options.color;
  level = options.level;
}

/** Whether colour should be on by default: a terminal, and no `NO_COLOR` in the environment. */
export function defaultColor(): boolean {
  let noColor: string | undefined;
  try {
    noColor = Deno.env.get("NO_COLOR");
  } catch {
    // Not visible under --ignore-env scoping: treat as unset.
  }
  return !noColor && Deno.stdout.isTerminal();
}

function paint(code: string): (s: string) => string {
  return (s) => (colorEnabled ? `\x1b[${code}m${s}\x1b[0m` : s);
}

/** ANSI styles that turn into plain text when colour is off. */
export const style = {
  bold: paint("1"),
  dim: paint("2"),
  red: paint("31"),
  green: paint("32"),
  yellow: paint("33"),
  blue: paint("34"),
  cyan: paint("36"),
} as const;

function write(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(redactor.redact(text));
  let off = 0;
  while (off < bytes.length) off += stream.writeSync(bytes.subarray(off));
}

/** Prints to stdout exactly as given (no newline added), redacted. */
export function printRaw(text: string): void {
  write(Deno.stdout, text);
}

/**
 * Writes a line to stdout WITHOUT redaction: the channel through which a child process hands
 * the agent its validated config (secrets included) over a pipe. Refuses a terminal, so the
 * values never reach a screen.
 */
export function writeChannel(line: string): void {
  if (Deno.stdout.isTerminal()) {
    throw new Error("this output is for the driftless agent, through a pipe, not a terminal");
  }
  const bytes = encoder.encode(`${line}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

/** Prints a line to stdout, redacted. */
export function print(line = ""): void {
  write(Deno.stdout, `${line}\n`);
}

/** Prints a line to stderr, redacted. */
export function printErr(line: string): void {
  write(Deno.stderr, `${line}\n`);
}

/** An error line on stderr. */
export function error(message: string): void {
  printErr(`${style.red("error")}: ${message}`);
}

/** A warning line on stderr, unless the level is `error`. */
export function warn(message: string): void {
  if (level !== "error") printErr(`${style.yellow("warning")}: ${message}`);
}

/** An informational line on stderr at level info or debug. */
export function info(message: string): void {
  if (level === "info" || level === "debug") printErr(message);
}

/** A debug line on stderr at level debug. */
export function debug(message: string): void {
  if (level === "debug") printErr(style.dim(message));
}

/** Prints config issues, one per line, and a count. */
export function printIssues(issues: readonly ConfigIssue[]): void {
  for (const issue of issues) printErr(`${style.red("error")}: ${formatIssue(issue)}`);
  const n = issues.length;
  printErr(`${n} problem${n === 1 ? "" : "s"} found`);
}
