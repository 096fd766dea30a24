/**
 * Python's `glob.glob` (no `**`, hidden files only matched by patterns starting with a dot),
 * used by the `fileglob` filter and lookup.
 *
 * @module
 */

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Translates one path component's glob to a RegExp (fnmatch rules). */
export function fnmatchRe(pat: string): RegExp {
  let re = "";
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const j = pat.indexOf("]", i + 2);
      if (j < 0) re += "\\[";
      else {
        let stuff = pat.slice(i + 1, j).replace(/\\/g, "\\\\");
        if (stuff.startsWith("!")) stuff = "^" + stuff.slice(1);
        else if (stuff.startsWith("^")) stuff = "\\" + stuff;
        re += `[${stuff}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

function listDir(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir || ".")].map((e) => e.name);
  } catch {
    return [];
  }
}

function exists(p: string): boolean {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** `glob.glob(pattern)`, sorted per directory like listdir order is not guaranteed: sorted. */
export function expandGlobSync(pattern: string): string[] {
  const abs = pattern.startsWith("/");
  const parts = pattern.split("/").filter((p, i) => p !== "" || i === 0);
  let bases = [abs ? "/" : ""];
  for (const part of abs ? parts.slice(1) : parts) {
    const next: string[] = [];
    for (const base of bases) {
      const prefix = base === "" ? "" : base.endsWith("/") ? base : base + "/";
      if (!hasMagic(part)) {
        const p = prefix + part;
        if (exists(p)) next.push(p);
        continue;
      }
      const re = fnmatchRe(part);
      for (const name of listDir(base).sort()) {
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (re.test(name)) next.push(prefix + name);
      }
    }
    bases = next;
  }
  return bases.filter((b) => b !== "" && b !== "/" || pattern === "/");
}
