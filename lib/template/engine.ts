/**
 * The template engine's public API: Ansible-compatible Jinja2 rendering on nunjucks.
 *
 * - {@linkcode renderTemplate} / {@linkcode renderFile}: what the `template` module does
 *   (trim_blocks on, lstrip_blocks off, trailing newlines kept, `#jinja2:` header overrides).
 * - {@linkcode templateValue}: Ansible's templar on task params (a lone `{{ expr }}` keeps its
 *   native type; strings without template markers are returned untouched without loading
 *   nunjucks).
 * - {@linkcode evaluateExpression}: a `when:`-style bare expression, returning its value.
 * - {@linkcode checkTemplate}: a syntax check with line and column.
 *
 * nunjucks and the compiler load on first use; compiled templates are cached by source.
 *
 * @module
 */
import { dirname } from "node:path";
import { TemplateError } from "./error.ts";
import { lazy } from "../lazy.ts";
import type { Engine, RenderMode } from "./environment.ts";
import type { StateOptions } from "./registry.ts";

export { TemplateError } from "./error.ts";
export { markUnsafe } from "./unsafe.ts";

/** Options for rendering; defaults are the Ansible template module's. */
export interface RenderOptions {
  /** Dirs for include/import/extends and for file lookups' relative paths. */
  searchPath?: string[];
  /** Remove the first newline after a block tag (default true, as the template module). */
  trimBlocks?: boolean;
  /** Strip whitespace before a block tag at the start of a line (default false). */
  lstripBlocks?: boolean;
  /** Newline sequence of the output: "\n" (default), "\r" or "\r\n". */
  newlineSequence?: string;
  /** Template name for error messages (a file path). */
  name?: string;
}

let enginePromise: Promise<Engine> | undefined;
let renderPromise: Promise<Engine> | undefined;

/** The engine, for checking syntax. */
function engine(): Promise<Engine> {
  enginePromise ??= lazy<typeof import("./environment.ts")>("./environment.ts", import.meta.url)
    .then((m) => m.createEngine());
  return enginePromise;
}

/**
 * The engine, for rendering: filters run synchronously, so what they load lazily (bcryptjs,
 * ~20 ms) is loaded first. `validate` only checks syntax and never pays for it.
 */
function renderEngine(): Promise<Engine> {
  renderPromise ??= Promise.all([
    engine(),
    lazy<typeof import("./filters/hash.ts")>("./filters/hash.ts", import.meta.url),
  ])
    .then(async ([e, hash]) => {
      await hash.preloadBcrypt();
      return e;
    });
  return renderPromise;
}

/**
 * Starts loading nunjucks and the compiler without waiting, so a command can overlap that with
 * its own start (reading and parsing the config).
 */
export function preloadEngine(): void {
  engine().catch(() => {/* the first real use reports it */});
}

/** Whether nunjucks and the compiler have been loaded (they load on the first real template). */
export function engineLoaded(): boolean {
  return enginePromise !== undefined;
}

const MARKERS = /\{\{|\{%|\{#/;
const HEADER = "#jinja2:";

interface Prepared {
  readonly source: string;
  readonly options: StateOptions;
}

/** Applies defaults and a `#jinja2: key: value, ...` first line, as Ansible's do_template. */
async function prepare(source: string, options: RenderOptions, dflt: string): Promise<Prepared> {
  let trimBlocks = options.trimBlocks ?? true;
  let lstripBlocks = options.lstripBlocks ?? false;
  let newlineSequence = options.newlineSequence ?? "\n";
  let keepTrailingNewline = false;
  if (!["\n", "\r", "\r\n"].includes(newlineSequence)) {
    throw new TemplateError(`newline_sequence needs to be one of: \\n, \\r or \\r\\n`, {
      kind: "AnsibleError",
    });
  }
  const name = options.name ?? dflt;
  if (source.startsWith(HEADER)) {
    const { literalEval } = await lazy<typeof import("./literal.ts")>(
      "./literal.ts",
      import.meta.url,
    );
    const eol = source.indexOf("\n");
    const line = source.slice(HEADER.length, eol < 0 ? -1 : eol);
    source = source.slice(eol + 1);
    for (const pair of line.split(",")) {
      const colon = pair.indexOf(":");
      if (colon < 0) {
        throw new TemplateError(
          `failed to parse jinja2 override '${pair.trim()}'. Did you use something different from colon as key-value separator?`,
          { kind: "AnsibleError", templateName: name, line: 1 },
        );
      }
      const key = pair.slice(0, colon).trim();
      let value: unknown;
      try {
        value = literalEval(pair.slice(colon + 1).trim());
      } catch {
        throw new TemplateError(
          `malformed jinja2 override value for ${key}: ${pair.slice(colon + 1).trim()}`,
          {
            kind: "AnsibleError",
            templateName: name,
            line: 1,
          },
        );
      }
      switch (key) {
        case "trim_blocks":
          trimBlocks = Boolean(value);
          break;
        case "lstrip_blocks":
          lstripBlocks = Boolean(value);
          break;
        case "keep_trailing_newline":
          keepTrailingNewline = Boolean(value);
          break;
        case "newline_sequence":
          newlineSequence = String(value);
          break;
        default:
          throw new TemplateError(`jinja2 override '${key}' is not supported by driftless`, {
            kind: "AnsibleError",
            templateName: name,
            line: 1,
          });
      }
    }
  }
  return {
    source,
    options: {
      trimBlocks,
      lstripBlocks,
      newlineSequence,
      keepTrailingNewline,
      searchPath: options.searchPath ?? [],
      name,
    },
  };
}

function trailingNewlines(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\n"; i--) n++;
  return n;
}

/** Ansible keeps as many trailing newlines as the source had (Jinja drops one). */
function restoreNewlines(original: string, out: string, nl: string): string {
  const want = trailingNewlines(original);
  const have = trailingNewlines(out);
  return want > have ? out + nl.repeat(want - have) : out;
}

/**
 * Renders a template string with variables, as Ansible's template module does.
 *
 * @example Render an Ansible template
 * ```ts ignore
 * import { renderTemplate } from "jsr:@driftless/cli";
 * const text = await renderTemplate(
 *   "{% for u in users %}{{ u.name }}:{{ u.shell | default('/bin/sh') }}\n{% endfor %}",
 *   { users: [{ name: "alice", shell: "/bin/bash" }, { name: "bob" }] },
 * );
 * // text === "alice:/bin/bash\nbob:/bin/sh\n"
 * ```
 */
export async function renderTemplate(
  source: string,
  vars: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  const p = await prepare(source, options, "<template>");
  const e = await renderEngine();
  const out = e.render(p.source, vars, p.options, "text") as string;
  return restoreNewlines(source, out, p.options.newlineSequence);
}

/** Renders a template file; its directory joins the search path, as in Ansible. */
export async function renderFile(
  path: string,
  vars: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<string> {
  let source: string;
  try {
    source = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new TemplateError(`template file not found: ${path}`, { kind: "TemplateNotFound" });
    }
    throw e;
  }
  const searchPath = [...(options.searchPath ?? [])];
  const dir = dirname(path);
  if (!searchPath.includes(dir)) searchPath.push(dir);
  return await renderTemplate(source, vars, { ...options, searchPath, name: options.name ?? path });
}

/** Doubles backslashes inside string literals of `{{ }}` (Ansible's `_escape_backslashes`). */
export function escapeBackslashes(data: string): string {
  if (!data.includes("\\") || !data.includes("{{")) return data;
  let out = "";
  let i = 0;
  while (i < data.length) {
    const start = data.indexOf("{{", i);
    if (start < 0) {
      out += data.slice(i);
      break;
    }
    out += data.slice(i, start + 2);
    i = start + 2;
    let quote = "";
    while (i < data.length) {
      const ch = data[i]!;
      if (quote) {
        if (ch === "\\") {
          out += "\\\\";
          if (i + 1 < data.length) {
            const next = data[i + 1]!;
            out += next === "\\" ? "\\\\" : next;
            i += 2;
            continue;
          }
        } else {
          out += ch;
          if (ch === quote) quote = "";
        }
        i++;
        continue;
      }
      if (ch === "'" || ch === '"') quote = ch;
      if (ch === "}" && data[i + 1] === "}") break;
      out += ch;
      i++;
    }
  }
  return out;
}

async function renderValue(
  text: string,
  vars: Record<string, unknown>,
  options: RenderOptions,
  mode: RenderMode,
  dflt: string,
): Promise<unknown> {
  const p = await prepare(text, options, dflt);
  const e = await renderEngine();
  const { toNative, Undefined } = await lazy<typeof import("./py.ts")>("./py.ts", import.meta.url);
  const v = e.render(escapeBackslashes(p.source), vars, p.options, mode);
  if (typeof v === "string") return restoreNewlines(text, v, p.options.newlineSequence);
  if (v instanceof Undefined && v.soft) return "";
  return toNative(v);
}

/**
 * Templates a task parameter as Ansible's templar does (jinja2_native off): strings inside
 * lists and maps are rendered; a result that looks like a list, dict or bool becomes one, a
 * lone `{{ none }}` stays None, anything else is text (`"{{ n + 1 }}"` is `"5"`, as in
 * Ansible, and task schemas accept numbers as digits); strings without `{{`/`{%`/`{#` come
 * back untouched.
 */
export async function templateValue(
  value: unknown,
  vars: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<unknown> {
  if (typeof value === "string") {
    if (!MARKERS.test(value)) return value;
    return await renderValue(value, vars, options, "eval-concat", "<string>");
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await templateValue(v, vars, options));
    return out;
  }
  if (
    value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await templateValue(v, vars, options);
    return out;
  }
  return value;
}

/**
 * Evaluates a bare Jinja expression the way Ansible evaluates `when:` and returns its value.
 * Undefined variables raise a TemplateError naming the variable, except under `is defined`,
 * `is undefined` and `default()`.
 */
export async function evaluateExpression(
  expression: string,
  vars: Record<string, unknown>,
  options: RenderOptions = {},
): Promise<unknown> {
  return await renderValue(`{{ ${expression} }}`, vars, options, "native", "<expression>");
}

/** Checks a template's syntax (and that its filters and tests exist) without rendering it. */
export async function checkTemplate(source: string, options: RenderOptions = {}): Promise<void> {
  const p = await prepare(source, options, "<template>");
  const e = await engine();
  e.check(p.source, p.options);
}
