/**
 * Parameter types as Ansible reads them, for the system tasks' schemas: booleans that may be
 * `yes`/`no` strings (YAML 1.2 keeps them as strings), integers that may be quoted, lists that
 * may be a comma-separated string. Each is a field-level transform, so a task's schema stays a
 * plain object (the JSON Schema shows the accepted input forms).
 *
 * @module
 */
import * as z from "zod";

const TRUE = ["yes", "on", "1", "true", "y", "t"];
const FALSE = ["no", "off", "0", "false", "n", "f"];
const BOOL_STRINGS = [...TRUE, ...FALSE].flatMap((s) => [s, s.toUpperCase(), cap(s)]);

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** A boolean, also as Ansible's strings (`yes`, `no`, `on`, `off`, `true`, `1`, ...). */
export function bool() {
  return z.union([z.boolean(), z.enum([...new Set(BOOL_STRINGS)] as [string, ...string[]])])
    .transform((v) => typeof v === "boolean" ? v : TRUE.includes(v.toLowerCase()));
}

/** An integer, also as a string of digits. */
export function int() {
  return z.union([z.number().int(), z.string().regex(/^-?\d+$/, "expected an integer")])
    .transform((v) => Number(v));
}

/** A number, also as a numeric string. */
export function num() {
  return z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, "expected a number")])
    .transform((v) => Number(v));
}

/** A string, also given as a number (`minute: 5`, `version: 1.2`). */
export function str() {
  return z.union([z.string(), z.number()]).transform((v) => String(v));
}

/** A list of strings, also as one comma-separated string (Ansible's `type='list'`). */
export function list() {
  return z.union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
    .transform((v) =>
      Array.isArray(v)
        ? v.map(String)
        : String(v).split(",").map((s) => s.trim()).filter((s) => s !== "")
    );
}

/** A mapping of strings (headers, environment), also as `k:v,k2:v2` (Ansible's `dict` string). */
export function dict() {
  return z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])), z.string()])
    .transform((v) => {
      if (typeof v !== "string") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
      }
      const out: Record<string, string> = {};
      for (const part of v.split(",")) {
        const i = part.search(/[:=]/);
        if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
      }
      return out;
    });
}

/** A file mode: an octal string (`"0644"`, `"644"`), or a number taken as the mode bits. */
export function mode() {
  return z.union([
    z.string().regex(/^0?[0-7]{3,4}$/, 'expected an octal mode like "0644"'),
    z.number().int().min(0).max(0o7777),
  ])
    .transform((v) => typeof v === "number" ? v : parseInt(v, 8));
}
