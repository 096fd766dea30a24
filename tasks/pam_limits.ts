/**
 * `pam_limits` (community.general): one `domain type item value` line of
 * /etc/security/limits.conf (or `dest`), edited exactly as the module edits it: the first line
 * with the same domain, type and item gets the new value (`use_max`/`use_min` keep the larger
 * or smaller one), otherwise the line is appended; fields are tab-separated and `comment`
 * becomes a trailing `#comment`.
 *
 * @module
 */
import * as z from "zod";
import { bool } from "./_ansible_params.ts";
import { defineTextFileTask } from "./_text_file.ts";

const ITEMS = [
  "core",
  "data",
  "fsize",
  "memlock",
  "nofile",
  "rss",
  "stack",
  "cpu",
  "nproc",
  "as",
  "maxlogins",
  "maxsyslogins",
  "priority",
  "locks",
  "sigpending",
  "msgqueue",
  "nice",
  "rtprio",
  "chroot",
] as const;

const schema = z.strictObject({
  domain: z.string().min(1),
  limit_type: z.enum(["soft", "hard", "-"]),
  limit_item: z.enum(ITEMS),
  value: z.union([z.string(), z.number()]).transform(String),
  use_max: bool().default(false),
  use_min: bool().default(false),
  backup: bool().default(false),
  dest: z.string().default("/etc/security/limits.conf"),
  comment: z.string().default(""),
}).refine((p) => !(p.use_max && p.use_min), {
  message: "Cannot use use_min and use_max at the same time.",
}).superRefine((p, ctx) => {
  const problem = invalidValue(p.limit_item, p.value);
  if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
});
type Params = z.output<typeof schema>;

const UNLIMITED = ["unlimited", "infinity", "-1"];

/** The module's value check and message: nice and priority in -20..19, the others a count. */
function invalidValue(item: string, value: string): string | undefined {
  if (item === "nice" || item === "priority") {
    const n = /^[-+]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    return n >= -20 && n <= 19 ? undefined : `Value of '${value}' for item '${item}' is invalid. ` +
      "Value must be a number in the range -20 to 19 inclusive. " +
      "Refer to the limits.conf(5) manual pages for more details.";
  }
  return UNLIMITED.includes(value) || /^\d+$/.test(value) ? undefined : `Value of '${value}' ` +
    `for item '${item}' is invalid. Value must either be 'unlimited', 'infinity' or -1, all of ` +
    "which indicate no limit, or a limit of 0 or larger. Refer to the limits.conf(5) manual " +
    "pages for more details.";
}

/** limits.conf with one limit set, as community.general.pam_limits writes it. */
export function editLimits(p: Params, text: string): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let comment = p.comment;
  let found = false;
  let value = p.value;
  const out: string[] = [];
  for (const line of lines) {
    const squashed = line.replace(/\s+/g, " ").trim();
    if (line.startsWith("#") || !squashed) {
      out.push(line);
      continue;
    }
    const oldComment = line.includes("#") ? line.slice(line.indexOf("#") + 1) : "";
    // As the module: a line's comment becomes the default comment from then on.
    if (!comment) comment = oldComment;
    const fields = squashed.split("#")[0]!.trimEnd().split(" ");
    if (fields.length !== 4) {
      out.push(line);
      continue;
    }
    const [domain, type, item, actual] = fields as [string, string, string, string];
    const bad = invalidValue(item, actual);
    if (bad) throw new Error(`Invalid configuration found in '${p.dest}'. ${bad}`);
    if (domain !== p.domain || type !== p.limit_type || item !== p.limit_item) {
      out.push(line);
      continue;
    }
    found = true;
    if (p.value === actual) {
      out.push(line);
      continue;
    }
    // The module means to exempt nice and priority here but tests the type (soft/hard/-), so
    // the unlimited words always count.
    const unlimited = (v: string) => UNLIMITED.includes(v);
    if (p.use_max) {
      value = unlimited(actual)
        ? actual
        : unlimited(p.value)
        ? p.value
        : String(Math.max(Number(p.value), Number(actual)));
    } else if (p.use_min) {
      value = unlimited(actual) && unlimited(p.value)
        ? actual
        : unlimited(actual)
        ? p.value
        : unlimited(p.value)
        ? actual
        : String(Math.min(Number(p.value), Number(actual)));
    }
    if (value !== actual) {
      if (comment) comment = `\t#${comment}`;
      out.push(`${p.domain}\t${p.limit_type}\t${p.limit_item}\t${value}${comment}\n`);
    } else out.push(line);
  }
  if (!found) {
    if (comment) comment = `\t#${comment}`;
    out.push(`${p.domain}\t${p.limit_type}\t${p.limit_item}\t${value}${comment}\n`);
  }
  return out.join("");
}

/** The pam_limits task. */
export const pamLimits = defineTextFileTask({
  type: "pam_limits",
  schema,
  mainParam: "domain",
  path: (p) => p.dest,
  edit: (p, text) => editLimits(p, text ?? ""),
  backup: (p) => p.backup,
});
