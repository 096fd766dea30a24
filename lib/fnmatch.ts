/**
 * Python's `fnmatch.translate` (3.11): shell-style wildcards as a RegExp, for the glob matching
 * of `creates`/`removes` and the `fileglob` filter and lookup. `/` is not special: a glob is
 * matched one path component at a time.
 *
 * @module
 */

/** Characters to escape in a JS `u` RegExp outside a class. */
const SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/**
 * The RegExp for one fnmatch pattern: `*` any run, `?` one character, `[seq]`, `[!seq]` (with
 * ranges; an empty range never matches), anything else literal.
 *
 * @example
 * ```ts
 * fnmatchRegex("*.log").test("app.log"); // true
 * ```
 */
export function fnmatchRegex(pattern: string): RegExp {
  const p = [...pattern];
  const n = p.length;
  let re = "";
  let i = 0;
  while (i < n) {
    const c = p[i++]!;
    if (c === "*") {
      if (!re.endsWith("[\\s\\S]*")) re += "[\\s\\S]*";
    } else if (c === "?") {
      re += "[\\s\\S]";
    } else if (c === "[") {
      let j = i;
      if (j < n && p[j] === "!") j++;
      if (j < n && p[j] === "]") j++;
      while (j < n && p[j] !== "]") j++;
      if (j >= n) {
        re += "\\[";
        continue;
      }
      re += set(p, i, j);
      i = j + 1;
    } else {
      re += c.replace(SPECIAL, "\\$&");
    }
  }
  return new RegExp(`^${re}$`, "u");
}

/** The class for `p[i..j)`, the inside of `[...]`, as fnmatch.translate builds it. */
function set(p: string[], start: number, j: number): string {
  const esc = (s: string) => s.replace(/[\\\]]/g, "\\$&");
  let i = start;
  let stuff: string;
  if (!p.slice(i, j).includes("-")) {
    stuff = esc(p.slice(i, j).join(""));
  } else {
    // Split at the hyphens that make ranges, drop empty ranges (b-a), escape literal hyphens.
    const chunks: string[] = [];
    let k = p[i] === "!" ? i + 2 : i + 1;
    for (;;) {
      k = p.indexOf("-", k);
      if (k < 0 || k >= j) break;
      chunks.push(p.slice(i, k).join(""));
      i = k + 1;
      k += 3;
    }
    const chunk = p.slice(i, j).join("");
    if (chunk) chunks.push(chunk);
    else chunks[chunks.length - 1] += "-";
    for (let m = chunks.length - 1; m > 0; m--) {
      const prev = [...chunks[m - 1]!];
      const next = [...chunks[m]!];
      if (prev[prev.length - 1]!.codePointAt(0)! > next[0]!.codePointAt(0)!) {
        chunks[m - 1] = prev.slice(0, -1).join("") + next.slice(1).join("");
        chunks.splice(m, 1);
      }
    }
    stuff = chunks.map((s) => esc(s).replace(/-/g, "\\-")).join("-");
  }
  if (!stuff) return "(?!)";
  if (stuff === "!") return "[\\s\\S]";
  if (stuff[0] === "!") return `[^${stuff.slice(1)}]`;
  if (stuff[0] === "^" || stuff[0] === "[") return `[\\${stuff}]`;
  return `[${stuff}]`;
}
