/**
 * The variables a task sees, layered in Ansible's precedence order (lowest first):
 *
 * 1. facts (`ansible_facts`, `ansible_*`) and magic vars (`inventory_hostname`, `omit`, ...)
 * 2. role defaults: of every public role, then of the roles the task is in (outermost first)
 * 3. global vars (`vars.*` files), then play vars (apply.yml `vars:`)
 * 4. role vars: each role's `vars:` entry below its `vars/` files; public roles, then the task's
 * 5. block vars, task vars
 * 6. `include_vars`
 * 7. `set_fact` and registered results
 * 8. role params and include params
 * 9. loop vars (`item`), and `role_path`, `role_name`
 *
 * Public roles are those of `roles:`, `import_role` and `include_role` with `public: true`:
 * their defaults and vars are visible to the whole play, as with Ansible's default
 * `DEFAULT_PRIVATE_ROLE_VARS=False`.
 *
 * @module
 */
import type { RoleCall } from "../config/roles.ts";

/** What a task's place in the run adds to its scope. */
export interface ScopeContext {
  /** The roles the task is in, outermost first. */
  readonly roles: readonly RoleCall[];
  /** Block vars, then the task's own vars. */
  readonly vars: Readonly<Record<string, unknown>>;
  /** Include params (`include_tasks` vars). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Loop vars and other per-item values. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The run's variable layers. */
export class VarLayers {
  readonly #base: Record<string, unknown>;
  readonly #play: Readonly<Record<string, unknown>>;
  readonly #public: RoleCall[] = [];
  #publicDefaults: Record<string, unknown> = {};
  #publicVars: Record<string, unknown> = {};
  /** `include_vars` results. */
  readonly included: Record<string, unknown> = {};
  /** set_fact and register. */
  readonly runtime: Record<string, unknown> = {};

  /** `base`: facts and magic vars; `play`: global vars under play vars. */
  constructor(base: Record<string, unknown>, play: Record<string, unknown>) {
    this.#base = { ...base };
    this.#play = play;
  }

  /**
   * Adds host facts a task returned (`ansible_facts` of setup, package_facts, getent, ...):
   * each is a top-level var as named (`ansible_distribution`, `packages`, `getent_passwd`) and
   * lands in `ansible_facts` without the `ansible_` prefix, as Ansible injects them.
   */
  addFacts(facts: Readonly<Record<string, unknown>>): void {
    const all = { ...(this.#base.ansible_facts as Record<string, unknown> | undefined) };
    for (const [key, value] of Object.entries(facts)) {
      all[key.replace(/^ansible_/, "")] = value;
      this.#base[key] = value;
    }
    this.#base.ansible_facts = all;
  }

  /** Makes a role's defaults and vars visible to the whole play (once per role and params). */
  addPublic(call: RoleCall): void {
    if (this.#public.some((c) => c.key === call.key)) return;
    this.#public.push(call);
    this.#publicDefaults = { ...this.#publicDefaults, ...call.role.defaults };
    this.#publicVars = { ...this.#publicVars, ...call.vars, ...call.role.vars };
  }

  /** The scope of a task. */
  scope(ctx: ScopeContext): Record<string, unknown> {
    const roles = ctx.roles;
    const own = roles.at(-1);
    let defaults: Record<string, unknown> = {};
    let vars: Record<string, unknown> = {};
    let params: Record<string, unknown> = {};
    for (const call of roles) {
      defaults = { ...defaults, ...call.role.defaults };
      vars = { ...vars, ...call.vars, ...call.role.vars };
      params = { ...params, ...call.params };
    }
    return {
      ...this.#base,
      ...this.#publicDefaults,
      ...defaults,
      ...this.#play,
      ...this.#publicVars,
      ...vars,
      ...ctx.vars,
      ...this.included,
      ...this.runtime,
      ...params,
      ...ctx.params,
      ...(own
        ? {
          role_path: own.role.path,
          role_name: own.role.name,
          ansible_role_name: own.role.name,
          ansible_parent_role_names: roles.slice(0, -1).reverse().map((c) => c.role.name),
          ansible_parent_role_paths: roles.slice(0, -1).reverse().map((c) => c.role.path),
        }
        : {}),
      ...ctx.extra,
    };
  }
}
