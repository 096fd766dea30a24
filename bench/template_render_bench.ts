/**
 * `deno bench -A bench/template_render_bench.ts`: rendering a realistic ~230-line config
 * (nginx, users, groups, firewall, sysctl; loops, macros-free filters chains, to_nice_json/yaml)
 * with the engine, warm (compiled template cached) and with a fresh source each time (compile
 * included). The Ansible comparison is bench/template_vs_ansible.ts.
 */
import { parse } from "yaml";
import { renderTemplate } from "../lib/template/engine.ts";

const dir = new URL("../tests/fixtures/templates/bench/", import.meta.url);
const source = await Deno.readTextFile(new URL("site.conf.j2", dir));
const vars = parse(await Deno.readTextFile(new URL("vars.yml", dir))) as Record<string, unknown>;
await renderTemplate(source, vars);
let n = 0;

Deno.bench("render site.conf.j2 (compiled template cached)", { baseline: true }, async () => {
  await renderTemplate(source, vars);
});

Deno.bench("render site.conf.j2 (new source: lex, parse, compile, render)", async () => {
  await renderTemplate(`{# ${n++} #}${source}`, vars);
});
