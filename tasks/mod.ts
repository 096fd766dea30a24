/**
 * The task registry: every task type by the `type:` that selects it.
 *
 * @module
 */
import type { TaskCatalog } from "../lib/config/apply_schema.ts";
import type { AnyTaskModule } from "../lib/apply/task.ts";
import { assert } from "./assert.ts";
import { blockinfile } from "./blockinfile.ts";
import { command } from "./command.ts";
import { copy } from "./copy.ts";
import { debug } from "./debug.ts";
import { directory } from "./directory.ts";
import { fail } from "./fail.ts";
import { file } from "./file.ts";
import { includeTasks } from "./include_tasks.ts";
import { lineinfile } from "./lineinfile.ts";
import { replace } from "./replace.ts";
import { script } from "./script.ts";
import { setFact } from "./set_fact.ts";
import { shell } from "./shell.ts";
import { stat } from "./stat.ts";
import { template } from "./template.ts";
import { apt } from "./apt.ts";
import { aptRepository } from "./apt_repository.ts";
import { archive } from "./archive.ts";
import { authorizedKey } from "./authorized_key.ts";
import { cron } from "./cron.ts";
import { getUrl } from "./get_url.ts";
import { gitTask } from "./git.ts";
import { group } from "./group.ts";
import { hostname } from "./hostname.ts";
import { knownHosts } from "./known_hosts.ts";
import { mount } from "./mount.ts";
import { packageTask } from "./package.ts";
import { pause } from "./pause.ts";
import { service } from "./service.ts";
import { sudoers } from "./sudoers.ts";
import { sysctl } from "./sysctl.ts";
import { systemd } from "./systemd.ts";
import { timezone } from "./timezone.ts";
import { unarchive } from "./unarchive.ts";
import { uri } from "./uri.ts";
import { user } from "./user.ts";
import { waitFor } from "./wait_for.ts";

/** Every task type, by name. */
export const TASKS: Readonly<Record<string, AnyTaskModule>> = Object.fromEntries(
  [
    assert,
    debug,
    fail,
    includeTasks,
    setFact,
    ...[file, directory, copy, template, lineinfile, blockinfile, replace, stat],
    ...[command, shell, script],
    // System tasks.
    ...[packageTask, apt, service, systemd, user, group, cron, sysctl, hostname, timezone],
    ...[authorizedKey, knownHosts, sudoers, mount, gitTask, getUrl, uri, waitFor, pause],
    ...[aptRepository, unarchive, archive],
  ].map((t) => [t.type, t]),
);

/** The registry as the config loader sees it. */
export const catalog: TaskCatalog = {
  names: [...Object.keys(TASKS), "block"].sort(),
  params: (type) => TASKS[type]?.schema,
  freeForm: (type) => TASKS[type]?.freeForm,
};
