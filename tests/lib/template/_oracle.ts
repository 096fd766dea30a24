/**
 * The oracle: renders template cases with the real ansible-core (2.14 on Debian 12) in ONE
 * `ansible-playbook` run, so expected values in the template tests come from Ansible itself.
 *
 * Each case becomes one `debug` task on localhost whose `vars:` are the case's vars and whose
 * message is `X{{ lookup('template', 'cN.j2', convert_data=False) }}` (the `X` keeps Ansible from
 * turning output that looks like a list into a list). Cases marked `module: true` go through the
 * `template` module instead (file written to a temp dir and read back), which is what the
 * `#jinja2:` header and the module defaults need. Results come from the `json` stdout callback.
 *
 * Used by `record.ts` (writes the fixtures) and by `bench/template_vs_ansible.ts`.
 *
 * @module
 */
import { stringify } from "yaml";

/** One template to render. */
export interface OracleCase {
  /** The template source. */
  readonly template: string;
  /** Variables (task vars: lazily templated by Ansible when used). */
  readonly vars?: Record<string, unknown>;
  /**
   * Extra files: `templates/x` next to the case's template (include/import/extends find them
   * first), anything else relative to the play dir (`files/data.txt`; `play:templates/x` for
   * the play's templates dir, where the template lookup searches).
   */
  readonly files?: Record<string, string>;
  /** Render with the template module (file output) instead of the template lookup. */
  readonly module?: boolean;
}

/** What Ansible produced: the rendered text, or the error message and its exception chain. */
export interface OracleResult {
  readonly out?: string;
  readonly err?: string;
  /**
   * With `errorClasses`: the classes of the exception chain, outermost first, each followed by
   * how the next was reached (`orig_exc`, `cause`), e.g. `AnsibleUndefinedVariable orig_exc
   * UndefinedError`.
   */
  readonly chain?: string;
}

/**
 * A lookup plugin that renders a template the way `lookup('template')` does and returns the
 * exception chain it raised ("" when it rendered): what Ansible's task result never shows.
 */
const CHAIN_LOOKUP = `
from ansible.plugins.lookup import LookupBase
from ansible.plugins.loader import lookup_loader

class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        template = lookup_loader.get('template', loader=self._loader, templar=self._templar)
        try:
            template.run(terms, variables, convert_data=False)
            return ['']
        except Exception as e:
            parts, seen = [], set()
            while e is not None and id(e) not in seen:
                seen.add(id(e))
                parts.append(type(e).__name__)
                nxt = getattr(e, 'orig_exc', None)
                how = 'orig_exc'
                if nxt is None:
                    nxt, how = e.__cause__, 'cause'
                if nxt is not None:
                    parts.append(how)
                e = nxt
            return [' '.join(parts)]
`;

/** Whether ansible-playbook is installed. */
export async function haveAnsible(): Promise<boolean> {
  try {
    const r = await new Deno.Command("ansible-playbook", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

/** Renders every case with Ansible in one playbook run. */
export async function renderWithAnsible(
  cases: readonly OracleCase[],
  options: { dir?: string; errorClasses?: boolean } = {},
): Promise<OracleResult[]> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "driftless_oracle_" });
  await Deno.mkdir(`${dir}/out`, { recursive: true });
  if (options.errorClasses) {
    await Deno.mkdir(`${dir}/lookup_plugins`, { recursive: true });
    await Deno.writeTextFile(`${dir}/lookup_plugins/driftless_chain.py`, CHAIN_LOOKUP);
  }
  const tasks: unknown[] = [];
  const shared = new Map<string, string>();
  for (const [i, c] of cases.entries()) {
    // Each case has its own templates dir (searched first for include/import/extends);
    // other files (files/...) go to the play dir, where the file lookups search.
    const caseDir = `${dir}/cases/c${i}`;
    await Deno.mkdir(`${caseDir}/templates`, { recursive: true });
    await Deno.writeTextFile(`${caseDir}/templates/c.j2`, c.template);
    for (let [name, text] of Object.entries(c.files ?? {})) {
      let path: string;
      if (name.startsWith("templates/")) path = `${caseDir}/${name}`;
      else {
        name = name.replace(/^play:/, "");
        if (shared.has(name) && shared.get(name) !== text) {
          throw new Error(
            `oracle case ${i}: ${name} differs from another case's file of that name`,
          );
        }
        shared.set(name, text);
        path = `${dir}/${name}`;
      }
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
    const src = `cases/c${i}/templates/c.j2`;
    const task: Record<string, unknown> = c.module
      ? { name: `c${i}`, template: { src, dest: `${dir}/out/c${i}` } }
      : {
        name: `c${i}`,
        debug: { msg: `X{{ lookup('template', '${src}', convert_data=False) }}` },
      };
    if (c.vars && Object.keys(c.vars).length) task.vars = c.vars;
    task.ignore_errors = true;
    tasks.push(task);
    if (options.errorClasses && !c.module) {
      tasks.push({
        ...task,
        name: `c${i}_chain`,
        debug: { msg: `X{{ lookup('driftless_chain', '${src}') }}` },
      });
    }
  }
  const play = [{ hosts: "localhost", gather_facts: false, connection: "local", tasks }];
  await Deno.writeTextFile(`${dir}/site.yml`, stringify(play, { lineWidth: 0, version: "1.1" }));
  const r = await new Deno.Command("ansible-playbook", {
    args: ["-i", "localhost,", "-c", "local", "site.yml"],
    cwd: dir,
    env: {
      ANSIBLE_STDOUT_CALLBACK: "json",
      ANSIBLE_NOCOLOR: "1",
      ANSIBLE_LOCALHOST_WARNING: "False",
      ANSIBLE_INVENTORY_UNPARSED_WARNING: "False",
      ANSIBLE_DEPRECATION_WARNINGS: "False",
      ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(r.stdout);
  const start = stdout.indexOf("{");
  if (start < 0) {
    throw new Error(`ansible-playbook printed no JSON:\n${new TextDecoder().decode(r.stderr)}`);
  }
  const doc = JSON.parse(stdout.slice(start)) as {
    plays: {
      tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[];
    }[];
  };
  const byName = new Map<string, Record<string, unknown>>();
  for (const t of doc.plays[0]?.tasks ?? []) byName.set(t.task.name, t.hosts.localhost ?? {});
  const results: OracleResult[] = [];
  for (const [i, c] of cases.entries()) {
    const res = byName.get(`c${i}`);
    if (!res) {
      results.push({ err: "task did not run" });
    } else if (res.failed) {
      const chain = byName.get(`c${i}_chain`);
      results.push({
        err: String(res.msg ?? "failed"),
        ...(chain && !chain.failed ? { chain: String(chain.msg).slice(1) } : {}),
      });
    } else if (c.module) {
      results.push({ out: await Deno.readTextFile(`${dir}/out/c${i}`) });
    } else {
      results.push({ out: String(res.msg).slice(1) });
    }
  }
  if (!options.dir) await Deno.remove(dir, { recursive: true });
  return results;
}
