/**
 * `pamd` (community.general): edits a PAM service file of /etc/pam.d the way the module does.
 * Rules are matched by type, control and module path; `state` updates them (`new_type`,
 * `new_control`, `new_module_path`, `module_arguments`), inserts a rule before or after them,
 * adds or removes arguments (`args_present`, `args_absent`), or removes them (`absent`). When
 * something changes, the file is written back as the module writes it: every rule
 * re-formatted (`type` padded to 11 columns), comments and `@include` lines as they were, and
 * a "# Updated by" mark as its second line (its time makes the content differ run to run).
 *
 * @module
 */
import * as z from "zod";
import { bool, list } from "./_ansible_params.ts";
import { defineTextFileTask } from "./_text_file.ts";

const TYPES = [
  "account",
  "-account",
  "auth",
  "-auth",
  "password",
  "-password",
  "session",
  "-session",
] as const;
const SIMPLE_CONTROLS = [
  "required",
  "requisite",
  "sufficient",
  "optional",
  "include",
  "substack",
  "definitive",
];
// deno-fmt-ignore
const CONTROL_VALUES = [
  "success", "open_err", "symbol_err", "service_err", "system_err", "buf_err", "perm_denied",
  "auth_err", "cred_insufficient", "authinfo_unavail", "user_unknown", "maxtries",
  "new_authtok_reqd", "acct_expired", "session_err", "cred_unavail", "cred_expired", "cred_err",
  "no_module_data", "conv_err", "authtok_err", "authtok_recover_err", "authtok_lock_busy",
  "authtok_disable_aging", "try_again", "ignore", "abort", "authtok_expired", "module_unknown",
  "bad_item", "conv_again", "incomplete", "default",
];
const CONTROL_ACTIONS = ["ignore", "bad", "die", "ok", "done", "reset"];

const schema = z.strictObject({
  name: z.string().min(1),
  type: z.enum(TYPES),
  control: z.string().min(1),
  module_path: z.string().min(1),
  new_type: z.enum(TYPES).optional(),
  new_control: z.string().optional(),
  new_module_path: z.string().optional(),
  module_arguments: list().optional(),
  state: z.enum(["absent", "after", "args_absent", "args_present", "before", "updated"])
    .default("updated"),
  path: z.string().default("/etc/pam.d"),
  backup: bool().default(false),
}).superRefine((p, ctx) => {
  const need = (keys: (keyof typeof p)[]) => {
    for (const k of keys) {
      if (p[k] === undefined) {
        ctx.addIssue({ code: "custom", path: [k], message: `state ${p.state} needs ${k}` });
      }
    }
  };
  if (p.state === "args_present" || p.state === "args_absent") need(["module_arguments"]);
  if (p.state === "before" || p.state === "after") {
    need(["new_control", "new_type", "new_module_path"]);
  }
});
type Params = z.output<typeof schema>;

/** A line of a PAM service file. */
type Line =
  | { readonly kind: "comment" | "include" | "empty"; readonly text: string }
  | { kind: "rule"; type: string; control: string | string[]; path: string; args: string[] };

type Rule = Extract<Line, { kind: "rule" }>;

/** The module's argument split: bracketed groups whole, else each non-space run. */
function parseArgs(args: string | readonly string[] | undefined): string[] {
  if (args === undefined) return [];
  const list = typeof args === "string" ? [args] : args;
  if (list.length === 1 && !list[0]) return [];
  return list.flatMap((a) => a.match(/\[.*\]|\S+/g) ?? []);
}

function setControl(control: string): string | string[] {
  if (!control.startsWith("[")) return control;
  return control.replaceAll(" = ", "=").replaceAll("[", "").replaceAll("]", "").split(" ");
}

function controlText(rule: Rule): string {
  return Array.isArray(rule.control) ? `[${rule.control.join(" ")}]` : rule.control;
}

const RULE = /(-?(?:auth|account|session|password))\s+(\[.*\]|\S*)\s+(\S*)\s*(.*)\s*/;

/** Parses a PAM service file into lines, as the module's PamdService does. */
export function parsePamd(text: string): Line[] {
  return text.split(/\r\n|\n|\r/).filter((l, i, all) => i < all.length - 1 || l !== "").map(
    (line): Line => {
      const lead = line.trimStart();
      if (lead.startsWith("#")) return { kind: "comment", text: line };
      if (lead.startsWith("@include")) return { kind: "include", text: line };
      if (line.trim() === "") return { kind: "empty", text: line };
      const m = RULE.exec(line);
      if (!m) throw new Error(`not a PAM rule: ${line}`);
      return {
        kind: "rule",
        type: m[1]!,
        control: setControl(m[2]!),
        path: m[3]!,
        args: parseArgs(m[4]),
      };
    },
  );
}

function lineText(l: Line): string {
  if (l.kind !== "rule") return l.text;
  const head = `${l.type.padEnd(11)}${controlText(l)} ${l.path}`;
  return l.args.length > 0 ? `${head} ${l.args.join(" ")}` : head;
}

function matches(l: Line, type: string, control: string, path: string): l is Rule {
  return l.kind === "rule" && l.type === type && controlText(l) === control && l.path === path;
}

function invalid(l: Line): string | undefined {
  if (l.kind !== "rule") {
    // As the module: a comment must start with "#" and an include with "@include" (unindented).
    const ok = l.kind === "empty" || l.text.startsWith(l.kind === "comment" ? "#" : "@include");
    return ok ? undefined : `Rule is not valid ${l.text}`;
  }
  const text = lineText(l);
  if (!(TYPES as readonly string[]).includes(l.type)) {
    return `Rule type, ${l.type}, is not valid in rule ${text}`;
  }
  if (!Array.isArray(l.control)) {
    return SIMPLE_CONTROLS.includes(l.control)
      ? undefined
      : `Rule control, ${l.control}, is not valid in rule ${text}`;
  }
  for (const c of l.control) {
    const [value, action] = c.split("=");
    if (!CONTROL_VALUES.includes(value!)) {
      return `Rule control value, ${value}, is not valid in rule ${text}`;
    }
    if (!CONTROL_ACTIONS.includes(action!) && !/^\d+$/.test(action ?? "")) {
      return `Rule control action, ${action}, is not valid in rule ${text}`;
    }
  }
  return undefined;
}

const loose = (l: Line) => l.kind === "comment" || l.kind === "empty";

function newRule(p: Params): Rule {
  return {
    kind: "rule",
    type: p.new_type!,
    control: setControl(p.new_control!),
    path: p.new_module_path!,
    args: parseArgs(p.module_arguments),
  };
}

/** Applies the state to the lines; returns how many rules changed. */
export function editPamd(p: Params, lines: Line[]): number {
  const found = lines.filter((l) => matches(l, p.type, p.control, p.module_path)) as Rule[];
  let changes = 0;
  for (const rule of found) {
    const at = lines.indexOf(rule);
    if (at < 0) continue;
    switch (p.state) {
      case "updated": {
        let changed = false;
        if (p.new_type && rule.type !== p.new_type) [rule.type, changed] = [p.new_type, true];
        if (p.new_control && controlText(rule) !== p.new_control) {
          [rule.control, changed] = [setControl(p.new_control), true];
        }
        if (p.new_module_path && rule.path !== p.new_module_path) {
          [rule.path, changed] = [p.new_module_path, true];
        }
        if (p.module_arguments !== undefined) {
          const args = parseArgs(p.module_arguments);
          if (args.join("\0") !== rule.args.join("\0")) [rule.args, changed] = [args, true];
        }
        if (changed) changes++;
        break;
      }
      case "before": {
        // As the module: comments between the previous rule and this one are dropped.
        let prev = at - 1;
        while (prev >= 0 && loose(lines[prev]!)) prev--;
        if (prev < 0) {
          lines.splice(at, 0, newRule(p));
          changes++;
        } else if (!matches(lines[prev]!, p.new_type!, p.new_control!, p.new_module_path!)) {
          lines.splice(prev + 1, at - prev - 1, newRule(p));
          changes++;
        }
        break;
      }
      case "after": {
        let next = at + 1;
        while (next < lines.length && loose(lines[next]!)) next++;
        if (
          next === lines.length ||
          !matches(lines[next]!, p.new_type!, p.new_control!, p.new_module_path!)
        ) {
          lines.splice(at + 1, next - at - 1, newRule(p));
          changes++;
        }
        break;
      }
      case "args_present": {
        const add = parseArgs(p.module_arguments).filter((a) => !a.startsWith("["));
        const kv = (args: readonly string[]) =>
          new Map(
            args.filter((a) => a.includes("=") && !a.startsWith("[")).map((a) =>
              a.split("=") as [string, string]
            ),
          );
        const simple = (args: readonly string[]) =>
          new Set(args.filter((a) => !a.includes("=") && !a.startsWith("[")));
        const [newKv, curKv, curSimple] = [kv(add), kv(rule.args), simple(rule.args)];
        const extra = [
          ...[...simple(add)].filter((a) => !curSimple.has(a)),
          ...[...newKv].filter(([k]) => !curKv.has(k)).map(([k, v]) => `${k}=${v}`),
        ];
        let changed = extra.length > 0;
        rule.args.push(...extra);
        for (const [k, v] of newKv) {
          const cur = curKv.get(k);
          if (cur !== undefined && cur !== v) {
            rule.args[rule.args.indexOf(`${k}=${cur}`)] = `${k}=${v}`;
            changed = true;
          }
        }
        if (changed) changes++;
        break;
      }
      case "args_absent": {
        const drop = parseArgs(p.module_arguments);
        if (!rule.args.some((a) => drop.includes(a))) break;
        rule.args = rule.args.filter((a) => !drop.includes(a));
        changes++;
        break;
      }
      case "absent":
        lines.splice(at, 1);
        changes++;
        break;
    }
  }
  return changes;
}

const MARKS = ["# Updated by Ansible", "# Updated by driftless"];

/** The file text as the module writes it, with the update mark as second line. */
export function renderPamd(lines: readonly Line[], now = new Date()): string {
  const out = lines.map(lineText);
  const mark = `# Updated by driftless - ${now.toISOString()}`;
  if (out.length <= 1) out.splice(0, 0, "", mark);
  else if (MARKS.some((m) => out[1]!.startsWith(m))) out[1] = mark;
  else out.splice(1, 0, mark);
  return `${out.join("\n")}\n`;
}

/** The pamd task. */
export const pamd = defineTextFileTask({
  type: "pamd",
  schema,
  mainParam: "name",
  path: (p) => `${p.path.replace(/\/$/, "")}/${p.name}`,
  edit(p, text) {
    if (text === undefined) {
      throw new Error(`Unable to open/read PAM module file ${p.path}/${p.name}`);
    }
    const lines = parsePamd(text);
    if (
      p.state === "args_present" && parseArgs(p.module_arguments).some((a) => a.startsWith("["))
    ) {
      throw new Error(
        "Unable to process bracketed '[' complex arguments with 'args_present'. Please use 'updated'.",
      );
    }
    const changes = editPamd(p, lines);
    for (const l of lines) {
      const problem = invalid(l);
      if (problem) throw new Error(problem);
    }
    return changes === 0 ? text : renderPamd(lines);
  },
  backup: (p) => p.backup,
});
