/**
 * YAML 1.1 plain scalars as PyYAML's SafeLoader reads them (Ansible's YAML): its implicit
 * resolver picks the tag, its constructor the value. `0644` is octal, `yes`/`no`/`on`/`off` are
 * booleans, `1_000` and `190:20:30` are integers, `09` and `1e3` stay strings.
 *
 * @module
 */

/** PyYAML's implicit resolvers: tag, pattern, and the first characters that may start a match. */
const RESOLVERS: readonly [string, RegExp, string][] = [
  [
    "bool",
    /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    "yYnNtTfFoO",
  ],
  [
    "float",
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    "-+0123456789.",
  ],
  [
    "int",
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    "-+0123456789",
  ],
  ["merge", /^(?:<<)$/, "<"],
  ["null", /^(?:~|null|Null|NULL|)$/, "~nN"],
  [
    "timestamp",
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
    "0123456789",
  ],
  ["value", /^(?:=)$/, "="],
];

/** The tag PyYAML's resolver gives a plain scalar (`bool`, `int`, `float`, `null`, `str`, ...). */
export function resolvePlain(value: string): string {
  if (value === "") return "null";
  for (const [tag, re, first] of RESOLVERS) {
    if (first.includes(value[0]!) && re.test(value)) return tag;
  }
  return "str";
}

/** A plain scalar's value, as PyYAML's SafeConstructor builds it. */
export interface PlainValue {
  readonly tag: string;
  /** Floats are numbers; timestamps keep their text (Python prints a date as written). */
  readonly value: null | boolean | number | string;
}

/** Constructs a plain scalar the way PyYAML does. */
export function constructPlain(source: string): PlainValue {
  const tag = resolvePlain(source);
  switch (tag) {
    case "null":
      return { tag, value: null };
    case "bool":
      return { tag, value: /^(?:yes|true|on)$/i.test(source) };
    case "int":
      return { tag, value: constructInt(source) };
    case "float":
      return { tag, value: constructFloat(source) };
    default:
      return { tag, value: source };
  }
}

function signed(text: string): [number, string] {
  const clean = text.replaceAll("_", "");
  if (clean[0] === "-") return [-1, clean.slice(1)];
  if (clean[0] === "+") return [1, clean.slice(1)];
  return [1, clean];
}

function sexagesimal(body: string, parse: (s: string) => number): number {
  return body.split(":").reduce((acc, part) => acc * 60 + parse(part), 0);
}

function constructInt(text: string): number {
  const [sign, body] = signed(text);
  if (body === "0") return 0;
  if (body.startsWith("0b")) return sign * parseInt(body.slice(2), 2);
  if (body.startsWith("0x")) return sign * parseInt(body.slice(2), 16);
  if (body.startsWith("0")) return sign * parseInt(body, 8);
  if (body.includes(":")) return sign * sexagesimal(body, (s) => parseInt(s, 10));
  return sign * parseInt(body, 10);
}

function constructFloat(text: string): number {
  const [sign, body] = signed(text.toLowerCase());
  if (body === ".inf") return sign * Infinity;
  if (body === ".nan") return NaN;
  if (body.includes(":")) return sign * sexagesimal(body, Number);
  return sign * Number(body);
}
