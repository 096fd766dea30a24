/**
 * The `version` test's comparisons: distutils LooseVersion (default), StrictVersion, Ansible's
 * SemanticVersion and PEP 440, with Ansible's operators and error messages.
 *
 * @module
 */
import { pyError } from "./error.ts";
import * as py from "./py.ts";

type Cmp = (a: string, b: string) => number;

/** Python 3 cannot order an int against a str (but `==` is just false). */
class TypeMismatch extends Error {}

function cmpSeq(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x !== typeof y) {
      throw new TypeMismatch(
        `'<' not supported between instances of '${typeof x === "number" ? "int" : "str"}' and '${
          typeof y === "number" ? "int" : "str"
        }'`,
      );
    }
    return (x as number | string) < (y as number | string) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** distutils LooseVersion components: numbers and letter runs. */
export function looseParts(v: string): (number | string)[] {
  return v.split(/(\d+|[a-z]+|\.)/).filter((p) => p && p !== ".").map((p) =>
    /^\d+$/.test(p) ? parseInt(p, 10) : p
  );
}

const loose: Cmp = (a, b) => cmpSeq(looseParts(a), looseParts(b));

function strictParse(v: string): [number[], [string, number] | null] {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(v);
  if (!m) throw new Error(`invalid version number '${v}'`);
  const nums = [parseInt(m[1]!, 10), parseInt(m[2]!, 10), m[4] ? parseInt(m[4], 10) : 0];
  return [nums, m[5] ? [m[5][0]!, parseInt(m[6]!, 10)] : null];
}

const strict: Cmp = (a, b) => {
  const [na, pa] = strictParse(a);
  const [nb, pb] = strictParse(b);
  const c = cmpSeq(na, nb);
  if (c) return c;
  if (!pa && !pb) return 0;
  if (!pa) return 1;
  if (!pb) return -1;
  return cmpSeq(pa, pb);
};

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const semver: Cmp = (a, b) => {
  const pa = SEMVER.exec(a);
  if (!pa) throw new Error(`invalid semantic version '${a}'`);
  const pb = SEMVER.exec(b);
  if (!pb) throw new Error(`invalid semantic version '${b}'`);
  const core = cmpSeq(pa.slice(1, 4).map(Number), pb.slice(1, 4).map(Number));
  if (core) return core;
  if (!pa[4] && !pb[4]) return 0;
  if (pa[4] && !pb[4]) return -1;
  if (!pa[4] && pb[4]) return 1;
  const ids = (s: string) => s.split(".").map((x) => (/^\d+$/.test(x) ? parseInt(x, 10) : x));
  const xa = ids(pa[4]!);
  const xb = ids(pb[4]!);
  const n = Math.min(xa.length, xb.length);
  for (let i = 0; i < n; i++) {
    const x = xa[i]!;
    const y = xb[i]!;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "string") return -1;
    if (typeof x === "string" && typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return xa.length === xb.length ? 0 : xa.length < xb.length ? -1 : 1;
};

const PEP440 =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

function pepKey(v: string): unknown[] {
  const m = PEP440.exec(v);
  if (!m) throw new Error(`Invalid version: '${v}'`);
  const epoch = m[1] ? parseInt(m[1], 10) : 0;
  const release = m[2]!.split(".").map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const preKind = m[3]?.toLowerCase();
  const preMap: Record<string, number> = {
    a: 0,
    alpha: 0,
    b: 1,
    beta: 1,
    c: 2,
    rc: 2,
    pre: 2,
    preview: 2,
  };
  const post = m[5] !== undefined ? parseInt(m[5], 10) : m[6] ? parseInt(m[7] ?? "0", 10) : null;
  const dev = m[8] ? parseInt(m[9] ?? "0", 10) : null;
  // Ordering: dev-only releases sort before pre-releases; then pre, then final, then post.
  const pre = preKind !== undefined
    ? [preMap[preKind]!, parseInt(m[4] ?? "0", 10)]
    : dev !== null && post === null
    ? [-1, 0]
    : [9, 0];
  return [epoch, release, pre, post === null ? -1 : post, dev === null ? Infinity : dev];
}

function cmpDeep(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = cmpDeep(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

const pep440: Cmp = (a, b) => cmpDeep(pepKey(a), pepKey(b));

const OPS: Record<string, string> = {
  "==": "eq",
  "=": "eq",
  eq: "eq",
  "<": "lt",
  lt: "lt",
  "<=": "le",
  le: "le",
  ">": "gt",
  gt: "gt",
  ">=": "ge",
  ge: "ge",
  "!=": "ne",
  "<>": "ne",
  ne: "ne",
};
const TYPES: Record<string, Cmp> = { loose, strict, semver, semantic: semver, pep440 };

/** Ansible's `version_compare(value, version, operator, strict, version_type)`. */
export function compareVersions(
  value: unknown,
  version: unknown,
  operator: unknown,
  strictFlag: unknown,
  versionType: unknown,
): boolean {
  if (strictFlag !== null && versionType !== null) {
    throw pyError("AnsibleFilterError", "Cannot specify both 'strict' and 'version_type'");
  }
  if (!py.truthy(value)) throw pyError("AnsibleFilterError", "Input version value cannot be empty");
  if (!py.truthy(version)) {
    throw pyError("AnsibleFilterError", "Version parameter to compare against cannot be empty");
  }
  let cmp = loose;
  if (py.truthy(strictFlag)) cmp = strict;
  else if (versionType !== null) {
    const t = TYPES[py.str(versionType)];
    if (!t) {
      throw pyError(
        "AnsibleFilterError",
        `Invalid version type (${
          py.str(versionType)
        }). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'`,
      );
    }
    cmp = t;
  }
  const op = OPS[py.str(operator)];
  if (!op) {
    throw pyError(
      "AnsibleFilterError",
      `Invalid operator type (${py.str(operator)}). Must be one of ${
        Object.keys(OPS).map((k) => `'${k}'`).join(", ")
      }`,
    );
  }
  let c: number;
  try {
    c = cmp(py.str(value), py.str(version));
  } catch (e) {
    throw pyError("AnsibleFilterError", `Version comparison failed: ${(e as Error).message}`);
  }
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    default:
      return c >= 0;
  }
}
