/**
 * Ansible's encoding filters: `b64encode`, `b64decode`, `to_json`, `to_nice_json`, `from_json`,
 * `to_yaml`, `to_nice_yaml`, `from_yaml`, `from_yaml_all`, with Python's json and PyYAML output.
 *
 * @module
 */
import { type Document, parseAllDocuments, parseDocument, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { constructPlain } from "../../yaml11.ts";
import type { Kw } from "../signature.ts";
import { jsonDecodeError, jsonDumps, type JsonOptions } from "./_json.ts";
import { type DumpOptions, yamlDump, yamlDumpAll } from "./_yaml.ts";
import { builtin, builtinRaw, filterError, withValue } from "./_util.ts";

function toBytes(v: unknown): Uint8Array {
  return new TextEncoder().encode(py.str(v));
}

function encodingOf(e: unknown): string {
  const name = py.str(e).toLowerCase().replace(/[-_]/g, "");
  const map: Record<string, string> = {
    utf8: "utf-8",
    utf16: "utf-16le",
    utf16le: "utf-16le",
    latin1: "latin1",
    ascii: "ascii",
  };
  const enc = map[name];
  if (!enc) throw pyError("LookupError", `unknown encoding: ${py.str(e)}`);
  return enc;
}

builtin("b64encode", "string, encoding='utf-8'", (s: unknown, e: unknown) => {
  const enc = encodingOf(e);
  const text = py.str(s);
  let bytes: Uint8Array;
  if (enc === "utf-16le") {
    bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      bytes[i * 2] = c & 0xff;
      bytes[i * 2 + 1] = c >> 8;
    }
  } else if (enc === "latin1" || enc === "ascii") {
    bytes = new Uint8Array([...text].map((c) => c.codePointAt(0)! & 0xff));
  } else bytes = toBytes(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
});
builtin("b64decode", "string, encoding='utf-8'", (s: unknown, e: unknown) => {
  const enc = encodingOf(e);
  let bin: string;
  const t = py.str(s).replace(/[^A-Za-z0-9+/=]/g, "");
  const data = t.replace(/=+$/, "").length;
  if (data % 4 === 1) {
    throw pyError(
      "binascii.Error",
      `Invalid base64-encoded string: number of data characters (${data}) cannot be 1 more than a multiple of 4`,
    );
  }
  if (t.length % 4) throw pyError("binascii.Error", "Incorrect padding");
  try {
    bin = atob(t);
  } catch {
    throw pyError("binascii.Error", "Incorrect padding");
  }
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  if (enc === "latin1") return bin;
  return new TextDecoder(enc).decode(bytes);
});

/** Ansible's JSON encoder: dates as ISO strings. */
function ansibleFallback(v: unknown): unknown {
  if (v instanceof py.PyObject && "isoformat" in v) {
    return (v as unknown as { isoformat(): string }).isoformat();
  }
  return undefined;
}

function jsonOptions(kw: Kw, base: JsonOptions): JsonOptions {
  const o: JsonOptions = { ...base, fallback: ansibleFallback };
  for (const [k, v] of Object.entries(kw)) {
    switch (k) {
      case "indent":
        o.indent = v === null ? null : typeof v === "string" ? v : py.num(v);
        break;
      case "sort_keys":
        o.sortKeys = py.truthy(v);
        break;
      case "ensure_ascii":
        o.ensureAscii = py.truthy(v);
        break;
      case "separators": {
        const [a, b] = py.iterate(v);
        o.separators = [py.str(a), py.str(b)];
        break;
      }
      case "vault_to_text":
      case "preprocess_unsafe":
      case "skipkeys":
      case "check_circular":
      case "allow_nan":
        break;
      default:
        throw pyError(
          "TypeError",
          `JSONEncoder.__init__() got an unexpected keyword argument '${k}'`,
        );
    }
  }
  return o;
}

builtinRaw(
  "to_json",
  withValue("to_json", "a", (args, kw) => jsonDumps(args[0], jsonOptions(kw, {}))),
);
builtinRaw(
  "to_nice_json",
  withValue("to_nice_json", "a", (args, kw) => {
    const { indent = args[1] ?? 4, sort_keys = args[2] ?? true, ...rest } = kw;
    return jsonDumps(
      args[0],
      jsonOptions(rest, {
        indent: typeof indent === "string" ? indent : py.num(indent),
        sortKeys: py.truthy(sort_keys),
        separators: [",", ": "],
      }),
    );
  }),
);

/** Parses JSON like Python's json.loads (floats stay floats: `1.0`). */
export function jsonLoads(text: string): unknown {
  try {
    return JSON.parse(
      text,
      function (_key: string, value: unknown, ctx?: { source?: string }) {
        if (
          typeof value === "number" && Number.isInteger(value) && ctx?.source &&
          /[.eE]/.test(ctx.source)
        ) {
          return new py.PyFloat(value);
        }
        return value;
      } as (this: unknown, key: string, value: unknown) => unknown,
    );
  } catch (e) {
    throw pyError("JSONDecodeError", jsonDecodeError(text) ?? (e as Error).message);
  }
}
builtin("from_json", "s", (s: unknown) => {
  if (typeof s !== "string") {
    throw pyError(
      "TypeError",
      `the JSON object must be str, bytes or bytearray, not ${py.typeName(s)}`,
    );
  }
  return jsonLoads(s);
});

function dumpOptions(kw: Kw, base: DumpOptions): DumpOptions {
  const o: DumpOptions = { ...base };
  for (const [k, v] of Object.entries(kw)) {
    switch (k) {
      case "indent":
        o.indent = py.num(v) ?? 2;
        break;
      case "width":
        o.width = py.num(v) ?? 80;
        break;
      case "default_flow_style":
        o.defaultFlowStyle = v === null ? null : py.truthy(v);
        break;
      case "sort_keys":
        o.sortKeys = py.truthy(v);
        break;
      case "allow_unicode":
        o.allowUnicode = py.truthy(v);
        break;
      case "explicit_start":
        o.explicitStart = py.truthy(v);
        break;
      case "explicit_end":
        o.explicitEnd = py.truthy(v);
        break;
      default:
        filterError(`to_yaml - dump() got an unexpected keyword argument '${k}'`);
    }
  }
  return o;
}
builtinRaw(
  "to_yaml",
  withValue(
    "to_yaml",
    "a",
    (args, kw) =>
      yamlDump(args[0], dumpOptions(kw, { defaultFlowStyle: null, allowUnicode: true })),
  ),
);
builtinRaw(
  "to_nice_yaml",
  withValue("to_nice_yaml", "a", (args, kw) => {
    const { indent = args[1] ?? 4, ...rest } = kw;
    return yamlDump(
      args[0],
      dumpOptions(rest, {
        indent: py.num(indent) ?? 4,
        defaultFlowStyle: false,
        allowUnicode: true,
      }),
    );
  }),
);

function fromNode(node: unknown, doc: Document): unknown {
  if (node instanceof Scalar) {
    const src = node.srcToken && "source" in node.srcToken ? String(node.srcToken.source) : "";
    if (node.type === "PLAIN" && !node.tag) {
      const { tag, value } = constructPlain(src);
      return tag === "float" && Number.isInteger(value) ? new py.PyFloat(value as number) : value;
    }
    const v = node.value;
    if (typeof v === "bigint") return Number(v);
    if (v instanceof Date) return v.toISOString();
    return v ?? null;
  }
  if (node instanceof YAMLSeq) return node.items.map((x) => fromNode(x, doc));
  if (node instanceof YAMLMap) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const k = fromNode(pair.key, doc);
      out[py.dictKey(k)] = fromNode(pair.value, doc);
    }
    return out;
  }
  if (node && typeof node === "object" && "resolve" in node) {
    return fromNode((node as { resolve(d: Document): unknown }).resolve(doc), doc);
  }
  return node ?? null;
}

const YAML_OPTIONS = { version: "1.1", keepSourceTokens: true, uniqueKeys: false } as const;

/** Ansible's `yaml_load` (SafeLoader, YAML 1.1). */
export function yamlLoad(text: string): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length) throw pyError("YAMLError", doc.errors[0]!.message);
  return fromNode(doc.contents, doc);
}
builtin("from_yaml", "data", (d: unknown) => (typeof d === "string" ? yamlLoad(d) : d));
builtin("from_yaml_all", "data", (d: unknown) => {
  if (typeof d !== "string") return d;
  const docs = parseAllDocuments(d, YAML_OPTIONS);
  if (!Array.isArray(docs)) return [];
  return docs.map((doc) => {
    if (doc.errors.length) throw pyError("YAMLError", doc.errors[0]!.message);
    return fromNode(doc.contents, doc);
  });
});

export { yamlDumpAll };
