/**
 * Ansible's lookups for `lookup()` and `query()`/`q()`: env, file, fileglob, first_found,
 * template, vars, varnames, items, indexed_items, dict, list, nested, together, sequence,
 * subelements, random_choice, lines, pipe, password, csvfile, ini, and community.general's
 * flattened, with `errors=` and `wantlist=`; collection-qualified names resolve to the same.
 *
 * Commands of `pipe` and `lines` run without a shell: the term is split like Python's
 * `shlex.split` and run directly (pass `shell=True` to run it with `/bin/sh -c`), with a timeout.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { pyRegex } from "../pyregex.ts";
import { ShlexError, shlexSplit as splitShlex } from "../shlex.ts";
import { pyError, TemplateError } from "./error.ts";
import { expandGlobSync } from "./filters/_glob.ts";
import { md5Crypt, randomSalt, shaCrypt } from "./crypt.ts";
import * as py from "./py.ts";
import { PyRandom, systemRandom } from "./pyrandom.ts";
import { pyRe } from "./regex.ts";
import { callFilter, current, state } from "./registry.ts";
import { evalConcat } from "./runtime.ts";
import type { Kw, PyFn } from "./signature.ts";

/** A lookup: terms and options in, list out. */
type Lookup = (terms: unknown[], kw: Kw) => unknown[];

/** Default timeout for `pipe` and `lines` commands, in milliseconds (`timeout=` seconds overrides). */
export const COMMAND_TIMEOUT_MS = 60_000;

function lookupError(msg: string): never {
  throw new TemplateError(msg, { kind: "AnsibleLookupError" });
}

/** The plain AnsibleError most of Ansible 2.14's lookups raise. */
function ansibleError(msg: string): never {
  throw new TemplateError(msg, { kind: "AnsibleError" });
}

function option<T>(kw: Kw, name: string, dflt: T): T {
  return Object.hasOwn(kw, name) ? (kw[name] as T) : dflt;
}

function checkOptions(name: string, kw: Kw, allowed: string[]): void {
  for (const k of Object.keys(kw)) {
    if (!allowed.includes(k)) {
      lookupError(`Unrecognized parameter(s) given to ${name} lookup: ${k}`);
    }
  }
}

/** Finds a file on the search path (absolute paths as they are). */
function findFile(term: string, subdir: string): string | undefined {
  if (isAbsolute(term)) return existsSync(term) ? term : undefined;
  const dirs = state().options.searchPath;
  const candidates = dirs.length ? dirs : [Deno.cwd()];
  for (const d of candidates) {
    for (const p of [join(d, subdir, term), join(d, term)]) {
      try {
        if (statSync(p).isFile()) return p;
      } catch {
        // try the next place
      }
    }
  }
  return undefined;
}

function baseDir(): string {
  const dirs = state().options.searchPath;
  return dirs.length ? dirs[dirs.length - 1]! : Deno.cwd();
}

function flatten(terms: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const t of terms) {
    if (Array.isArray(t)) out.push(...t);
    else out.push(t);
  }
  return out;
}

/** Python's `shlex.split`, failing with Python's ValueError. */
export function shlexSplit(text: string): string[] {
  try {
    return splitShlex(text);
  } catch (e) {
    if (e instanceof ShlexError) throw pyError("ValueError", e.reason);
    throw e;
  }
}

function runCommand(
  term: string,
  shell: boolean,
  timeoutMs: number,
): { code: number; stdout: string } {
  const argv = shell ? ["/bin/sh", "-c", term] : shlexSplit(term);
  if (!argv.length) lookupError(`empty command: ${py.repr(term)}`);
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: baseDir(),
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) {
    const e = r.error as Error & { code?: string };
    if (e.code === "ETIMEDOUT") {
      lookupError(`command timed out after ${timeoutMs / 1000}s: ${term}`);
    }
    lookupError(`could not run ${py.repr(argv[0])}: ${e.message}`);
  }
  return {
    code: r.status ?? -1,
    stdout: r.stdout ? new TextDecoder().decode(r.stdout as Uint8Array) : "",
  };
}

const ASCII = {
  ascii_letters: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  ascii_lowercase: "abcdefghijklmnopqrstuvwxyz",
  ascii_uppercase: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digits: "0123456789",
  hexdigits: "0123456789abcdefABCDEF",
  octdigits: "01234567",
  punctuation: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  printable: "",
  whitespace: " \t\n\r\x0b\x0c",
} as Record<string, string>;
ASCII.printable = ASCII.digits! + ASCII.ascii_letters! + ASCII.punctuation! + ASCII.whitespace!;

/** Ansible's `parse_kv` for `key=value` words (quotes allowed). */
function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const raw: string[] = [];
  for (const word of shlexSplitKeepingEquals(text)) {
    const eq = word.indexOf("=");
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
    else raw.push(word);
  }
  if (raw.length) out._raw_params = raw.join(" ");
  return out;
}
function shlexSplitKeepingEquals(text: string): string[] {
  try {
    return shlexSplit(text);
  } catch {
    return text.split(/\s+/).filter(Boolean);
  }
}

function passwordLookup(terms: unknown[], kw: Kw): unknown[] {
  checkOptions("password", kw, ["length", "encrypt", "chars", "ident", "seed"]);
  const out: unknown[] = [];
  for (const t of terms) {
    const term = py.str(t);
    const sp = term.indexOf(" ");
    let relpath = sp < 0 ? term : term.slice(0, sp);
    const params: Record<string, unknown> = sp < 0 ? {} : parseKv(term.slice(sp + 1));
    if ("_raw_params" in params) {
      relpath = `${relpath} ${params._raw_params}`;
      delete params._raw_params;
    }
    const invalid = Object.keys(params).filter((k) =>
      !["length", "encrypt", "chars", "ident", "seed"].includes(k)
    );
    if (invalid.length) {
      ansibleError(`Unrecognized parameter(s) given to password lookup: ${invalid.join(", ")}`);
    }
    const length = parseInt(py.str(params.length ?? option(kw, "length", 20)), 10);
    const encrypt = (params.encrypt ?? option(kw, "encrypt", null)) as string | null;
    const seed = params.seed ?? option(kw, "seed", null);
    let chars: unknown = params.chars ?? option(kw, "chars", ["ascii_letters", "digits", ".,:-_"]);
    if (typeof chars === "string") {
      const list: string[] = [];
      if (chars.includes(",,")) list.push(",");
      list.push(...chars.replaceAll(",,", ",").split(",").filter(Boolean));
      chars = list;
    }
    const candidates = py.iterate(chars).map((c) => ASCII[py.str(c)] ?? py.str(c)).join("").replace(
      /["']/g,
      "",
    );
    const path = isAbsolute(relpath) ? relpath : join(baseDir(), relpath);
    const isNull = path === "/dev/null";
    let content: string | null = null;
    if (!isNull && existsSync(path)) content = readFileSync(path, "utf8").trimEnd();
    let password: string;
    let salt: string | null = null;
    let changed = false;
    if (content === null || isNull) {
      const r = seed === null ? systemRandom() : new PyRandom(seed);
      const pool = py.chars(candidates);
      password = Array.from({ length }, () => r.choice(pool)).join("");
      changed = true;
    } else {
      password = content;
      const at = content.lastIndexOf(" salt=");
      if (at >= 0) {
        salt = content.slice(at + 6).split(" ident=")[0]!;
        password = content.slice(0, at);
      }
    }
    if (encrypt && !salt) {
      changed = true;
      salt = randomSalt(encrypt === "md5_crypt" ? 8 : encrypt === "bcrypt" ? 22 : 16);
    }
    if (changed && !isNull) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${encrypt ? `${password} salt=${salt}` : password}\n`);
      chmodSync(path, 0o600);
    }
    if (encrypt) {
      if (encrypt === "sha512_crypt" || encrypt === "sha256_crypt") {
        out.push(
          shaCrypt(
            encrypt === "sha512_crypt" ? "sha512" : "sha256",
            password,
            salt!.slice(0, 16),
            encrypt === "sha512_crypt" ? 656000 : 535000,
          ),
        );
      } else if (encrypt === "md5_crypt") out.push(md5Crypt(password, salt!.slice(0, 8)));
      else lookupError(`unsupported encrypt algorithm for the password lookup: ${encrypt}`);
    } else out.push(password);
  }
  return out;
}

const LOOKUPS: Record<string, Lookup> = {
  env(terms, kw) {
    const d = option<unknown>(kw, "default", "");
    return terms.map((t) => {
      const name = py.str(t).split(/\s+/)[0]!;
      let v: string | undefined;
      try {
        v = Deno.env.get(name);
      } catch {
        v = undefined;
      }
      if (v === undefined && d instanceof py.Undefined) {
        throw new TemplateError(`The "env" lookup, found an undefined variable: ${name}`, {
          kind: "UndefinedError",
        });
      }
      return v ?? d;
    });
  },
  file(terms, kw) {
    checkOptions("file", kw, ["lstrip", "rstrip"]);
    return terms.map((t) => {
      const term = py.str(t);
      const path = findFile(term, "files");
      if (!path) {
        ansibleError(`could not locate file in lookup: ${term}`);
      }
      let text = readFileSync(path!, "utf8");
      if (py.truthy(option(kw, "lstrip", false))) text = text.replace(/^\s+/, "");
      if (py.truthy(option(kw, "rstrip", true))) text = text.replace(/\s+$/, "");
      return text;
    });
  },
  fileglob(terms) {
    const out: unknown[] = [];
    for (const t of terms) {
      const term = py.str(t);
      const file = term.slice(term.lastIndexOf("/") + 1);
      let dirs: string[];
      if (isAbsolute(term)) dirs = [dirname(term)];
      else {
        const sub = file !== term ? term.slice(0, term.lastIndexOf("/")) : "";
        const base = state().options.searchPath.length ? state().options.searchPath : [Deno.cwd()];
        dirs = base.flatMap((d) => [join(d, "files", sub), join(d, sub)]);
      }
      for (const d of dirs) {
        const found = expandGlobSync(join(d, file)).filter((g) => {
          try {
            return statSync(g).isFile();
          } catch {
            return false;
          }
        });
        if (found.length) {
          out.push(...found);
          break;
        }
      }
    }
    return out;
  },
  first_found(terms, kw) {
    checkOptions("first_found", kw, ["files", "paths", "skip"]);
    const splitOn = (v: unknown, seps: RegExp): string[] => {
      if (v === null || v === undefined) return [];
      const items = typeof v === "string" ? [v] : py.iterate(v).map(py.str);
      return items.flatMap((x) => x.split(seps)).map((x) => x.trim()).filter(Boolean);
    };
    const processTerms = (list: unknown[]): [string[], boolean] => {
      let total: string[] = [];
      let skip = false;
      for (const term of list) {
        let opts: Kw;
        if (py.isDict(term)) opts = term;
        else if (typeof term === "string") opts = kw;
        else if (Array.isArray(term)) {
          const [partial, s] = processTerms(term);
          total.push(...partial);
          skip = s;
          continue;
        } else {lookupError(
            `Invalid term supplied, can handle string, mapping or list of strings but got: ${
              py.typeName(term)
            } for ${py.str(term)}`,
          );}
        const files = splitOn(opts!.files, /[,;]/);
        const paths = splitOn(opts!.paths, /[,:;]/);
        skip = py.truthy(opts!.skip ?? false);
        if (paths.length) { for (const p of paths) for (const f of files) total.push(join(p, f)); }
        else if (files.length) total = files;
        else total.push(term as string);
      }
      return [total, skip];
    };
    const [total, skip] = processTerms(terms);
    for (const fn of total) {
      const found = findFile(fn, "files");
      if (found) return [found];
    }
    if (skip) return [];
    lookupError("No file was found when using first_found.");
  },
  template(terms, kw) {
    checkOptions("template", kw, [
      "convert_data",
      "template_vars",
      "jinja2_native",
      "variable_start_string",
      "variable_end_string",
      "comment_start_string",
      "comment_end_string",
    ]);
    const st = state();
    return terms.map((t) => {
      const term = py.str(t);
      const path = findFile(term, "templates");
      if (!path) lookupError(`the template file ${term} could not be found for the lookup`);
      const source = readFileSync(path!, "utf8");
      const vars = { ...st.vars, ...(py.isDict(kw.template_vars) ? kw.template_vars : {}) };
      const searchPath = [dirname(path!), ...st.options.searchPath];
      const mode = py.truthy(option(kw, "convert_data", true)) ? "eval-concat" : "text";
      let out = current.render!(source, vars, { ...st.options, searchPath, name: term }, "text");
      const want = (source.match(/\n*$/)?.[0].length) ?? 0;
      const have = (String(out).match(/\n*$/)?.[0].length) ?? 0;
      if (typeof out === "string" && want > have) {
        out += st.options.newlineSequence.repeat(want - have);
      }
      return mode === "eval-concat" ? evalConcat(out) : out;
    });
  },
  vars(terms, kw) {
    const st = state();
    const dflt = option(kw, "default", null);
    return terms.map((t) => {
      if (typeof t !== "string") {
        lookupError(
          `Invalid setting identifier, "${py.str(t)}" is not a string, its a <class '${
            py.typeName(t)
          }'>`,
        );
      }
      if (!Object.hasOwn(st.vars, t)) {
        if (dflt !== null) return dflt;
        throw new TemplateError(`No variable found with this name: ${t}`, {
          kind: "AnsibleUndefinedVariable",
          variable: t,
        });
      }
      const v = st.vars[t];
      return typeof v === "string" && /\{\{|\{%/.test(v)
        ? current.render!(v, st.vars, { ...st.options, name: v }, "eval-concat", st)
        : v;
    });
  },
  varnames(terms) {
    const names = Object.keys(state().vars);
    const out: unknown[] = [];
    for (const t of terms) {
      if (typeof t !== "string") {
        lookupError(
          `Invalid setting identifier, "${py.str(t)}" is not a string, it is a <class '${
            py.typeName(t)
          }'>`,
        );
      }
      for (const n of names) if (pyRe(() => pyRegex(t).search(n))) out.push(n);
    }
    return out;
  },
  items: (terms) => flatten(terms),
  list: (terms) => terms,
  indexed_items: (terms) => flatten(terms).map((x, i) => py.tuple([i, x])),
  dict(terms) {
    const out: unknown[] = [];
    for (const t of terms) {
      if (!py.isDict(t)) ansibleError("with_dict expects a dict");
      for (const [key, value] of Object.entries(t)) out.push({ key, value });
    }
    return out;
  },
  nested(terms) {
    if (!terms.length) lookupError("with_nested requires at least one element in the nested list");
    const lists = terms.map((t) => (Array.isArray(t) ? t : [t]));
    let result: unknown[] = lists[0]!;
    for (const next of lists.slice(1)) {
      const combined: unknown[] = [];
      for (const x of result) for (const y of next) combined.push(flatten([x, y]));
      result = combined;
    }
    return result.map((x) => flatten(Array.isArray(x) ? x : [x]));
  },
  together(terms) {
    if (!terms.length) lookupError("with_together requires at least one element in each list");
    const lists = terms.map((t) => (Array.isArray(t) ? t : [t]));
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from(
      { length: n },
      (_, i) => flatten(lists.map((l) => (i < l.length ? l[i] : null))),
    );
  },
  random_choice(terms) {
    if (!terms.length) return terms;
    return [systemRandom().choice(terms)];
  },
  sequence(terms, kw) {
    const out: unknown[] = [];
    const run = (spec: Record<string, unknown>) => {
      const start = parseInt(py.str(spec.start ?? 1), 0 || 10);
      const stride = parseInt(py.str(spec.stride ?? 1), 10);
      let end: number;
      if (spec.end !== undefined) end = parseInt(py.str(spec.end), 10);
      else if (spec.count !== undefined) {
        const count = parseInt(py.str(spec.count), 10);
        end = start + (count - 1) * stride;
        if (count === 0) return;
      } else lookupError("must specify count or end in with_sequence");
      const fmt = py.str(spec.format ?? "%d");
      if (stride === 0) return;
      if ((stride > 0 && end! < start) || (stride < 0 && end! > start)) {
        ansibleError("to count backwards make stride negative");
      }
      for (let i = start; stride > 0 ? i <= end! : i >= end!; i += stride) {
        out.push(fmt.replace(/%0?(\d*)[dxXo]|%%/g, (m, w: string) => {
          if (m === "%%") return "%";
          const t = m[m.length - 1]!;
          let s = Math.abs(i).toString(t === "o" ? 8 : t === "d" ? 10 : 16);
          if (t === "X") s = s.toUpperCase();
          if (w) s = s.padStart(parseInt(w, 10) - (i < 0 ? 1 : 0), m.startsWith("%0") ? "0" : " ");
          return (i < 0 ? "-" : "") + s;
        }));
      }
    };
    if (!terms.length) run(kw);
    for (const t of terms) {
      const term = py.str(t);
      const m = /^(-?\d+)(?:-(-?\d+))?(?:\/(-?\d+))?(?::(.+))?$/.exec(term.trim());
      if (m && !term.includes("=")) {
        run({
          ...kw,
          start: m[2] ? m[1] : 1,
          end: m[2] ?? m[1],
          ...(m[3] ? { stride: m[3] } : {}),
          ...(m[4] ? { format: m[4] } : {}),
        });
      } else run({ ...kw, ...parseKv(term) });
    }
    return out;
  },
  lines(terms, kw) {
    checkOptions("pipe/lines", kw, ["shell", "timeout"]);
    const shell = py.truthy(option(kw, "shell", false));
    const timeout = kw.timeout === undefined
      ? COMMAND_TIMEOUT_MS
      : (py.num(kw.timeout) ?? 60) * 1000;
    const out: unknown[] = [];
    for (const t of terms) {
      const term = py.str(t);
      const r = runCommand(term, shell, timeout);
      if (r.code !== 0) ansibleError(`lookup_plugin.lines(${term}) returned ${r.code}`);
      out.push(
        ...r.stdout.split(/\r\n|\n|\r/).filter((_, i, a) => i < a.length - 1 || a[i] !== ""),
      );
    }
    return out;
  },
  pipe(terms, kw) {
    checkOptions("pipe/lines", kw, ["shell", "timeout"]);
    const shell = py.truthy(option(kw, "shell", false));
    const timeout = kw.timeout === undefined
      ? COMMAND_TIMEOUT_MS
      : (py.num(kw.timeout) ?? 60) * 1000;
    return terms.map((t) => {
      const term = py.str(t);
      const r = runCommand(term, shell, timeout);
      if (r.code !== 0) ansibleError(`lookup_plugin.pipe(${term}) returned ${r.code}`);
      return r.stdout.replace(/\s+$/, "");
    });
  },
  password: passwordLookup,
  csvfile(terms, kw) {
    checkOptions("csvfile", kw, ["col", "default", "delimiter", "file", "encoding"]);
    const out: unknown[] = [];
    for (const t of terms) {
      const kv = parseKv(py.str(t));
      if (!("_raw_params" in kv)) lookupError("Search key is required but was not found");
      const opts: Record<string, unknown> = {
        col: "1",
        default: null,
        delimiter: "TAB",
        file: "ansible.csv",
        ...kw,
      };
      for (const [k, v] of Object.entries(kv)) {
        if (k === "_raw_params") continue;
        if (!["col", "default", "delimiter", "file", "encoding"].includes(k)) {
          lookupError(`${k} is not a valid option`);
        }
        opts[k] = v;
      }
      const delim = opts.delimiter === "TAB" || opts.delimiter === "\\t"
        ? "\t"
        : py.str(opts.delimiter);
      const path = findFile(py.str(opts.file), "files");
      if (!path) {
        lookupError(`csvfile: [Errno 2] No such file or directory: '${py.str(opts.file)}'`);
      }
      let value: unknown = opts.default;
      for (const row of parseCsv(readFileSync(path!, "utf8"), delim)) {
        if (row.length && row[0] === kv._raw_params) {
          const col = parseInt(py.str(opts.col), 10);
          if (col >= row.length) lookupError(`csvfile: list index out of range`);
          value = row[col];
          break;
        }
      }
      if (value !== null && value !== undefined) out.push(value);
    }
    return out;
  },
  ini(terms, kw) {
    const names = [
      "file",
      "section",
      "re",
      "default",
      "type",
      "encoding",
      "case_sensitive",
      "allow_no_value",
      "allow_none",
    ];
    checkOptions("ini", kw, names);
    const out: unknown[] = [];
    for (const t of terms) {
      const term = py.str(t);
      const opts: Record<string, unknown> = {
        file: "ansible.ini",
        section: "global",
        re: false,
        default: "",
        type: "ini",
        case_sensitive: false,
        ...kw,
      };
      let key = term;
      if (term.includes("=") || term.trim().includes(" ")) {
        let keySet = false;
        for (const param of shlexSplitKeepingEquals(term)) {
          const eq = param.indexOf("=");
          if (eq >= 0) {
            const name = param.slice(0, eq);
            if (!names.includes(name)) lookupError(`${name} is not a valid option.`);
            opts[name] = param.slice(eq + 1);
          } else if (!keySet) {
            key = param;
            keySet = true;
          }
        }
        if (!keySet) {
          lookupError(
            `No key to lookup was provided as first term with in string inline options: ${term}`,
          );
        }
      }
      const path = findFile(py.str(opts.file), "files");
      if (!path) lookupError(`Unable to find '${py.str(opts.file)}' in expected paths`);
      let text = readFileSync(path!, "utf8");
      let section = py.str(opts.section);
      if (opts.type === "properties") {
        text = `[java_properties]\n${text}`;
        section = "java_properties";
      }
      const caseSensitive = py.truthy(opts.case_sensitive) && opts.case_sensitive !== "False";
      const sections = parseIni(text, caseSensitive);
      const sec = sections.get(section);
      if (!sec) lookupError(`No section '${section}' in ${py.str(opts.file)}`);
      const isRe = opts.re === true || opts.re === "True" || opts.re === "true";
      if (isRe) {
        for (const [k, v] of sec!) if (pyMatchKey(key, k)) out.push(v);
      } else {
        const k = caseSensitive ? key : key.toLowerCase();
        if (sec!.has(k)) out.push(sec!.get(k));
        else if (opts.default !== null) out.push(opts.default);
      }
    }
    return out;
  },
  subelements(terms, kw) {
    const [list, key, flags] = terms;
    const skip = py.isDict(flags)
      ? py.truthy(flags.skip_missing ?? false)
      : py.truthy(kw.skip_missing ?? false);
    return callFilter("subelements", [list, key, skip]) as unknown[];
  },
  // community.general.flattened: lists flattened at every depth; None/null stops the walk.
  flattened(terms) {
    const walk = (list: unknown[]): unknown[] => {
      const out: unknown[] = [];
      for (let term of list) {
        if (Array.isArray(term) && term.length === 1 && Array.isArray(term[0])) term = term[0];
        if (term === "None" || term === "null") break;
        if (Array.isArray(term)) out.push(...walk(term));
        else out.push(term);
      }
      return out;
    };
    return walk(terms);
  },
  config() {
    lookupError("the 'config' lookup reads Ansible's configuration, which driftless does not have");
  },
};

/** Python's csv reader (quotes, doubled quotes, the given delimiter). */
function parseCsv(text: string, delim: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    const row: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"' && cur === "") quoted = true;
      else if (c === delim) {
        row.push(cur);
        cur = "";
      } else cur += c;
    }
    row.push(cur);
    rows.push(row);
  }
  return rows;
}

/** Python's ConfigParser (with DEFAULT inheritance and %(name)s interpolation). */
function parseIni(text: string, caseSensitive: boolean): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  const defaults = new Map<string, string>();
  let cur: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) {
      lastKey = null;
      continue;
    }
    if (/^\s/.test(raw) && cur && lastKey !== null) {
      cur.set(lastKey, `${cur.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const sec = /^\[([^\]]+)\]/.exec(raw);
    if (sec) {
      const name = sec[1]!;
      cur = name === "DEFAULT" ? defaults : sections.get(name) ?? new Map();
      if (name !== "DEFAULT") sections.set(name, cur);
      lastKey = null;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv || !cur) continue;
    const k = caseSensitive ? kv[1]!.trim() : kv[1]!.trim().toLowerCase();
    cur.set(k, kv[2]!);
    lastKey = k;
  }
  for (const sec of sections.values()) {
    for (const [k, v] of defaults) if (!sec.has(k)) sec.set(k, v);
    for (const [k, v] of sec) {
      sec.set(
        k,
        v.replace(
          /%\(([^)]+)\)s|%%/g,
          (m, name: string) => (m === "%%" ? "%" : sec.get(name) ?? m),
        ),
      );
    }
  }
  return sections;
}

function pyMatchKey(pattern: string, key: string): boolean {
  return pyRe(() => pyRegex(pattern).match(key)) !== null;
}

/** Names of the supported lookups. */
export const LOOKUP_NAMES: readonly string[] = Object.keys(LOOKUPS);

function resolveName(name: string): Lookup {
  // Collection-qualified names (`ansible.builtin.file`, `community.general.flattened`).
  const short = name.replace(/^\w+\.\w+\./, "");
  const fn = LOOKUPS[short];
  if (!fn) throw new TemplateError(`lookup plugin (${name}) not found`, { kind: "AnsibleError" });
  return fn;
}

/** Ansible's `Templar._lookup`. */
export function runLookup(name: string, args: unknown[], kw: Kw): unknown {
  const fn = resolveName(name);
  const { wantlist = false, errors = "strict", allow_unsafe: _unsafe, ...options } = kw;
  for (const a of args) py.failOnUndefined(a);
  let ran: unknown[];
  try {
    ran = fn(args, options);
  } catch (e) {
    if (
      e instanceof TemplateError &&
      (e.kind === "UndefinedError" || e.kind === "AnsibleUndefinedVariable")
    ) throw e;
    if (errors === "warn" || errors === "ignore") return py.truthy(wantlist) ? [] : null;
    if (
      e instanceof TemplateError && (e.kind === "AnsibleLookupError" || e.kind === "AnsibleError")
    ) throw e;
    const err = e instanceof TemplateError ? e : null;
    throw new TemplateError(
      `An unhandled exception occurred while running the lookup plugin '${name}'. Error was a ${
        err?.kind ?? (e as Error).name
      }, original message: ${err?.reason ?? (e as Error).message}`,
      { kind: "AnsibleError" },
    );
  }
  if (py.truthy(wantlist) || !ran.length) return ran;
  if (ran.every((x) => typeof x === "string")) return ran.join(",");
  return ran.length === 1 ? ran[0] : ran;
}

/** The `lookup` global. */
export const lookupFn: PyFn = (args, kw) => {
  if (!args.length) {
    throw pyError("TypeError", "lookup() missing 1 required positional argument: 'name'");
  }
  return runLookup(py.str(args[0]), args.slice(1), kw);
};

/** The `query` / `q` global: always a list. */
export const queryFn: PyFn = (args, kw) => {
  if (!args.length) {
    throw pyError("TypeError", "query() missing 1 required positional argument: 'name'");
  }
  return runLookup(py.str(args[0]), args.slice(1), { ...kw, wantlist: true });
};
