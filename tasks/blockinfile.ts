/**
 * `blockinfile`: a block of lines between marker lines, ported from ansible-core 2.14's module
 * byte for byte: `marker` with `{mark}` (`marker_begin`/`marker_end`), `block` (alias `content`;
 * empty removes the block), `insertafter`/`insertbefore` (a Python regex, `EOF`/`BOF`; a `(?m)`
 * pattern searches the whole file), `create`, `state: absent`, `backup`, `validate`.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { type PyPattern, pyRegex, textToBinary } from "../lib/pyregex.ts";
import { attrShape, bool } from "./_attrs.ts";
import { oneOf, pathParam, validateSchema } from "./_files.ts";
import {
  applyEdit,
  checkInsertParams,
  EDIT_PATH,
  editPathShape,
  planEdit,
  readEdit,
} from "./lineinfile.ts";

/** The blockinfile task's parameters. */
export const blockinfileSchema = z.strictObject({
  ...editPathShape,
  state: z.enum(["present", "absent"]).default("present"),
  marker: z.string().default("# {mark} ANSIBLE MANAGED BLOCK"),
  marker_begin: z.string().default("BEGIN"),
  marker_end: z.string().default("END"),
  block: z.string().optional(),
  content: z.string().optional(),
  insertafter: z.string().optional(),
  insertbefore: z.string().optional(),
  create: bool.default(false),
  backup: bool.default(false),
  validate: validateSchema.optional(),
  ...attrShape,
}).superRefine(oneOf(EDIT_PATH)).superRefine((p, ctx) => {
  if (p.block !== undefined && p.content !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["content"],
      message: "block and content are aliases; give only one",
    });
  }
  checkInsertParams(ctx, p);
});

/** Options for {@linkcode blockEdit}, as the module's params (binary strings). */
export interface BlockOptions {
  readonly marker: string;
  readonly markerBegin: string;
  readonly markerEnd: string;
  readonly block: string;
  readonly present: boolean;
  readonly insertafter?: string | undefined;
  readonly insertbefore?: string | undefined;
}

/** Python's `bytes.splitlines(True)`: lines end at `\n`, `\r\n` or `\r`, endings kept. */
function splitlines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/**
 * blockinfile on a file's content (a binary string, or null when the file does not exist): the
 * new content and what happened (a port of ansible-core 2.14's `main()`).
 */
export function blockEdit(
  original: string | null,
  o: BlockOptions,
): { after: string; msg: string; found: boolean } {
  const lines = original === null ? [] : splitlines(original);
  let insertafter = o.insertafter;
  const insertbefore = o.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = "EOF";
  let insertre: PyPattern | undefined;
  if (insertafter !== undefined && insertafter !== "EOF") {
    insertre = pyRegex(insertafter, { bytes: true });
  } else if (insertbefore !== undefined && insertbefore !== "BOF") {
    insertre = pyRegex(insertbefore, { bytes: true });
  }
  const mark = (what: string) => `${o.marker.replaceAll("{mark}", () => what)}\n`;
  const marker0 = mark(o.markerBegin);
  const marker1 = mark(o.markerEnd);
  let blocklines: string[] = [];
  if (o.present && o.block) {
    const block = o.block.endsWith("\n") ? o.block : `${o.block}\n`;
    blocklines = [marker0, ...splitlines(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, i) => {
    if (line === marker0) n0 = i;
    if (line === marker1) n1 = i;
  });
  const found = n0 !== undefined && n1 !== undefined;
  if (!found) {
    n0 = undefined;
    if (insertre) {
      if (insertre.multiline) {
        const text = original ?? "";
        const m = insertre.search(text);
        if (m) {
          const at = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = text.slice(0, at).split("\n").length - 1;
        }
      } else {
        lines.forEach((line, i) => {
          if (insertre!.search(line)) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) {
      n0 = 0;
    } else {
      n0 = lines.length;
    }
  } else if (n0! < n1!) {
    lines.splice(n0!, n1! - n0! + 1);
  } else {
    lines.splice(n1!, n0! - n1! + 1);
    n0 = n1;
  }
  const at = n0!;
  if (at > 0 && !lines[at - 1]!.endsWith("\n")) lines[at - 1] += "\n";
  lines.splice(at, 0, ...blocklines);
  const after = lines.join("");
  const msg = original === after
    ? ""
    : original === null
    ? "File created"
    : blocklines.length === 0
    ? "Block removed"
    : "Block inserted";
  return { after, msg, found };
}

function blockOptions(params: z.output<typeof blockinfileSchema>): BlockOptions {
  const bin = (v: string | undefined) => v === undefined ? undefined : textToBinary(v);
  return {
    marker: textToBinary(params.marker),
    markerBegin: textToBinary(params.marker_begin),
    markerEnd: textToBinary(params.marker_end),
    block: textToBinary(params.block ?? params.content ?? ""),
    present: params.state === "present",
    insertafter: bin(params.insertafter),
    insertbefore: bin(params.insertbefore),
  };
}

/** The blockinfile task. */
export const blockinfile = defineTask({
  type: "blockinfile",
  schema: blockinfileSchema,
  mainParam: "path",
  async read(params, host) {
    const cur = await readEdit(params, host, { create: params.create });
    if (cur.before === null && !params.create && params.state === "present") {
      throw new Error(`Path ${pathParam(params, EDIT_PATH)} does not exist !`);
    }
    return cur;
  },
  plan(params, cur) {
    if (cur.before === null && params.state === "absent") return [];
    const r = blockEdit(cur.before, blockOptions(params));
    const summary = r.msg === "File created"
      ? `create ${cur.path} with the block`
      : r.msg === "Block removed"
      ? `remove block from ${cur.path}`
      : r.found
      ? `update block in ${cur.path}`
      : `insert block in ${cur.path}`;
    return planEdit(cur, r.after, summary, params);
  },
  apply: (op, host) => applyEdit(op, host),
  result(params, cur) {
    if (cur.before === null && params.state === "absent") {
      return { msg: `File ${cur.path} not present` };
    }
    return { msg: blockEdit(cur.before, blockOptions(params)).msg };
  },
});
