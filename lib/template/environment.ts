/**
 * The nunjucks environment, built once per process: Jinja2 lexer and parser, the Python-semantics
 * compiler, a loader over the search path, and a cache of compiled templates keyed by options
 * and source. Rendering is synchronous inside; engine.ts wraps it in the public async API.
 *
 * @module
 */
import { TemplateError } from "./error.ts";
import { defineCompiler } from "./compiler.ts";
import {
  defineNodes,
  type NodeList,
  type NodeSet,
  type Nunjucks,
  type NunjucksTemplate,
} from "./nodes.ts";
import { parse } from "./parser.ts";
import { evalConcat, locate, Runtime, TemplateNotFound } from "./runtime.ts";
import { current, type RenderState, type StateOptions } from "./registry.ts";
import * as py from "./py.ts";
import "./filters/mod.ts";
import "./tests.ts";
import "./globals.ts";

/** How a render returns its result. */
export type RenderMode = "text" | "eval-concat" | "native";

interface Compiled {
  /** The compiled module: `root` and the block functions. */
  readonly props: object;
  /** The root is a single `{{ expr }}` (compiled in capture mode). */
  readonly single: boolean;
}

/** The loaded engine. */
export interface Engine {
  render(
    source: string,
    vars: Record<string, unknown>,
    options: StateOptions,
    mode: RenderMode,
  ): unknown;
  check(source: string, options: StateOptions): void;
}

/** Loads nunjucks and builds the engine. */
export async function createEngine(): Promise<Engine> {
  // @types/nunjucks covers the public API only; `Nunjucks` names the internals used here too.
  const nunjucks = (await import("nunjucks")).default as unknown as Nunjucks;
  const N = defineNodes(nunjucks);
  const Compiler = defineCompiler(nunjucks, N);
  const cache = new Map<string, Compiled>();

  const compile = (source: string, options: StateOptions, wantSingle: boolean): Compiled => {
    const key = `${options.trimBlocks ? 1 : 0}${options.lstripBlocks ? 1 : 0}${
      options.keepTrailingNewline ? 1 : 0
    }${wantSingle ? 1 : 0}${J(options.newlineSequence)}${options.name}\0${source}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const root = parse(source, N, {
      trimBlocks: options.trimBlocks,
      lstripBlocks: options.lstripBlocks,
      newlineSequence: options.newlineSequence,
      keepTrailingNewline: Boolean(options.keepTrailingNewline),
      name: options.name,
    });
    const single = wantSingle && /^\{\{[\s\S]*\}\}$/.test(source) && isSingleExpression(root, N);
    const c = new Compiler({ name: options.name, capture: single });
    c.compile(root);
    let props: object;
    try {
      props = new Function(c.getCode())();
    } catch (e) {
      throw new TemplateError(`internal compile error: ${(e as Error).message}`, {
        kind: "InternalError",
        templateName: options.name,
      });
    }
    const compiled = { props, single };
    if (cache.size > 2000) cache.clear();
    cache.set(key, compiled);
    return compiled;
  };

  const loader = makeLoader(compile);

  const env = new nunjucks.Environment([loader], { autoescape: false, dev: true });
  env.globals = {};
  env.py = new Runtime();
  // nunjucks reports a missing template with a plain Error: make it ours.
  const getTemplate = env.getTemplate.bind(env);
  env.getTemplate = (
    name: unknown,
    eager: unknown,
    parent: unknown,
    ignoreMissing: unknown,
    cb?: (err: unknown, tmpl?: NunjucksTemplate) => void,
  ) => {
    if (typeof name !== "string") {
      if (name instanceof py.Undefined) name.fail();
      name = py.str(name);
    }
    try {
      return getTemplate(name, eager, parent, ignoreMissing, cb);
    } catch (e) {
      if (e instanceof TemplateNotFound) {
        throw new TemplateError(`template not found: ${name}`, { kind: "TemplateNotFound" });
      }
      throw e;
    }
  };

  const run = (
    source: string,
    vars: Record<string, unknown>,
    options: StateOptions,
    mode: RenderMode,
    shared?: RenderState,
  ): unknown => {
    const compiled = compile(source, options, mode !== "text");
    const tmpl = new nunjucks.Template({ type: "code", obj: compiled.props }, env, options.name);
    const saved = current.state;
    current.state = {
      vars,
      options,
      resolved: shared?.resolved ?? new Map(),
      resolving: shared?.resolving ?? new Set(),
    };
    let result: unknown;
    try {
      result = tmpl.render(vars);
    } catch (e) {
      throw locate(e, options.name, 0, 0);
    } finally {
      current.state = saved;
    }
    if (compiled.single) {
      // A lone expression that is None stays None in Ansible's templar too.
      if (mode === "native" || result === null) return result;
      return evalConcat(result);
    }
    if (mode === "eval-concat") return evalConcat(result);
    return result;
  };
  current.render = run;

  return {
    render: run,
    check(source, options) {
      compile(source, options, false);
    },
  };
}

const J = JSON.stringify;

/** The nunjucks loader over the search path of the render in progress. */
function makeLoader(compile: (source: string, options: StateOptions, single: boolean) => Compiled) {
  return {
    async: false,
    cache: {},
    isRelative: () => false,
    getSource(name: string) {
      const st = current.state;
      if (!st) throw new TemplateNotFound(name);
      const parts = name.split("/").filter((p) => p && p !== ".");
      if (parts.includes("..")) throw new TemplateNotFound(name);
      for (const dir of st.options.searchPath) {
        const path = `${dir.replace(/\/$/, "")}/${parts.join("/")}`;
        let text: string;
        try {
          text = Deno.readTextFileSync(path);
        } catch (e) {
          if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory) continue;
          throw e;
        }
        const compiled = compile(text, { ...st.options, name }, false);
        return { src: { type: "code", obj: compiled.props }, path: name, noCache: true };
      }
      throw new TemplateNotFound(name);
    },
  };
}

function isSingleExpression(root: NodeList, N: NodeSet): boolean {
  if (root.children.length !== 1) return false;
  const out = root.children[0];
  return out instanceof N.Output && out.children.length === 1 &&
    !(out.children[0] instanceof N.TemplateData);
}
