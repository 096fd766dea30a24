/**
 * Jinja2 templates as Ansible renders them: the filters, tests and lookups of ansible-core
 * 2.14 on nunjucks. This entry point loads neither the config schemas nor the task modules,
 * so a script that only renders templates starts fast.
 *
 * @example Render a template string
 * ```ts
 * import { renderTemplate } from "@driftless/cli/template";
 * const text = await renderTemplate("{{ users | map(attribute='name') | join(', ') }}", {
 *   users: [{ name: "alice" }, { name: "bob" }],
 * });
 * console.assert(text === "alice, bob");
 * ```
 *
 * @module
 */
export {
  checkTemplate,
  evaluateExpression,
  markUnsafe,
  type RenderOptions,
  renderTemplate,
  TemplateError,
  templateValue,
} from "../lib/template/engine.ts";
import { renderFile, type RenderOptions } from "../lib/template/engine.ts";

/**
 * Renders a template file as Ansible's template module does: its directory joins the search
 * path for `include`, `import` and file lookups.
 *
 * @example Render a file
 * ```ts
 * import { renderTemplateFile } from "@driftless/cli/template";
 * const path = await Deno.makeTempFile({ suffix: ".j2" });
 * await Deno.writeTextFile(path, "listen {{ port | default(80) }}\n");
 * console.assert((await renderTemplateFile(path, { port: 8080 })) === "listen 8080\n");
 * ```
 */
export function renderTemplateFile(
  path: string,
  vars: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  return renderFile(path, vars, options);
}
