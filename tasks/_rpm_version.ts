/**
 * rpm's version order (`rpmvercmp`, with `~` before and `^` after a release) and EVR
 * comparison, for zypper's version ranges and dnf's downgrade check.
 *
 * @module
 */

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined) =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** Compares two version (or release) strings as rpm does: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isDigit(a[i]) && !isAlpha(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isDigit(b[j]) && !isAlpha(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++, j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++, j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const take = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && take(a[ei])) ei++;
    while (ej < b.length && take(b[ej])) ej++;
    let x = a.slice(i, ei);
    let y = b.slice(j, ej);
    // A numeric segment is newer than an alphabetic one.
    if (y === "") return numeric ? 1 : -1;
    if (numeric) {
      x = x.replace(/^0+/, "");
      y = y.replace(/^0+/, "");
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x > y ? 1 : -1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

interface Evr {
  readonly epoch: number;
  readonly version: string;
  readonly release?: string;
}

function parseEvr(text: string): Evr {
  const colon = text.indexOf(":");
  const epoch = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? Number(text.slice(0, colon)) : 0;
  const rest = colon > 0 ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf("-");
  return dash > 0
    ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) }
    : { epoch, version: rest };
}

/**
 * Compares `[epoch:]version[-release]` strings; a side without a release matches any release
 * of the same version (as a pin `nginx=1.24` matches `1.24-3`).
 */
export function evrCompare(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const v = rpmvercmp(x.version, y.version);
  if (v !== 0 || x.release === undefined || y.release === undefined) return v;
  return rpmvercmp(x.release, y.release);
}

/** The comparison operators in version constraints (`name>=1.2`). */
export type VersionOp = "=" | "<" | ">" | "<=" | ">=";

/** `version op wanted` holds (e.g. `satisfies("1.2-1", ">=", "1.0")`). */
export function satisfies(version: string, op: VersionOp, wanted: string): boolean {
  const c = evrCompare(version, wanted);
  return op === "="
    ? c === 0
    : op === "<"
    ? c < 0
    : op === ">"
    ? c > 0
    : op === "<="
    ? c <= 0
    : c >= 0;
}
