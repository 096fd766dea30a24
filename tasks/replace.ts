/**
 * `replace`: every match of a Python regular expression (multiline mode; `(?P<n>...)` groups,
 * `\1` and `\g<n>` in `replace`) replaced in a file, optionally only in the section `after` and/or
 * `before` select (DOTALL patterns, as ansible-core 2.14's module builds them); `backup`,
 * `validate`, `encoding`, mode/owner/group.
 *
 * @module
 */
import * as z from "zod";
import { defineTask } from "../lib/apply/task.ts";
import { fromBinary, pyRegex, pyTemplate, textToBinary } from "../lib/pyregex.ts";
import { attrShape, bool } from "./_attrs.ts";
import { oneOf, pathParam, validateSchema } from "./_files.ts";
import {
  applyEdit,
  checkPattern,
  EDIT_PATH,
  editPathShape,
  planEdit,
  readEdit,
} from "./lineinfile.ts";

const ENCODINGS = ["utf-8", "utf8", "latin-1", "latin1", "iso-8859-1", "ascii"] as const;

/** The replace task's parameters. */
export const replaceSchema = z.strictObject({
  ...editPathShape,
  regexp: z.string(),
  replace: z.string().default(""),
  after: z.string().optional(),
  before: z.string().optional(),
  backup: bool.default(false),
  validate: validateSchema.optional(),
  encoding: z.string().toLowerCase().pipe(z.enum(ENCODINGS)).default("utf-8"),
  ...attrShape,
}).superRefine(oneOf(EDIT_PATH)).superRefine((p, ctx) => {
  const re = checkPattern(ctx, p.regexp, { key: "regexp", multiline: true });
  const section = sectionPattern(p);
  if (section !== undefined) {
    checkPattern(ctx, section, { key: p.after ? "after" : "before", dotall: true });
  }
  try {
    // As re.subn does, group references are checked against the pattern (when it compiles).
    if (re) re.template(p.replace);
    else pyTemplate(p.replace);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: ["replace"], message: (e as Error).message });
  }
});

type Params = z.output<typeof replaceSchema>;

/** The section pattern the module builds from `after`/`before`, or undefined for the file. */
function sectionPattern(p: { after?: string | undefined; before?: string | undefined }) {
  if (p.after && p.before) return `${p.after}(?P<subsection>.*?)${p.before}`;
  if (p.after) return `${p.after}(?P<subsection>.*)`;
  if (p.before) return `(?P<subsection>.*)${p.before}`;
  return undefined;
}

/**
 * The module's edit on decoded text: `{ text, count }`, or a message when the `after`/`before`
 * section does not match.
 */
export function replaceText(
  contents: string,
  p: { regexp: string; replace: string; after?: string | undefined; before?: string | undefined },
): { text: string; count: number; msg?: string } {
  const pattern = sectionPattern(p);
  let section = contents;
  let start = 0;
  let end = contents.length;
  if (pattern) {
    const m = pyRegex(pattern, { dotall: true, indices: true }).search(contents);
    const span = m?.indices?.groups?.subsection;
    if (!m || !span) {
      return {
        text: contents,
        count: 0,
        msg: `Pattern for before/after params did not match the given file: ${pattern}`,
      };
    }
    [start, end] = span;
    section = contents.slice(start, end);
  }
  const r = pyRegex(p.regexp, { multiline: true }).subn(p.replace, section);
  if (r.count === 0 || r.text === section) return { text: contents, count: 0 };
  return { text: contents.slice(0, start) + r.text + contents.slice(end), count: r.count };
}

const isUtf8 = (e: string) => e === "utf-8" || e === "utf8";

/** The replace task. */
export const replace = defineTask({
  type: "replace",
  schema: replaceSchema,
  mainParam: "path",
  async read(params, host) {
    const cur = await readEdit(params, host, { create: false });
    if (cur.before === null) {
      throw new Error(`Path ${pathParam(params, EDIT_PATH)} does not exist !`);
    }
    if (params.encoding === "ascii" && /[\x80-\xff]/.test(cur.before)) {
      throw new Error(`${cur.path} is not valid ascii; set encoding`);
    }
    if (isUtf8(params.encoding)) {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(fromBinary(cur.before));
      } catch {
        throw new Error(`${cur.path} is not valid UTF-8; set encoding (e.g. latin-1)`);
      }
    }
    return cur;
  },
  plan(params, cur) {
    const utf8 = isUtf8(params.encoding);
    // Text in the file's encoding; Latin-1 is the binary string itself.
    const contents = utf8 ? new TextDecoder().decode(fromBinary(cur.before!)) : cur.before!;
    const r = replaceText(contents, params);
    if (!utf8 && /[\u0100-\u{10ffff}]/u.test(r.text)) {
      throw new Error(`the replacement cannot be encoded as ${params.encoding}`);
    }
    const after = r.count === 0 ? cur.before! : utf8 ? textToBinary(r.text) : r.text;
    const summary = `${r.count} replacement${r.count === 1 ? "" : "s"} in ${cur.path}`;
    return planEdit(cur, after, summary, params);
  },
  apply: (op, host) => applyEdit(op, host),
  result(params, cur) {
    if (cur.before === null) return {};
    const utf8 = isUtf8(params.encoding);
    const contents = utf8 ? new TextDecoder().decode(fromBinary(cur.before)) : cur.before;
    const r = replaceText(contents, params);
    return { msg: r.msg ?? (r.count > 0 ? `${r.count} replacements made` : "") };
  },
});
