/**
 * Python's `glob.glob` (no `**`, hidden files only matched by patterns starting with a dot),
 * used by the `fileglob` filter and lookup.
 *
 * @module
 */
import { fnmatchRegex } from "../../fnmatch.ts";

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
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
      const re = fnmatchRegex(part);
      for (const name of listDir(base).sort()) {
        if (name.startsWith(".") && !part.startsWith(".")) continue;
        if (re.test(name)) next.push(prefix + name);
      }
    }
    bases = next;
  }
  return bases.filter((b) => b !== "" && b !== "/" || pattern === "/");
}
