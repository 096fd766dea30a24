/**
 * `${NAME}` substitution from the environment and an env file, and the redactor that keeps every
 * substituted value out of output (DESIGN §5).
 *
 * @module
 */
import type { KeyPath } from "./errors.ts";

/** What printed output shows instead of a secret value. */
export const REDACTED = "[redacted]";

/** Values shorter than this are not registered: replacing "1" everywhere would garble output. */
const MIN_SECRET_LENGTH = 3;
/** Derived forms shorter than this are left out: a short base64 core matches by chance. */
const MIN_FORM_LENGTH = 6;

/**
 * Replaces every registered secret value in text with `[redacted]`, and the forms a template
 * or a tool turns it into: base64 (standard and URL-safe, also inside a longer base64 text whose
 * input holds the secret, as a Basic-auth header or a Docker `auth` does), URL encoding, JSON
 * string escaping, upper and lower case, and hex. Each line of a multi-line secret counts on its
 * own, so a unified diff, which shows one line at a time, is redacted line by line.
 */
export class Redactor {
  #values = new Set<string>();
  #forms = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers a value; returns false when it is too short to be redacted safely. */
  add(value: string): boolean {
    if (value.length < MIN_SECRET_LENGTH) return false;
    if (this.#values.has(value)) return true;
    this.#values.add(value);
    const lines = value.split(/\r?\n/).filter((l) => l.trim().length >= MIN_SECRET_LENGTH);
    for (const form of [value, ...(lines.length > 1 ? lines : [])].flatMap(encodings)) {
      if (form.length >= MIN_SECRET_LENGTH && (form === value || form.length >= MIN_FORM_LENGTH)) {
        this.#forms.add(form);
      }
    }
    this.#pattern = undefined;
    return true;
  }

  /** Number of registered values. */
  get size(): number {
    return this.#values.size;
  }

  /** The text with every registered value replaced, longest first so overlaps redact fully. */
  redact(text: string): string {
    if (this.#forms.size === 0 || text.length === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"),
      "g",
    );
    return text.replace(this.#pattern, REDACTED);
  }

  /** Deep copy of a JSON-like value with every string redacted. */
  redactValue<T>(value: T): T {
    if (this.#values.size === 0) return value;
    return mapStrings(value, (s) => this.redact(s)) as T;
  }
}

const utf8 = new TextEncoder();

/** The forms a secret takes in output: itself and its common encodings. */
function encodings(secret: string): string[] {
  const bytes = utf8.encode(secret);
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    secret.toUpperCase(),
    secret.toLowerCase(),
    json,
    asciiJson(json),
    ...urlForms(bytes),
    hex,
    hex.toUpperCase(),
    base64(bytes),
    ...base64Cores(bytes),
  ];
  return [...new Set(forms.flatMap((f) => [f, f.replace(/\+/g, "-").replace(/\//g, "_")]))];
}

/**
 * Percent-encodings: JavaScript's encodeURIComponent, and Python's `quote` (what Ansible's
 * `urlencode` uses) with and without `/` kept, spaces as `+` (forms), hex digits in either case.
 */
function urlForms(bytes: Uint8Array): string[] {
  const quote = (keep: RegExp) =>
    [...bytes].map((b) => {
      const c = String.fromCharCode(b);
      return b < 0x80 && keep.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }).join("");
  const forms = [
    quote(/[A-Za-z0-9_.~!*'()-]/), // encodeURIComponent
    quote(/[A-Za-z0-9_.~-]/), // quote(s, safe="")
    quote(/[A-Za-z0-9_.~/-]/), // quote(s), Ansible's urlencode
  ];
  return forms.flatMap((
    f,
  ) => [f, f.replace(/%20/g, "+"), f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())]);
}

/** JSON escaping that also escapes every non-ASCII character (Python's `ensure_ascii`). */
function asciiJson(json: string): string {
  return json.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The part of the base64 of any text holding the secret that depends on the secret alone: for
 * each of the three offsets it may start at within a 3-byte group, the encoding of the whole
 * groups it fills.
 */
function base64Cores(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole > 0) out.push(base64(bytes.subarray(skip, skip + whole)));
  }
  return out;
}

/** The process-wide redactor used by the CLI printer, the audit log and error messages. */
export const redactor: Redactor = new Redactor();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === "object" && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Where `${NAME}` values come from: the process env first, then the env file. */
export interface SecretSource {
  /** The value, and whether it came from the environment or the env file. */
  get(name: string): string | undefined;
  /** Names that were asked for but are not visible because `--allow-env` does not cover them. */
  readonly denied: ReadonlySet<string>;
  /** Why a name asked for has no value, and what to do: the text of its config issue. */
  missing(name: string): { message: string; hint: string };
}

/** What is known about the env file, for the messages of missing names. */
export interface EnvFileInfo {
  /** The env file that was read. */
  readonly path?: string | undefined;
  /** An env file that exists but could not be read (no `--allow-read` for it). */
  readonly unreadable?: string | undefined;
}

/** A secret source over `Deno.env` and the parsed env file. */
export function secretSource(
  envFile: Readonly<Record<string, string>>,
  info: EnvFileInfo = {},
): SecretSource {
  const denied = new Set<string>();
  return {
    denied,
    get(name) {
      let fromEnv: string | undefined;
      try {
        fromEnv = Deno.env.get(name);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
          throw e;
        }
      }
      // Under --ignore-env a variable --allow-env does not list reads as unset, set or not.
      if (fromEnv === undefined && !envVisible(name)) denied.add(name);
      return fromEnv ?? envFile[name];
    },
    missing(name) {
      const file = info.path ? `the env file ${info.path} does not set it` : "there is no env file";
      if (denied.has(name)) {
        return {
          message: `\${${name}} is hidden from driftless by the Deno permissions (--allow-env ` +
            `does not list it; --ignore-env reads such variables as unset), and ${file}`,
          hint: `if it is set in the environment, add --allow-env=${name}`,
        };
      }
      return {
        message: `\${${name}} is not set in the environment, and ${file}`,
        hint: info.unreadable
          ? `the env file ${info.unreadable} was not read: allow it with --allow-read=${info.unreadable}`
          : `set it, or give a default: \${${name}:-value}`,
      };
    },
  };
}

/** True when this process may read the variable (not hidden by the permissions). */
function envVisible(name: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  } catch {
    return true;
  }
}

/** A `${NAME}` with no value and no default, found while substituting. */
export interface MissingVariable {
  readonly name: string;
  readonly path: KeyPath;
}

const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** True when the string holds a `${...}` reference or a `$${` escape. */
export function hasPlaceholder(s: string): boolean {
  return s.includes("${");
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in one string; `$${` yields a literal `${`.
 * Values from the source are registered with the redactor; defaults are not secrets.
 */
export function interpolate(
  text: string,
  source: SecretSource,
  options: { redactor?: Redactor; onMissing?: (name: string) => void } = {},
): string {
  if (!hasPlaceholder(text)) return text;
  return text.replace(PLACEHOLDER, (match, name: string | undefined, fallback?: string) => {
    if (match === "$${") return "${";
    const value = source.get(name!);
    if (value !== undefined) {
      options.redactor?.add(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    options.onMissing?.(name!);
    return match;
  });
}

/**
 * Walks a parsed document and interpolates every string value (keys are left alone).
 * Returns the new document and the variables that had no value.
 */
export function substitute(
  data: unknown,
  source: SecretSource,
  redactor?: Redactor,
): { value: unknown; missing: MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === "string") {
      const opts = redactor ? { redactor } : {};
      return interpolate(value, source, {
        ...opts,
        onMissing: (name) => missing.push({ name, path: [...path] }),
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object" && isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return { value: walk(data, []), missing };
}
