/**
 * The task registry: every task type by the `type:` that selects it. A task's module is loaded
 * only when a config uses it, so `validate` and `apply` start without the rest of the catalogue.
 *
 * @module
 */
import { lazy } from "../lib/lazy.ts";
import type { TaskCatalog } from "../lib/config/apply_schema.ts";
import type { AnyTaskModule } from "../lib/apply/task.ts";

/** How to load each task type's module (the file is named after the type). */
const LOADERS: Readonly<Record<string, () => Promise<AnyTaskModule>>> = {
  apt: async () => (await lazy<typeof import("./apt.ts")>("./apt.ts", import.meta.url)).apt,
  apt_repository: async () =>
    (await lazy<typeof import("./apt_repository.ts")>("./apt_repository.ts", import.meta.url))
      .aptRepository,
  archive: async () =>
    (await lazy<typeof import("./archive.ts")>("./archive.ts", import.meta.url)).archive,
  assert: async () =>
    (await lazy<typeof import("./assert.ts")>("./assert.ts", import.meta.url)).assert,
  authorized_key: async () =>
    (await lazy<typeof import("./authorized_key.ts")>("./authorized_key.ts", import.meta.url))
      .authorizedKey,
  blockinfile: async () =>
    (await lazy<typeof import("./blockinfile.ts")>("./blockinfile.ts", import.meta.url))
      .blockinfile,
  command: async () =>
    (await lazy<typeof import("./command.ts")>("./command.ts", import.meta.url)).command,
  copy: async () => (await lazy<typeof import("./copy.ts")>("./copy.ts", import.meta.url)).copy,
  cron: async () => (await lazy<typeof import("./cron.ts")>("./cron.ts", import.meta.url)).cron,
  deb822_repository: async () =>
    (await lazy<typeof import("./deb822_repository.ts")>("./deb822_repository.ts", import.meta.url))
      .deb822Repository,
  debug: async () => (await lazy<typeof import("./debug.ts")>("./debug.ts", import.meta.url)).debug,
  directory: async () =>
    (await lazy<typeof import("./directory.ts")>("./directory.ts", import.meta.url)).directory,
  dnf: async () => (await lazy<typeof import("./dnf.ts")>("./dnf.ts", import.meta.url)).dnf,
  fail: async () => (await lazy<typeof import("./fail.ts")>("./fail.ts", import.meta.url)).fail,
  file: async () => (await lazy<typeof import("./file.ts")>("./file.ts", import.meta.url)).file,
  find: async () => (await lazy<typeof import("./find.ts")>("./find.ts", import.meta.url)).findTask,
  get_url: async () =>
    (await lazy<typeof import("./get_url.ts")>("./get_url.ts", import.meta.url)).getUrl,
  getent: async () =>
    (await lazy<typeof import("./getent.ts")>("./getent.ts", import.meta.url)).getent,
  git: async () => (await lazy<typeof import("./git.ts")>("./git.ts", import.meta.url)).gitTask,
  group: async () => (await lazy<typeof import("./group.ts")>("./group.ts", import.meta.url)).group,
  hostname: async () =>
    (await lazy<typeof import("./hostname.ts")>("./hostname.ts", import.meta.url)).hostname,
  import_role: async () =>
    (await lazy<typeof import("./include_role.ts")>("./include_role.ts", import.meta.url))
      .importRole,
  import_tasks: async () =>
    (await lazy<typeof import("./import_tasks.ts")>("./import_tasks.ts", import.meta.url))
      .importTasks,
  // Ansible's old name for include_tasks (removed in ansible-core 2.16, found in older roles).
  include: async () =>
    (await lazy<typeof import("./include_tasks.ts")>("./include_tasks.ts", import.meta.url))
      .includeTasks,
  include_role: async () =>
    (await lazy<typeof import("./include_role.ts")>("./include_role.ts", import.meta.url))
      .includeRole,
  include_tasks: async () =>
    (await lazy<typeof import("./include_tasks.ts")>("./include_tasks.ts", import.meta.url))
      .includeTasks,
  include_vars: async () =>
    (await lazy<typeof import("./include_vars.ts")>("./include_vars.ts", import.meta.url))
      .includeVars,
  known_hosts: async () =>
    (await lazy<typeof import("./known_hosts.ts")>("./known_hosts.ts", import.meta.url)).knownHosts,
  lineinfile: async () =>
    (await lazy<typeof import("./lineinfile.ts")>("./lineinfile.ts", import.meta.url)).lineinfile,
  meta: async () => (await lazy<typeof import("./meta.ts")>("./meta.ts", import.meta.url)).meta,
  mount: async () => (await lazy<typeof import("./mount.ts")>("./mount.ts", import.meta.url)).mount,
  openssh_keypair: async () =>
    (await lazy<typeof import("./openssh_keypair.ts")>("./openssh_keypair.ts", import.meta.url))
      .opensshKeypair,
  package: async () =>
    (await lazy<typeof import("./package.ts")>("./package.ts", import.meta.url)).packageTask,
  package_facts: async () =>
    (await lazy<typeof import("./package_facts.ts")>("./package_facts.ts", import.meta.url))
      .packageFacts,
  pacman: async () =>
    (await lazy<typeof import("./pacman.ts")>("./pacman.ts", import.meta.url)).pacman,
  pam_limits: async () =>
    (await lazy<typeof import("./pam_limits.ts")>("./pam_limits.ts", import.meta.url)).pamLimits,
  pamd: async () => (await lazy<typeof import("./pamd.ts")>("./pamd.ts", import.meta.url)).pamd,
  pause: async () => (await lazy<typeof import("./pause.ts")>("./pause.ts", import.meta.url)).pause,
  replace: async () =>
    (await lazy<typeof import("./replace.ts")>("./replace.ts", import.meta.url)).replace,
  script: async () =>
    (await lazy<typeof import("./script.ts")>("./script.ts", import.meta.url)).script,
  selinux: async () =>
    (await lazy<typeof import("./selinux.ts")>("./selinux.ts", import.meta.url)).selinux,
  service: async () =>
    (await lazy<typeof import("./service.ts")>("./service.ts", import.meta.url)).service,
  service_facts: async () =>
    (await lazy<typeof import("./service_facts.ts")>("./service_facts.ts", import.meta.url))
      .serviceFacts,
  set_fact: async () =>
    (await lazy<typeof import("./set_fact.ts")>("./set_fact.ts", import.meta.url)).setFact,
  setup: async () => (await lazy<typeof import("./setup.ts")>("./setup.ts", import.meta.url)).setup,
  shell: async () => (await lazy<typeof import("./shell.ts")>("./shell.ts", import.meta.url)).shell,
  stat: async () => (await lazy<typeof import("./stat.ts")>("./stat.ts", import.meta.url)).stat,
  sudoers: async () =>
    (await lazy<typeof import("./sudoers.ts")>("./sudoers.ts", import.meta.url)).sudoers,
  sysctl: async () =>
    (await lazy<typeof import("./sysctl.ts")>("./sysctl.ts", import.meta.url)).sysctl,
  systemd: async () =>
    (await lazy<typeof import("./systemd.ts")>("./systemd.ts", import.meta.url)).systemd,
  systemd_service: async () =>
    (await lazy<typeof import("./systemd.ts")>("./systemd.ts", import.meta.url)).systemd,
  template: async () =>
    (await lazy<typeof import("./template.ts")>("./template.ts", import.meta.url)).template,
  timezone: async () =>
    (await lazy<typeof import("./timezone.ts")>("./timezone.ts", import.meta.url)).timezone,
  unarchive: async () =>
    (await lazy<typeof import("./unarchive.ts")>("./unarchive.ts", import.meta.url)).unarchive,
  uri: async () => (await lazy<typeof import("./uri.ts")>("./uri.ts", import.meta.url)).uri,
  user: async () => (await lazy<typeof import("./user.ts")>("./user.ts", import.meta.url)).user,
  wait_for: async () =>
    (await lazy<typeof import("./wait_for.ts")>("./wait_for.ts", import.meta.url)).waitFor,
  yum: async () => (await lazy<typeof import("./yum.ts")>("./yum.ts", import.meta.url)).yum,
  zypper: async () =>
    (await lazy<typeof import("./zypper.ts")>("./zypper.ts", import.meta.url)).zypper,
  zypper_repository: async () =>
    (await lazy<typeof import("./zypper_repository.ts")>("./zypper_repository.ts", import.meta.url))
      .zypperRepository,
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
