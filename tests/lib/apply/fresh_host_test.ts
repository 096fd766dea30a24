/**
 * A "fresh host" config, where every later task depends on what an earlier one makes (a group,
 * users in it, their home from /etc/skel, files they own, a package installed twice), run in a
 * Debian root: the dry run plans all of it, and the real run (real useradd, groupadd, apt) then
 * does exactly what the dry run showed, uids and gids included.
 */
import assert from "node:assert/strict";
import { runApply, type TaskRecord } from "../../../lib/apply/runner.ts";
import { loadConfig } from "../../../lib/config/loader.ts";
import { TaskLoader } from "../../../lib/config/task_loader.ts";
import * as engine from "../../../lib/template/engine.ts";
import { catalog, loaded } from "../../../tasks/mod.ts";
import { debianRootMissing, openRoot } from "../../_helpers/debian_root.ts";
import { writeTree } from "../../_helpers/cli.ts";
import { needs } from "../../_helpers/needs.ts";

const CONFIG = `
tasks:
  - {type: group, name: deploy}
  - {type: user, name: app, group: deploy, home: /srv/app, shell: /bin/bash}
  - {type: user, name: worker, groups: [deploy]}
  - {type: user, name: svc, system: true, create_home: false}
  - {type: directory, path: /srv/app/data, owner: app, group: deploy, mode: "0750"}
  - type: copy
    content: "listen 8080\\n"
    dest: /srv/app/data/app.conf
    owner: worker
    group: worker
    mode: "0640"
  - {type: lineinfile, path: /srv/app/.bashrc, line: "export APP_ENV=prod"}
  - {type: user, name: app, groups: [worker], append: true}
  - {type: file, path: /srv/app/svc.pid, state: touch, owner: svc, group: svc}
  - {type: stat, path: /srv/app/data/app.conf, register: conf}
  - debug:
      msg: "{{ conf.stat.pw_name }}:{{ conf.stat.gr_name }} {{ conf.stat.uid }}:{{ conf.stat.gid }}"
  - {type: stat, path: /srv/app, register: home}
  - debug:
      msg: "{{ home.stat.pw_name }}:{{ home.stat.gr_name }} {{ home.stat.mode }}"
  - {type: stat, path: /srv/app/svc.pid, register: pid}
  - debug:
      msg: "{{ pid.stat.pw_name }}:{{ pid.stat.gr_name }} {{ pid.stat.uid }}:{{ pid.stat.gid }}"
  - {type: apt, name: hello, state: present}
  - {type: package, name: hello, state: present}
`;

/** What a record shows a reader: the same in the dry run and the real run. */
function shown(r: TaskRecord): unknown {
  return {
    name: r.name,
    status: r.status,
    changes: r.changes.map((c) => c.summary.replace(/=\S+$/, "")),
    ...(r.message !== undefined ? { message: r.message } : {}),
  };
}

Deno.test(needs(debianRootMissing(), {
  name: "a fresh-host config: the dry run plans every dependent task as the real run does it",
  async fn() {
    const root = await openRoot();
    const dir = await Deno.makeTempDir({ prefix: "driftless_fresh_" });
    try {
      await writeTree(dir, { "apply.yml": CONFIG });
      const config = await loadConfig(dir, { catalog });
      const run = (dryRun: boolean) =>
        runApply(config.apply!, {
          engine,
          tasks: loaded,
          configDir: dir,
          vars: config.vars,
          loader: new TaskLoader(dir, { catalog }),
          host: root.host,
          facts: {},
          dryRun,
        });
      const passwd = await Deno.readTextFile(`${root.dir}/etc/passwd`);
      const dry = await run(true);
      assert.equal(await Deno.readTextFile(`${root.dir}/etc/passwd`), passwd, "dry run changed");
      assert.equal(dry.failed, false, JSON.stringify(dry.records.filter((r) => r.message)));

      const real = await run(false);
      assert.equal(real.failed, false, JSON.stringify(real.records.filter((r) => r.message)));
      assert.deepEqual(dry.records.map(shown), real.records.map(shown));
      // The planned ids are the ones useradd picked (the debug lines above print them).
      const messages = real.records.filter((r) => r.type === "debug").map((r) => r.message);
      assert.match(messages[0]!, /^worker:worker \d+:\d+$/);
      assert.match(messages[2]!, /^svc:svc [1-9]\d\d:[1-9]\d\d$/, "system ids below 1000");
      assert.equal(real.records.at(-1)!.status, "ok", "the second install asks again: present");
    } finally {
      await root.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
}));
