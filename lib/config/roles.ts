/**
 * Roles in Ansible's layout: `roles/<name>/` with `tasks/`, `handlers/`, `defaults/`, `vars/`,
 * `templates/`, `files/` and `meta/`. This module holds what a role is once loaded, how a role
 * is referenced (`roles:` entries, meta dependencies, `include_role`/`import_role`), and where
 * its files are; the task loader reads them.
 *
 * @module
 */
import type { TaskProblem, TaskSpec } from "./apply_schema.ts";

/** A role's files, loaded. */
export interface Role {
  /** The name it was referenced by. */
  readonly name: string;
  /** The role dir, absolute. */
  readonly path: string;
  /** The role dir relative to the config dir, for messages. */
  readonly dir: string;
  /** `defaults/`: the lowest precedence of all vars. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** `vars/`: above play vars. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** `tasks/main.yml` (or `tasks_from`), with its static imports in place. */
  readonly tasks: readonly TaskSpec[];
  /** `handlers/main.yml` (or `handlers_from`). */
  readonly handlers: readonly TaskSpec[];
  /** `meta/main.yml` dependencies, run before the role: each a block that applies it. */
  readonly dependencies: readonly TaskSpec[];
  /** `meta/main.yml` allow_duplicates: run again when referenced again with the same params. */
  readonly allowDuplicates: boolean;
}

/** One application of a role: the role, and what the reference gave it. */
export interface RoleCall {
  /** The role applied. */
  readonly role: Role;
  /** Role params (the extra keys of a `roles:` entry): above set_fact, inside the role only. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The entry's `vars:`: role vars, below the role's own `vars/`. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Its defaults and vars are visible to the whole play (`roles:`, `import_role`). */
  readonly public: boolean;
  /** `roles:` entries and meta dependencies run once per apply, unless params differ. */
  readonly once: boolean;
  /** The identity `once` compares: the role's files and its params. */
  readonly key: string;
}

/** Which files of a role to read (`tasks_from`, ...); `main` by default. */
export interface RoleFiles {
  readonly tasks?: string;
  readonly vars?: string;
  readonly defaults?: string;
  readonly handlers?: string;
}

/** A role as referenced: a name and what the reference adds. */
export interface RoleRef {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly vars: Readonly<Record<string, unknown>>;
  /** Keywords for the block that applies the role (`when`, `tags`, `become`, ...). */
  readonly keywords: Readonly<Record<string, unknown>>;
}

/** Keys of a role reference that are keywords of the role's block, not role params. */
const ROLE_KEYWORDS = new Set([
  "when",
  "tags",
  "become",
  "become_user",
  "become_method",
  "environment",
  "check_mode",
  "diff",
  "ignore_errors",
  "no_log",
  "any_errors_fatal",
  "delegate_to",
  "run_once",
  "throttle",
]);

/** Keys Ansible reads from a reference besides the name, and drops here. */
const IGNORED = new Set(["src", "version", "scm", "collections", "debugger"]);

/** Parses a `roles:` entry or a meta dependency: `name`, or `{role: name, vars, when, ...}`. */
export function parseRoleRef(entry: unknown): { ref?: RoleRef; problems: TaskProblem[] } {
  if (typeof entry === "string" && entry.trim()) {
    return { ref: { name: entry.trim(), params: {}, vars: {}, keywords: {} }, problems: [] };
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    return {
      problems: [{ path: [], message: "expected a role name or a mapping with `role:`" }],
    };
  }
  const e = entry as Record<string, unknown>;
  const name = e.role ?? e.name;
  if (typeof name !== "string" || !name.trim()) {
    return {
      problems: [{ path: [], message: "a role entry needs `role:` (the role's name)" }],
    };
  }
  const params: Record<string, unknown> = {};
  const keywords: Record<string, unknown> = {};
  let vars: Record<string, unknown> = {};
  const problems: TaskProblem[] = [];
  for (const [key, value] of Object.entries(e)) {
    if (key === "role" || key === "name" || IGNORED.has(key)) continue;
    if (key === "vars") {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        vars = value as Record<string, unknown>;
      } else problems.push({ path: ["vars"], message: "expected a mapping of vars" });
    } else if (ROLE_KEYWORDS.has(key)) keywords[key] = value;
    else params[key] = value;
  }
  return { ref: { name: name.trim(), params, vars, keywords }, problems };
}

/** Candidate files of a role's `<folder>/<name>`: with and without an extension, as Ansible. */
export function roleFileCandidates(folder: string, name: string): string[] {
  if (/\.(ya?ml|json)$/.test(name)) return [`${folder}/${name}`];
  return [
    `${folder}/${name}.yml`,
    `${folder}/${name}.yaml`,
    `${folder}/${name}.json`,
    `${folder}/${name}`,
  ];
}
