/**
 * `lineinfile`: one line present (or absent) in a text file, with Ansible's exact rules (ported
 * from ansible-core 2.14's module, byte for byte): `regexp` (Python syntax) or `search_string`
 * picks the line to replace (the last match, or the first with `firstmatch`), else `line` is
 * inserted after the last `insertafter` match (or before `insertbefore`; `BOF`/`EOF`), or
 * appended; `backrefs` expands `\1` from the match (and changes nothing without one); `create`
 * makes a missing file; `state: absent` drops every matching line. Lines keep their own endings
 * (CRLF stays CRLF); a file without a final newline gets one before an appended line.
 *
 * @module
 */
import * as z from "zod";
import type { Host } from "../lib/apply/host.ts";
import { type Change, defineTask, type TaskResult } from "../lib/apply/task.ts";
import {
  fromBinary,
  type PyPattern,
  pyRegex,
  type PyRegexOptions,
  textToBinary,
  toBinary,
} from "../lib/pyregex.ts";
import {
  Accounts,
  applyAttr,
  type AttrOp,
  attrShape,
  type AttrState,
  bool,
  currentUmask,
  newMode,
  planAttrs,
  readAttrState,
  type Resolved,
  resolveOwnership,
} from "./_attrs.ts";
import {
  applyWrite,
  contentDiff,
  oneOf,
  pathParam,
  readOrNull,
  resolveLinks,
  validateSchema,
  type WriteOp,
} from "./_files.ts";
import { missingDirs } from "./copy.ts";

/** The file parameter of the in-place editors (lineinfile, blockinfile, replace), aliases after. */
export const EDIT_PATH = ["path", "dest", "destfile", "name"] as const;

/** The schema fields of {@linkcode EDIT_PATH} (`oneOf(EDIT_PATH)` checks that one is given). */
export const editPathShape = {
  path: z.string().min(1).optional(),
  dest: z.string().min(1).optional(),
  destfile: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
};

/** Compiles a param's Python pattern in a schema check; if it fails, an issue at `key`. */
export function checkPattern(
  ctx: z.RefinementCtx,
  pattern: string,
  options: PyRegexOptions & { key: string },
): PyPattern | undefined {
  try {
    return pyRegex(pattern, options);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: [options.key], message: (e as Error).message });
    return undefined;
  }
}

/**
 * Schema checks of `insertafter`/`insertbefore` (lineinfile, blockinfile): not both, and each a
 * byte pattern unless it is `EOF` or `BOF`.
 */
export function checkInsertParams(
  ctx: z.RefinementCtx,
  p: { insertafter?: string | undefined; insertbefore?: string | undefined },
): void {
  if (p.insertafter !== undefined && p.insertbefore !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["insertbefore"],
      message: "parameters are mutually exclusive: insertbefore|insertafter",
    });
  }
  for (const key of ["insertafter", "insertbefore"] as const) {
    const v = p[key];
    if (v !== undefined && v !== "EOF" && v !== "BOF") checkPattern(ctx, v, { key, bytes: true });
  }
}

/** The lineinfile task's parameters. */
export const lineinfileSchema = z.strictObject({
  ...editPathShape,
  state: z.enum(["present", "absent"]).default("present"),
  regexp: z.string().optional(),
  regex: z.string().optional(),
  search_string: z.string().optional(),
  line: z.string().optional(),
  value: z.string().optional(),
  insertafter: z.string().optional(),
  insertbefore: z.string().optional(),
  backrefs: bool.default(false),
  create: bool.default(false),
  backup: bool.default(false),
  firstmatch: bool.default(false),
  validate: validateSchema.optional(),
  ...attrShape,
}).superRefine(oneOf(EDIT_PATH)).superRefine((p, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  const regexp = p.regexp ?? p.regex;
  const line = p.line ?? p.value;
  if (p.regexp !== undefined && p.regex !== undefined) {
    issue("regex", "regexp and regex are aliases; give only one");
  }
  if (p.line !== undefined && p.value !== undefined) {
    issue("value", "line and value are aliases; give only one");
  }
  checkInsertParams(ctx, p);
  if (regexp !== undefined && p.search_string !== undefined) {
    issue("search_string", "parameters are mutually exclusive: regexp|search_string");
  }
  if (p.backrefs && p.search_string !== undefined) {
    issue("backrefs", "parameters are mutually exclusive: backrefs|search_string");
  }
  if (p.state === "present") {
    if (p.backrefs && regexp === undefined) {
      issue("backrefs", "regexp is required with backrefs=true");
    }
    if (line === undefined) issue("line", "line is required with state=present");
  } else if (regexp === undefined && p.search_string === undefined && line === undefined) {
    issue("line", "one of line, search_string, or regexp is required with state=absent");
  }
  if (regexp !== undefined) checkPattern(ctx, regexp, { key: "regexp", bytes: true });
});

type Params = z.output<typeof lineinfileSchema>;

/** The edit, as the module computes it on the file's bytes (as a binary string). */
export interface LineEdit {
  readonly after: string;
  readonly msg: string;
  /** Lines removed (state absent). */
  readonly found?: number;
}

/** Options for {@linkcode presentLine} / {@linkcode absentLine}, as the module's params. */
export interface LineOptions {
  readonly regexp?: string | undefined;
  readonly searchString?: string | undefined;
  readonly line: string;
  readonly insertafter?: string | undefined;
  readonly insertbefore?: string | undefined;
  readonly backrefs?: boolean;
  readonly firstmatch?: boolean;
}

/** Python's `bytes.readlines()`: split after each `\n`, endings kept. */
function readlines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

const stripEol = (s: string) => s.replace(/[\r\n]+$/, "");

/**
 * lineinfile `state: present` on a file's content (binary strings: bytes as Latin-1; use
 * {@linkcode textToBinary} for text). A port of ansible-core 2.14's `present()`.
 */
export function presentLine(before: string, o: LineOptions): LineEdit {
  const lines = readlines(before);
  const bre = o.regexp !== undefined ? pyRegex(o.regexp, { bytes: true }) : undefined;
  const insertafter = o.insertafter ?? (o.insertbefore === undefined ? "EOF" : undefined);
  const insertbefore = o.insertbefore;
  let breIns: PyPattern | undefined;
  if (insertafter !== undefined && insertafter !== "BOF" && insertafter !== "EOF") {
    breIns = pyRegex(insertafter, { bytes: true });
  } else if (insertbefore !== undefined && insertbefore !== "BOF") {
    breIns = pyRegex(insertbefore, { bytes: true });
  }
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  const line = o.line;

  if (bre) {
    for (const [n, cur] of lines.entries()) {
      const m = bre.search(cur);
      if (m) {
        index[0] = n;
        match = m;
        if (o.firstmatch) break;
      }
    }
  }
  if (o.searchString !== undefined) {
    for (const [n, cur] of lines.entries()) {
      if (cur.includes(o.searchString)) {
        index[0] = n;
        match = true;
        if (o.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (const [n, cur] of lines.entries()) {
      if (line === stripEol(cur)) {
        index[0] = n;
      } else if (breIns && breIns.search(cur)) {
        if (insertafter !== undefined) {
          index[1] = n + 1;
          if (o.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          index[1] = n;
          if (o.firstmatch) break;
        }
      }
    }
  }

  let msg = "";
  const endsWithEol = () => {
    const last = lines[lines.length - 1]!;
    return last.endsWith("\n") || last.endsWith("\r");
  };
  if (index[0] !== -1) {
    // Python's Match.expand: the template's group references are checked against the pattern.
    let newLine = o.backrefs && bre && match && typeof match !== "boolean"
      ? bre.template(line)(match)
      : line;
    if (!newLine.endsWith("\n")) newLine += "\n";
    // (The module's insert branch here needs no regexp, no match and no exact line, but
    // index[0] is only ever set by a match or an exact line: it cannot be reached.)
    if (lines[index[0]!] !== newLine) {
      lines[index[0]!] = newLine;
      msg = "line replaced";
    }
  } else if (o.backrefs) {
    // Without a match there is nothing to expand the backrefs from: change nothing.
  } else if (insertbefore === "BOF" || insertafter === "BOF") {
    lines.unshift(`${line}\n`);
    msg = "line added";
  } else if (insertafter === "EOF" || index[1] === -1) {
    if (lines.length > 0 && !endsWithEol()) lines.push("\n");
    lines.push(`${line}\n`);
    msg = "line added";
  } else if (insertafter !== undefined && index[1] !== -1) {
    const at = index[1]!;
    if (lines.length === at) {
      if (stripEol(lines[at - 1]!) !== line) {
        // Ansible 2.14 forgets the newline here and glues the line onto the last one
        // ("b" + "c\n" = "bc\n", changed again on the next run); end the last line first.
        if (!endsWithEol()) lines[at - 1] += "\n";
        lines.push(`${line}\n`);
        msg = "line added";
      }
    } else if (line !== stripEol(lines[at]!)) {
      lines.splice(at, 0, `${line}\n`);
      msg = "line added";
    }
  } else {
    lines.splice(index[1]!, 0, `${line}\n`);
    msg = "line added";
  }
  return { after: lines.join(""), msg };
}

/** lineinfile `state: absent` on a file's content (binary strings). */
export function absentLine(
  before: string,
  o: { regexp?: string | undefined; searchString?: string | undefined; line?: string | undefined },
): LineEdit {
  const bre = o.regexp !== undefined ? pyRegex(o.regexp, { bytes: true }) : undefined;
  let found = 0;
  const kept = readlines(before).filter((cur) => {
    const hit = bre
      ? bre.search(cur) !== null
      : o.searchString !== undefined
      ? cur.includes(o.searchString)
      : o.line === stripEol(cur);
    if (hit) found++;
    return !hit;
  });
  return { after: kept.join(""), msg: found > 0 ? `${found} line(s) removed` : "", found };
}

/** What lineinfile (and blockinfile) read. */
export interface EditCurrent {
  readonly path: string;
  /** The file's bytes as a binary string; null when it does not exist. */
  readonly before: string | null;
  readonly attr?: AttrState | undefined;
  readonly dirs: readonly string[];
  readonly owner?: Resolved | undefined;
  readonly group?: Resolved | undefined;
  readonly umask: number;
}

/** One step of an in-place edit. */
export type EditOp =
  | WriteOp
  | AttrOp
  | { readonly kind: "mkdir"; readonly path: string; readonly mode: number };

/** Reads a file to edit in place, following symlinks (exported for blockinfile and replace). */
export async function readEdit(
  params: Readonly<Record<string, unknown>> & {
    mode?: string | undefined;
    owner?: string | undefined;
    group?: string | undefined;
  },
  host: Host,
  options: { create: boolean },
): Promise<EditCurrent> {
  const given = pathParam(params, EDIT_PATH);
  const accounts = Accounts.for(host, params);
  const { owner, group } = await resolveOwnership(params, accounts);
  const path = await resolveLinks(host, given);
  const st = await host.stat(path);
  if (st?.isDirectory) throw new Error(`Path ${given} is a directory !`);
  const bytes = st ? await readOrNull(host, path) : null;
  const dirs = bytes === null && options.create ? await missingDirs(host, dirnameOf(path)) : [];
  return {
    path,
    before: bytes === null ? null : toBinary(bytes),
    attr: st ? await readAttrState(host, path, accounts) : undefined,
    dirs,
    owner,
    group,
    umask: currentUmask(),
  };
}

function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Plans writing an edit's result plus attributes (exported for blockinfile and replace). */
export function planEdit(
  cur: EditCurrent,
  after: string,
  summary: string,
  params: {
    mode?: string | undefined;
    backup: boolean;
    validate?: string | undefined;
  },
): Change<EditOp>[] {
  const out: Change<EditOp>[] = [];
  for (const dir of cur.dirs) {
    out.push({
      op: { kind: "mkdir", path: dir, mode: newMode(undefined, true, cur.umask) },
      summary: `mkdir ${dir}`,
    });
  }
  const uid = cur.owner?.id;
  const gid = cur.group?.id;
  if (cur.before === null || after !== cur.before) {
    const data = fromBinary(after);
    const diff = contentDiff(
      cur.path,
      cur.before === null ? null : fromBinary(cur.before),
      data,
    );
    out.push({
      op: {
        kind: "write",
        path: cur.path,
        data,
        backup: params.backup,
        validate: params.validate,
        ...(cur.before === null
          ? {
            mode: newMode(params.mode, false, cur.umask),
            ...(uid !== undefined ? { uid } : {}),
            ...(gid !== undefined ? { gid } : {}),
          }
          : {}),
      },
      summary,
      diff,
    });
  }
  if (cur.attr) {
    out.push(...planAttrs(cur.attr, {
      mode: params.mode,
      owner: cur.owner,
      group: cur.group,
      umask: cur.umask,
    }));
  }
  return out;
}

/** Applies one edit step; a backup is reported under `backupKey`. */
export async function applyEdit(
  op: EditOp,
  host: Host,
  backupKey = "backup_file",
): Promise<TaskResult | void> {
  switch (op.kind) {
    case "write": {
      const r = await applyWrite(op, host);
      return r.backup_file ? { [backupKey]: r.backup_file } : {};
    }
    case "mkdir":
      return host.mkdir(op.path, { mode: op.mode });
    default:
      return applyAttr(op, host);
  }
}

function edit(params: Params, before: string): LineEdit {
  const regexp = params.regexp ?? params.regex;
  const line = params.line ?? params.value;
  const opt = (v: string | undefined) => v === undefined ? undefined : textToBinary(v);
  if (params.state === "absent") {
    return absentLine(before, {
      regexp: opt(regexp),
      searchString: opt(params.search_string),
      line: opt(line),
    });
  }
  return presentLine(before, {
    regexp: opt(regexp),
    searchString: opt(params.search_string),
    line: textToBinary(line!),
    insertafter: opt(params.insertafter),
    insertbefore: opt(params.insertbefore),
    backrefs: params.backrefs,
    firstmatch: params.firstmatch,
  });
}

/** The lineinfile task. */
export const lineinfile = defineTask({
  type: "lineinfile",
  schema: lineinfileSchema,
  mainParam: "path",
  async read(params, host) {
    const cur = await readEdit(params, host, { create: params.create });
    if (cur.before === null && params.state === "present" && !params.create) {
      throw new Error(`Destination ${pathParam(params, EDIT_PATH)} does not exist !`);
    }
    return cur;
  },
  plan(params, cur) {
    if (cur.before === null && params.state === "absent") return [];
    const result = edit(params, cur.before ?? "");
    const summary = cur.before === null
      ? `create ${cur.path}`
      : result.msg === "line added"
      ? `add line to ${cur.path}`
      : result.msg === "line replaced"
      ? `replace line in ${cur.path}`
      : `remove ${result.found} line${result.found === 1 ? "" : "s"} from ${cur.path}`;
    return planEdit(cur, result.after, summary, params);
  },
  apply: (op, host) => applyEdit(op, host, "backup"),
  result(params, cur) {
    if (cur.before === null) {
      return { msg: params.state === "absent" ? "file not present" : "line added" };
    }
    const result = edit(params, cur.before);
    return { msg: result.msg, ...(result.found !== undefined ? { found: result.found } : {}) };
  },
});
