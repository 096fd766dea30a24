/**
 * The apply file: top level, the task envelope (DESIGN §4) with Ansible's task keywords, and the
 * normalisation of Ansible-style entries (`ansible.builtin.copy: {...}`, `shell: echo hi`,
 * `apt: name=git state=present`, `with_dict: ...`) to the flat form.
 *
 * @module
 */
import * as z from "zod";
import { didYouMean, type KeyPath } from "../errors.ts";
import { constructPlain } from "../yaml11.ts";
import { parseKv } from "./kv.ts";
import type { RoleCall } from "./roles.ts";

/** A `when` / `changed_when` / `failed_when` value: an expression, a boolean, or a list (all true). */
export type Condition = string | boolean | readonly (string | boolean)[];

/** Loop settings, as Ansible's `loop_control`. */
export interface LoopControl {
  /** Name of the loop variable (default `item`). */
  readonly loop_var?: string;
  /** Variable holding the 0-based index of the item. */
  readonly index_var?: string;
  /** What output shows for an item (a template). */
  readonly label?: string;
  /** Seconds to wait between items. */
  readonly pause?: number;
  /** Expose `ansible_loop` (index, first, last, ...). */
  readonly extended?: boolean;
}

/** A task after normalisation: envelope keys, and the task's own params apart. */
export interface TaskSpec {
  /** The task type (`file`, `copy`, ..., or `block`). */
  readonly type: string;
  /** The human label; default: type and main param. */
  readonly description?: string;
  /** Run only when true. */
  readonly when?: Condition;
  /** Items to run the task for (`loop`), or the terms of `with_<lookup>`. */
  readonly loop?: unknown;
  /** The lookup of `with_<lookup>` (`items`, `dict`, `first_found`, ...): `loop` holds its terms. */
  readonly loop_with?: string;
  /** Loop settings. */
  readonly loop_control?: LoopControl;
  /** Variable that receives the task's result. */
  readonly register?: string;
  /** Handlers to notify when the task changes something. */
  readonly notify: readonly string[];
  /** Extra names a handler answers to. */
  readonly listen: readonly string[];
  /** Tags for `--tags` / `--skip-tags`. */
  readonly tags: readonly string[];
  /** Task vars (above apply vars, below loop items and facts). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** Keep going when the task fails. */
  readonly ignore_errors?: boolean | string;
  /** Overrides whether the task counts as changed. */
  readonly changed_when?: Condition;
  /** Overrides whether the task counts as failed. */
  readonly failed_when?: Condition;
  /** Withhold params, output and diffs. */
  readonly no_log?: boolean | string;
  /** `true`: only plan, even in a real run; `false`: run for real, even in a dry run. */
  readonly check_mode?: boolean | string;
  /** `false`: show no diff for this task. */
  readonly diff?: boolean | string;
  /** Run as root: a no-op when driftless is root, a failure otherwise (it does not call sudo). */
  readonly become?: boolean | string;
  /** Run commands, and create files, as this user (with `become`). */
  readonly become_user?: string;
  /** Environment variables for commands and downloads (a mapping, or a template of one). */
  readonly environment?: Readonly<Record<string, unknown>> | string;
  /** `localhost`: the machine driftless runs on (outside `--root`). */
  readonly delegate_to?: string;
  /** Retry until this holds (with `retries` and `delay`). */
  readonly until?: Condition;
  /** Attempts after the first for `until` (default 3). */
  readonly retries?: number | string;
  /** Seconds between `until` attempts (default 5). */
  readonly delay?: number | string;
  /** Everything that is not an envelope key: validated by the task type's own schema. */
  readonly params: Readonly<Record<string, unknown>>;
  /** `block` tasks: the nested lists. */
  readonly block?: readonly TaskSpec[];
  /** `block` tasks: run when the block fails. */
  readonly rescue?: readonly TaskSpec[];
  /** `block` tasks: run in any case. */
  readonly always?: readonly TaskSpec[];
  /** A block that applies a role: its tasks run with the role's vars, files and handlers. */
  readonly role?: RoleCall;
}

/** What the loader needs to know about task types; the registry in `tasks/mod.ts` provides it. */
export interface TaskCatalog {
  /** Every task type, for lookups and did-you-mean hints. */
  readonly names: readonly string[];
  /**
   * Makes `params` and `freeForm` answer for these types (a registry may load task modules
   * lazily); the loader calls it with the types a task list names before normalising it.
   */
  load?(types: Iterable<string>): Promise<void>;
  /** The params schema of a type (a strict zod object), or undefined when unknown. */
  params(type: string): z.ZodType | undefined;
  /** For types that take Ansible's free-form string (`command: ls -l`), the param it fills. */
  freeForm(type: string): string | undefined;
}

const condition = z.union([z.string(), z.boolean(), z.array(z.union([z.string(), z.boolean()]))]);
const stringList = z.union([z.string(), z.array(z.string())]);
const flag = z.union([z.boolean(), z.string()]);
const count = z.union([z.number().int().nonnegative(), z.string()]);

/** The envelope keys of a task (DESIGN §4); everything else is params. */
export const envelopeShape = {
  type: z.string().min(1),
  description: z.string().optional(),
  when: condition.optional(),
  loop: z.union([z.string(), z.array(z.unknown())]).optional(),
  loop_control: z.strictObject({
    loop_var: z.string().regex(/^[A-Za-z_]\w*$/).optional(),
    index_var: z.string().regex(/^[A-Za-z_]\w*$/).optional(),
    label: z.string().optional(),
    pause: z.number().nonnegative().optional(),
    extended: z.boolean().optional(),
  }).optional(),
  with_items: z.unknown().optional().meta({
    description: "Ansible's with_<lookup> loops: with_items, with_dict, with_fileglob, ...",
  }),
  register: z.string().regex(/^[A-Za-z_]\w*$/, "expected a variable name").optional(),
  notify: stringList.optional(),
  listen: stringList.optional(),
  tags: stringList.optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  ignore_errors: flag.optional(),
  changed_when: condition.optional(),
  failed_when: condition.optional(),
  no_log: flag.optional(),
  check_mode: flag.optional(),
  diff: flag.optional(),
  become: flag.optional(),
  become_user: z.string().min(1).optional(),
  become_method: z.enum(["sudo", "su", "runas", "doas", "machinectl", "runuser"]).optional()
    .meta({ description: "accepted; driftless switches user itself (it runs as root)" }),
  environment: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  delegate_to: z.string().min(1).optional(),
  run_once: flag.optional().meta({ description: "a no-op: driftless manages one host" }),
  any_errors_fatal: flag.optional().meta({
    description: "a no-op: on one host, a failure already stops the run",
  }),
  throttle: count.optional().meta({ description: "a no-op: tasks run one at a time" }),
  until: condition.optional(),
  retries: count.optional(),
  delay: z.union([z.number().nonnegative(), z.string()]).optional(),
};

/** Envelope keys, in the order they are documented. */
export const ENVELOPE_KEYS: readonly string[] = Object.keys(envelopeShape);

const envelope = z.strictObject(envelopeShape);

/** Ansible task keywords that Driftless does not support, with the reason shown to the user. */
const UNSUPPORTED_KEYWORDS: Readonly<Record<string, string>> = {
  async: "tasks run to completion one after another; remove async/poll",
  poll: "tasks run to completion one after another; remove async/poll",
  connection: "driftless manages the host it runs on",
  remote_user: "driftless manages the host it runs on; use become_user to act as a user",
  delegate_facts: "driftless manages only the host it runs on",
};

/** Keywords a flat task's own param of the same name takes precedence over. */
const SOFT_KEYWORDS = new Set([
  "check_mode",
  "diff",
  "become",
  "become_user",
  "become_method",
  "environment",
  "delegate_to",
  "run_once",
  "any_errors_fatal",
  "throttle",
  "until",
  "retries",
  "delay",
]);

/** `with_<lookup>` keys: the loop comes from the lookup. */
const WITH = /^with_((?:[a-z_][a-z0-9_]*\.){0,2}[a-z_][a-z0-9_]*)$/;

/** Keys an Ansible-style entry may carry besides the module key (mapped onto the envelope). */
const ANSIBLE_KEYS = new Set([...ENVELOPE_KEYS, "name", "args", "block", "rescue", "always"]);

/** Whether a key of an Ansible-style entry is a keyword (not the module key). */
function isKeyword(key: string): boolean {
  return ANSIBLE_KEYS.has(key) || WITH.test(key) || key in UNSUPPORTED_KEYWORDS;
}

/** The top level of an apply file, before tasks are normalised: a play, as in Ansible. */
export const applyTopSchema = z.strictObject({
  vars: z.record(z.string(), z.unknown()).optional(),
  roles: z.array(z.unknown()).optional(),
  pre_tasks: z.array(z.unknown()).optional(),
  tasks: z.array(z.unknown()).optional(),
  post_tasks: z.array(z.unknown()).optional(),
  handlers: z.array(z.unknown()).optional(),
}).meta({ title: "driftless apply config" });

/** A problem found while normalising, with the key path inside the task. */
export interface TaskProblem {
  readonly path: KeyPath;
  readonly message: string;
  readonly hint?: string;
  /** Point at the key rather than its value. */
  readonly key?: boolean;
}

/** Result of normalising one entry: the task, and where its params came from in the source. */
export interface Normalised {
  readonly task: TaskSpec | undefined;
  readonly problems: TaskProblem[];
  /** The source key path (relative to the entry) of a normalised key path. */
  readonly sourcePath: (path: KeyPath) => KeyPath;
}

/**
 * The task types a raw task list names (`type:` values and Ansible module keys, in nested
 * blocks too), so a registry can load just those before the list is normalised.
 */
export function referencedTypes(list: unknown, names: readonly string[]): Set<string> {
  const out = new Set<string>();
  const walk = (entries: unknown) => {
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      if (!isRecord(e)) continue;
      if (typeof e.type === "string") out.add(e.type);
      for (const key of Object.keys(e)) {
        const last = key.slice(key.lastIndexOf(".") + 1);
        if (names.includes(last)) out.add(last);
      }
      const action = actionModule(e);
      if (action) out.add(action.key.slice(action.key.lastIndexOf(".") + 1));
      for (const nested of ["block", "rescue", "always"]) walk(e[nested]);
    }
  };
  walk(list);
  return out;
}

/** The module key's type name: `ansible.builtin.copy` → `copy`, `copy` → `copy`. */
function moduleType(key: string, catalog: TaskCatalog): string | undefined {
  const last = key.includes(".") ? key.slice(key.lastIndexOf(".") + 1) : key;
  return catalog.names.includes(last) ? last : undefined;
}

/**
 * `action: copy src=a dest=b` / `local_action: {module: copy, ...}`: the old spellings of a task,
 * as the module key and its body.
 */
function actionModule(entry: Record<string, unknown>): { key: string; body: unknown } | undefined {
  const value = entry.action ?? entry.local_action;
  if (typeof value === "string") {
    const m = /^\s*(\S+)\s*(.*)$/s.exec(value);
    return m ? { key: m[1]!, body: m[2]! } : undefined;
  }
  if (isRecord(value) && typeof value.module === "string") {
    const { module, ...body } = value;
    return { key: module, body };
  }
  return undefined;
}

/** Splits Ansible's free-form `k=v` arguments off a command line (`chdir=/tmp ls -l`). */
export function splitFreeForm(text: string, keys: readonly string[]): {
  rest: string;
  args: Record<string, string>;
} {
  const { args, raw } = parseKv(text, keys);
  return { rest: raw, args };
}

function asList(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The params of a module body: a mapping, nothing, or a `k=v` (or free-form) string. */
function moduleParams(
  type: string,
  body: unknown,
  catalog: TaskCatalog,
): { params: Record<string, unknown> } | { problem: string } {
  if (body === null || body === undefined) return { params: {} };
  if (isRecord(body)) return { params: { ...body } };
  if (typeof body !== "string") {
    return { problem: `expected a mapping of parameters, found ${describe(body)}` };
  }
  const target = catalog.freeForm(type);
  const schema = catalog.params(type);
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  let parsed;
  try {
    parsed = parseKv(body, target ? keys : undefined);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  if (target) {
    return { params: { ...parsed.args, ...(parsed.raw ? { [target]: parsed.raw } : {}) } };
  }
  if (parsed.raw) {
    return {
      problem: `"${type}" takes key=value arguments or a mapping, found ${
        describe(parsed.raw)
      } that is neither`,
    };
  }
  return { params: typedArgs(parsed.args, schema) };
}

/**
 * `k=v` values are strings; a module's argument spec turns them into the type each option
 * takes (`verbosity=0` is a number), so a value its param refuses as text is read as YAML.
 */
function typedArgs(args: Record<string, string>, schema: z.ZodType | undefined) {
  if (!(schema instanceof z.ZodObject)) return args;
  const shape = schema.shape as Record<string, z.ZodType>;
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(args)) {
    const field = shape[key];
    const typed = constructPlain(text).value;
    const retype = field && !/\{\{|\{%/.test(text) && !field.safeParse(text).success &&
      field.safeParse(typed).success;
    out[key] = retype ? typed : text;
  }
  return out;
}

/**
 * Normalises one task entry (flat or Ansible-style) and checks its envelope. Nested
 * `block` / `rescue` / `always` lists are normalised by the caller through `children`.
 */
export function normaliseTask(
  entry: unknown,
  catalog: TaskCatalog,
  children: (list: unknown, key: "block" | "rescue" | "always") => TaskSpec[],
): Normalised {
  const problems: TaskProblem[] = [];
  const identity = (p: KeyPath) => p;
  if (!isRecord(entry)) {
    problems.push({ path: [], message: `expected a task (a mapping), found ${describe(entry)}` });
    return { task: undefined, problems, sourcePath: identity };
  }

  let flat: Record<string, unknown>;
  let paramsSource: KeyPath = [];
  let paramsKeys: Set<string> | undefined;
  /** An Ansible-style entry's task type (its params may hold a `type` of their own). */
  let moduleName: string | undefined;
  const action = "type" in entry || "block" in entry ? undefined : actionModule(entry);

  if ("block" in entry && !("type" in entry)) {
    flat = { type: "block" };
    for (const [key, value] of Object.entries(entry)) {
      if (key === "name") flat.description = value;
      else flat[key] = value;
    }
  } else if ("type" in entry) {
    flat = { ...entry };
  } else {
    const moduleKeys = Object.keys(entry).filter((k) => !isKeyword(k));
    if (action) moduleKeys.push(action.key);
    const known = moduleKeys.filter((k) => moduleType(k, catalog));
    if (known.length !== 1) {
      const unknown = moduleKeys.filter((k) => !moduleType(k, catalog));
      if (known.length > 1) {
        problems.push({
          path: [known[1]!],
          message: `a task names one module, found ${known.join(" and ")}`,
        });
      } else if (unknown.length > 0) {
        const key = unknown[0]!;
        const last = key.includes(".") ? key.slice(key.lastIndexOf(".") + 1) : key;
        problems.push({
          path: action?.key === key ? [entry.action ? "action" : "local_action"] : [key],
          message: `unknown task "${key}"`,
          ...hintFor(last, catalog.names),
        });
      } else {
        problems.push({
          path: [],
          message: "task has no type",
          hint: "add `type: <task>` (e.g. `type: file`) or use a module key such as `copy:`",
        });
      }
      return { task: undefined, problems, sourcePath: identity };
    }
    const moduleKey = known[0]!;
    const type = moduleType(moduleKey, catalog)!;
    const fromAction = action?.key === moduleKey;
    const sourceKey = fromAction ? (entry.action ? "action" : "local_action") : moduleKey;
    const body = moduleParams(type, fromAction ? action!.body : entry[moduleKey], catalog);
    if ("problem" in body) {
      problems.push({ path: [sourceKey], message: body.problem });
      return { task: undefined, problems, sourcePath: identity };
    }
    let params = body.params;
    if (isRecord(entry.args)) params = { ...entry.args, ...params };
    flat = { type, ...(entry.local_action !== undefined ? { delegate_to: "localhost" } : {}) };
    for (const [key, value] of Object.entries(entry)) {
      if (key === sourceKey || key === "args") continue;
      if (key === "name") flat.description = value;
      else if (isKeyword(key)) flat[key] = value;
      else {
        problems.push({
          path: [key],
          message: `unknown task keyword "${key}" (the module is "${moduleKey}")`,
          key: true,
          ...hintFor(key, [...ANSIBLE_KEYS]),
        });
      }
    }
    paramsKeys = new Set(Object.keys(params));
    Object.assign(flat, params);
    paramsSource = [sourceKey];
    moduleName = type;
  }

  for (const key of Object.keys(flat)) {
    if (key in UNSUPPORTED_KEYWORDS && !paramsKeys?.has(key)) {
      problems.push({
        path: [key],
        message: `"${key}" is not supported`,
        hint: UNSUPPORTED_KEYWORDS[key]!,
        key: true,
      });
      delete flat[key];
    }
  }
  const envelopePart: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  const loops: [string, unknown][] = [];
  // A flat task's own param that shares its name with a later Ansible keyword (wait_for's
  // `delay`) stays the task's param.
  const schema = paramsKeys ? undefined : catalog.params(String(flat.type));
  const own = schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : new Set();
  for (const [key, value] of Object.entries(flat)) {
    if (paramsKeys?.has(key) || (SOFT_KEYWORDS.has(key) && own.has(key))) params[key] = value;
    else if (WITH.test(key)) loops.push([key, value]);
    else if (key in envelopeShape) envelopePart[key] = value;
    else if (flat.type === "block" && (key === "block" || key === "rescue" || key === "always")) {
      continue;
    } else params[key] = value;
  }
  if (moduleName !== undefined) envelopePart.type = moduleName;
  const sourcePath = (path: KeyPath): KeyPath => {
    const head = path[0];
    return typeof head === "string" && paramsKeys?.has(head) ? [...paramsSource, ...path] : path;
  };

  const parsed = envelope.safeParse(envelopePart);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ path: issue.path as KeyPath, message: describeIssue(issue, envelopePart) });
    }
    return { task: undefined, problems, sourcePath };
  }
  const e = parsed.data;
  if (loops.length + (e.loop !== undefined ? 1 : 0) > 1) {
    const second = loops[e.loop !== undefined ? 0 : 1]![0];
    problems.push({
      path: [second],
      message: "a task has one loop: loop or one with_<lookup>",
      key: true,
    });
  }
  const [withKey, withTerms] = loops[0] ?? [];
  const task: TaskSpec = {
    type: e.type,
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.when !== undefined ? { when: e.when } : {}),
    ...(e.loop !== undefined
      ? { loop: e.loop }
      : withKey !== undefined
      ? { loop: withTerms, loop_with: WITH.exec(withKey)![1]! }
      : {}),
    ...(e.loop_control ? { loop_control: stripUndefined(e.loop_control) as LoopControl } : {}),
    ...(e.register !== undefined ? { register: e.register } : {}),
    notify: asList(e.notify),
    listen: asList(e.listen),
    tags: asList(e.tags),
    ...(e.vars ? { vars: e.vars } : {}),
    ...stripUndefined({
      ignore_errors: e.ignore_errors,
      changed_when: e.changed_when,
      failed_when: e.failed_when,
      no_log: e.no_log,
      check_mode: e.check_mode,
      diff: e.diff,
      become: e.become,
      become_user: e.become_user,
      environment: e.environment,
      delegate_to: e.delegate_to,
      until: e.until,
      retries: e.retries,
      delay: e.delay,
    }),
    params,
    ...(e.type === "block"
      ? {
        block: children(flat.block, "block"),
        rescue: children(flat.rescue ?? [], "rescue"),
        always: children(flat.always ?? [], "always"),
      }
      : {}),
  };
  return { task, problems, sourcePath };
}

function hintFor(word: string, names: readonly string[]): { hint?: string } {
  const hint = didYouMean(word, names);
  return hint ? { hint } : {};
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A short description of a value for messages: `the number 644`, `a list`, `null`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(truncate(value))}`;
  return `the ${typeof value} ${String(value)}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Turns a zod issue into "expected X, found Y" (with the found value looked up in `input`). */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const found = valueAt(input, issue.path as KeyPath);
  switch (issue.code) {
    case "invalid_type":
      return found.present
        ? `expected ${article(issue.expected)}, found ${describe(found.value)}`
        : `missing required key (expected ${article(issue.expected)})`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${
        issue.keys.map((k) => `"${k}"`).join(", ")
      }`;
    case "invalid_union":
      return `${lowerFirst(issue.message)}, found ${describe(found.value)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, found ${
        describe(found.value)
      }`;
    default:
      return found.present
        ? `${lowerFirst(issue.message)}, found ${describe(found.value)}`
        : lowerFirst(issue.message);
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    boolean: "a boolean (true or false)",
    array: "a list",
    object: "a mapping",
    record: "a mapping",
  };
  return names[type] ?? type;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The value at a key path, and whether it exists. */
export function valueAt(input: unknown, path: KeyPath): { present: boolean; value: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(key in (cur as object))) {
      return { present: false, value: undefined };
    }
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { present: true, value: cur };
}
