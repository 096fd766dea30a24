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

/** Replaces every registered secret value in text with `[redacted]`. */
export class Redactor {
  #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers a value; returns false when it is too short to be redacted safely. */
  add(value: string): boolean {
    if (value.length < MIN_SECRET_LENGTH) return false;
    if (!this.#values.has(value)) {
      this.#values.add(value);
      this.#pattern = undefined;
    }
    return true;
  }

  /** Number of registered values. */
  get size(): number {
    return this.#values.size;
  }

  /** The text with every registered value replaced, longest first so overlaps redact fully. */
  redact(text: string): string {
    if (this.#values.size === 0 || text.length === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"),
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
}

/** A secret source over `Deno.env` and the parsed env file. */
export function secretSource(envFile: Readonly<Record<string, string>>): SecretSource {
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
        denied.add(name);
      }
      return fromEnv ?? envFile[name];
    },
  };
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
