/**
 * The task registry: every task type by the `type:` that selects it. A task's module is loaded
 * only when a config uses it, so `validate` and `apply` start without the rest of the catalogue.
 *
 * @module
 */
import type { TaskCatalog } from "../lib/config/apply_schema.ts";
import type { AnyTaskModule } from "../lib/apply/task.ts";

/** How to load each task type's module (the file is named after the type). */
const LOADERS: Readonly<Record<string, () => Promise<AnyTaskModule>>> = {
  apt: async () => (await import("./apt.ts")).apt,
  apt_repository: async () => (await import("./apt_repository.ts")).aptRepository,
  archive: async () => (await import("./archive.ts")).archive,
  assert: async () => (await import("./assert.ts")).assert,
  authorized_key: async () => (await import("./authorized_key.ts")).authorizedKey,
  blockinfile: async () => (await import("./blockinfile.ts")).blockinfile,
  command: async () => (await import("./command.ts")).command,
  copy: async () => (await import("./copy.ts")).copy,
  cron: async () => (await import("./cron.ts")).cron,
  deb822_repository: async () => (await import("./deb822_repository.ts")).deb822Repository,
  debug: async () => (await import("./debug.ts")).debug,
  directory: async () => (await import("./directory.ts")).directory,
  dnf: async () => (await import("./dnf.ts")).dnf,
  fail: async () => (await import("./fail.ts")).fail,
  file: async () => (await import("./file.ts")).file,
  find: async () => (await import("./find.ts")).findTask,
  get_url: async () => (await import("./get_url.ts")).getUrl,
  getent: async () => (await import("./getent.ts")).getent,
  git: async () => (await import("./git.ts")).gitTask,
  group: async () => (await import("./group.ts")).group,
  hostname: async () => (await import("./hostname.ts")).hostname,
  import_role: async () => (await import("./include_role.ts")).importRole,
  import_tasks: async () => (await import("./import_tasks.ts")).importTasks,
  // Ansible's old name for include_tasks (removed in ansible-core 2.16, found in older roles).
  include: async () => (await import("./include_tasks.ts")).includeTasks,
  include_role: async () => (await import("./include_role.ts")).includeRole,
  include_tasks: async () => (await import("./include_tasks.ts")).includeTasks,
  include_vars: async () => (await import("./include_vars.ts")).includeVars,
  known_hosts: async () => (await import("./known_hosts.ts")).knownHosts,
  lineinfile: async () => (await import("./lineinfile.ts")).lineinfile,
  meta: async () => (await import("./meta.ts")).meta,
  mount: async () => (await import("./mount.ts")).mount,
  openssh_keypair: async () => (await import("./openssh_keypair.ts")).opensshKeypair,
  package: async () => (await import("./package.ts")).packageTask,
  package_facts: async () => (await import("./package_facts.ts")).packageFacts,
  pacman: async () => (await import("./pacman.ts")).pacman,
  pam_limits: async () => (await import("./pam_limits.ts")).pamLimits,
  pamd: async () => (await import("./pamd.ts")).pamd,
  pause: async () => (await import("./pause.ts")).pause,
  replace: async () => (await import("./replace.ts")).replace,
  script: async () => (await import("./script.ts")).script,
  selinux: async () => (await import("./selinux.ts")).selinux,
  service: async () => (await import("./service.ts")).service,
  service_facts: async () => (await import("./service_facts.ts")).serviceFacts,
  set_fact: async () => (await import("./set_fact.ts")).setFact,
  setup: async () => (await import("./setup.ts")).setup,
  shell: async () => (await import("./shell.ts")).shell,
  stat: async () => (await import("./stat.ts")).stat,
  sudoers: async () => (await import("./sudoers.ts")).sudoers,
  sysctl: async () => (await import("./sysctl.ts")).sysctl,
  systemd: async () => (await import("./systemd.ts")).systemd,
  systemd_service: async () => (await import("./systemd.ts")).systemd,
  template: async () => (await import("./template.ts")).template,
  timezone: async () => (await import("./timezone.ts")).timezone,
  unarchive: async () => (await import("./unarchive.ts")).unarchive,
  uri: async () => (await import("./uri.ts")).uri,
  user: async () => (await import("./user.ts")).user,
  wait_for: async () => (await import("./wait_for.ts")).waitFor,
  yum: async () => (await import("./yum.ts")).yum,
  zypper: async () => (await import("./zypper.ts")).zypper,
  zypper_repository: async () => (await import("./zypper_repository.ts")).zypperRepository,
};

/** Every task type. */
export const TASK_NAMES: readonly string[] = Object.keys(LOADERS).sort();

const loadedModules: Record<string, AnyTaskModule> = {};

/** The task modules loaded so far, by type: what a run of a loaded config needs. */
export const loaded: Readonly<Record<string, AnyTaskModule>> = loadedModules;

/** Loads the modules of these task types (all when none are given); unknown names are ignored. */
export async function loadTasks(
  types: Iterable<string> = TASK_NAMES,
): Promise<Readonly<Record<string, AnyTaskModule>>> {
  const wanted = [...new Set(types)].filter((t) => t in LOADERS && !(t in loadedModules));
  await Promise.all(wanted.map(async (t) => {
    loadedModules[t] = await LOADERS[t]!();
  }));
  return loaded;
}

/** The registry as the config loader sees it: names at once, schemas once loaded. */
export const catalog: TaskCatalog = {
  names: [...TASK_NAMES, "block"].sort(),
  load: async (types) => void (await loadTasks(types)),
  params: (type) => loadedModules[type]?.schema,
  freeForm: (type) => loadedModules[type]?.freeForm,
};
