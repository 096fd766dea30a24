/**
 * Ansible's path filters with Python's `os.path` (posix) and `ntpath` semantics: `basename`,
 * `dirname`, `expanduser`, `expandvars`, `realpath`, `relpath`, `splitext`, `path_join`,
 * `win_basename`, `win_dirname`, `win_splitdrive`, `fileglob`.
 *
 * @module
 */
import { expandGlobSync } from "./_glob.ts";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { builtin } from "./_util.ts";

/** posixpath.basename */
export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
/** posixpath.dirname */
export function dirname(p: string): string {
  const i = p.lastIndexOf("/") + 1;
  let head = p.slice(0, i);
  if (head && head !== "/".repeat(head.length)) head = head.replace(/\/+$/, "");
  return head;
}
/** posixpath.normpath */
export function normpath(p: string): string {
  if (p === "") return ".";
  const initial = p.startsWith("/") ? (p.startsWith("//") && !p.startsWith("///") ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of p.split("/")) {
    if (comp === "" || comp === ".") continue;
    if (
      comp !== ".." || (!initial && !out.length) || (out.length && out[out.length - 1] === "..")
    ) out.push(comp);
    else if (out.length) out.pop();
  }
  const res = "/".repeat(initial) + out.join("/");
  return res || ".";
}
/** posixpath.join */
export function join(parts: string[]): string {
  let path = parts[0] ?? "";
  for (const b of parts.slice(1)) {
    if (b.startsWith("/")) path = b;
    else if (!path || path.endsWith("/")) path += b;
    else path += "/" + b;
  }
  return path;
}
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
/** posixpath.expanduser */
export function expanduser(p: string): string {
  if (!p.startsWith("~")) return p;
  let i = p.indexOf("/", 1);
  if (i < 0) i = p.length;
  let home: string | undefined;
  if (i === 1) home = env("HOME");
  else {
    const user = p.slice(1, i);
    try {
      const passwd = Deno.readTextFileSync("/etc/passwd");
      const line = passwd.split("\n").find((l) => l.split(":")[0] === user);
      home = line?.split(":")[5];
    } catch {
      home = undefined;
    }
    if (home === undefined) return p;
  }
  if (home === undefined) return p;
  home = home.replace(/\/+$/, "");
  return (home || "/") + p.slice(i);
}
/** posixpath.expandvars */
export function expandvars(p: string): string {
  if (!p.includes("$")) return p;
  return p.replace(/\$(\w+|\{[^}]*\})/g, (m, name: string) => {
    const n = name.startsWith("{") ? name.slice(1, -1) : name;
    const v = env(n);
    return v === undefined ? m : v;
  });
}
/** posixpath.realpath (non-strict). */
export function realpath(p: string): string {
  const abs = p.startsWith("/") ? p : join([Deno.cwd(), p]);
  const parts = normpath(abs).split("/").filter(Boolean);
  let resolved = "";
  for (let i = 0; i < parts.length; i++) {
    const next = `${resolved}/${parts[i]}`;
    try {
      resolved = Deno.realPathSync(next);
    } catch {
      return normpath(`${next}/${parts.slice(i + 1).join("/")}`);
    }
  }
  return resolved || "/";
}
/** posixpath.relpath */
export function relpath(p: string, start: string): string {
  if (!p) throw pyError("ValueError", "no path specified");
  const abs = (x: string) => normpath(x.startsWith("/") ? x : join([Deno.cwd(), x]));
  const a = abs(start).split("/").filter(Boolean);
  const b = abs(p).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rel = [...Array(a.length - i).fill(".."), ...b.slice(i)];
  return rel.length ? rel.join("/") : ".";
}
/** posixpath.splitext */
export function splitext(p: string, sep = "/"): [string, string] {
  const sepIndex = p.lastIndexOf(sep);
  const dot = p.lastIndexOf(".");
  if (dot > sepIndex) {
    let f = sepIndex + 1;
    while (f < dot) {
      if (p[f] !== ".") return [p.slice(0, dot), p.slice(dot)];
      f++;
    }
  }
  return [p, ""];
}

function ntSplitdrive(p: string): [string, string] {
  if (p.length >= 2) {
    const norm = p.replaceAll("/", "\\");
    if (norm.startsWith("\\\\") && norm[2] !== "\\") {
      const index = norm.indexOf("\\", 2);
      if (index < 0) return ["", p];
      let index2 = norm.indexOf("\\", index + 1);
      if (index2 === index + 1) return ["", p];
      if (index2 < 0) index2 = p.length;
      return [p.slice(0, index2), p.slice(index2)];
    }
    if (norm[1] === ":") return [p.slice(0, 2), p.slice(2)];
  }
  return ["", p];
}
function ntSplit(p: string): [string, string] {
  const [d, rest] = ntSplitdrive(p);
  let i = rest.length;
  while (i && !"/\\".includes(rest[i - 1]!)) i--;
  let head = rest.slice(0, i);
  const tail = rest.slice(i);
  const stripped = head.replace(/[/\\]+$/, "");
  head = stripped || head;
  return [d + head, tail];
}

const s = (v: unknown): string => {
  if (typeof v !== "string") {
    throw pyError("TypeError", `expected str, bytes or os.PathLike object, not ${py.typeName(v)}`);
  }
  return v;
};
builtin("basename", "path", (p: unknown) => basename(s(p)));
builtin("dirname", "path", (p: unknown) => dirname(s(p)));
builtin("expanduser", "path", (p: unknown) => expanduser(s(p)));
builtin("expandvars", "path", (p: unknown) => expandvars(s(p)));
builtin("realpath", "path", (p: unknown) => realpath(s(p)));
builtin("relpath", "path, start='.'", (p: unknown, start: unknown) => relpath(s(p), s(start)));
builtin("splitext", "path", (p: unknown) => py.tuple(splitext(s(p))));
builtin("path_join", "paths", (paths: unknown) => {
  if (typeof paths === "string") return paths;
  if (Array.isArray(paths)) return join(paths.map(s));
  throw pyError(
    "AnsibleFilterTypeError",
    `|path_join expects string or sequence, got <class '${py.typeName(paths)}'> instead.`,
  );
});
builtin("win_basename", "path", (p: unknown) => ntSplit(s(p))[1]);
builtin("win_dirname", "path", (p: unknown) => ntSplit(s(p))[0]);
builtin("win_splitdrive", "path", (p: unknown) => py.tuple(ntSplitdrive(s(p))));
builtin("fileglob", "pathname", (p: unknown) =>
  expandGlobSync(s(p)).filter((f) => {
    try {
      return Deno.statSync(f).isFile;
    } catch {
      return false;
    }
  }));
