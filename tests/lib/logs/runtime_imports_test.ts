/**
 * The logs pipeline runs in long-lived processes (`driftless logs`, the agent) whose memory
 * matters: what it loads at run time must not reach the config-time packages. Config is
 * validated before, so `import type` of the schemas is fine; a value import is not.
 */
import assert from "node:assert/strict";
import { ROOT } from "../../_helpers/cli.ts";

const FORBIDDEN = ["zod", "yaml", "prom-client", "nunjucks", "smol-toml", "commander"];

interface Dep {
  specifier: string;
  code?: { specifier?: string };
}

Deno.test("the logs pipeline's run-time imports (static and dynamic) reach no config-time package", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${ROOT}/lib/logs/pipeline.ts`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dep[] }[];
  };
  const deps = new Map(info.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  // Walk value imports only: `import type` edges carry no "code".
  const reached = new Map<string, string>();
  const todo = [info.roots[0]!];
  while (todo.length > 0) {
    const from = todo.pop()!;
    for (const d of deps.get(from) ?? []) {
      const to = d.code?.specifier;
      if (!to || reached.has(to)) continue;
      reached.set(to, from);
      todo.push(to);
    }
  }
  const bad = [...reached.keys()].filter((s) =>
    FORBIDDEN.some((name) => s.startsWith(`npm:/${name}@`) || s.startsWith(`npm:${name}@`))
  );
  const chain = (s: string) => {
    const out = [s];
    while (reached.has(out[0]!) && out.length < 20) out.unshift(reached.get(out[0]!)!);
    return out.map((x) => x.replace(`file://${ROOT}/`, "")).join(" -> ");
  };
  assert.deepEqual(bad.map(chain), []);
  assert.ok(reached.size > 10, "the walk found the pipeline's modules");
});
