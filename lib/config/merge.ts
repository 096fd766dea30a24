/**
 * Merges the files of one schema in path order (maps merge, lists concatenate, a key defined
 * twice is an error naming both files) and remembers where every merged value came from.
 *
 * @module
 */
import { type ConfigIssue, formatPath, type KeyPath } from "../errors.ts";
import type { Position, SourceDoc } from "./source.ts";

/** Where a merged value came from: one file's subtree, or a merged map or list. */
type Origin =
  | { readonly kind: "leaf"; readonly doc: SourceDoc; readonly path: KeyPath }
  | { readonly kind: "map"; readonly first: Origin; readonly children: Map<string, Origin> }
  | { readonly kind: "list"; readonly items: Origin[] };

/** A located spot in a source file. */
export interface Located {
  readonly file: string;
  readonly position?: Position;
}

/** Merged data of one schema, with a way back to the files. */
export interface Merged {
  readonly value: unknown;
  /** The file and position of a key path of the merged value (its key with `key`). */
  locate(path: KeyPath, key?: boolean): Located;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function leaf(doc: SourceDoc, path: KeyPath): Origin {
  return { kind: "leaf", doc, path };
}

function asMapOrigin(origin: Origin, value: Record<string, unknown>): Origin & { kind: "map" } {
  if (origin.kind === "map") return origin;
  const children = new Map<string, Origin>();
  if (origin.kind === "leaf") {
    for (const key of Object.keys(value)) {
      children.set(key, leaf(origin.doc, [...origin.path, key]));
    }
  }
  return { kind: "map", first: origin, children };
}

function asListOrigin(origin: Origin, value: unknown[]): Origin & { kind: "list" } {
  if (origin.kind === "list") return origin;
  const items = value.map((_, i) =>
    origin.kind === "leaf" ? leaf(origin.doc, [...origin.path, i]) : origin
  );
  return { kind: "list", items };
}

/** Merges parsed documents in order; duplicate keys become issues and keep the first value. */
export function mergeDocs(docs: readonly SourceDoc[], issues: ConfigIssue[]): Merged {
  let value: unknown = undefined;
  let origin: Origin | undefined;
  for (const doc of docs) {
    if (origin === undefined) {
      value = doc.data;
      origin = leaf(doc, []);
      continue;
    }
    const merged = mergeValue(value, origin, doc.data, leaf(doc, []), [], issues);
    value = merged.value;
    origin = merged.origin;
  }
  const root = origin;
  return {
    value,
    locate: (path, key) => (root ? locateIn(root, path, key ?? false) : { file: "" }),
  };
}

function mergeValue(
  a: unknown,
  ao: Origin,
  b: unknown,
  bo: Origin,
  path: KeyPath,
  issues: ConfigIssue[],
): { value: unknown; origin: Origin } {
  if (isMap(a) && isMap(b)) {
    const out = { ...a };
    const origin = asMapOrigin(ao, a);
    const children = new Map(origin.children);
    const bMap = asMapOrigin(bo, b);
    for (const [key, bv] of Object.entries(b)) {
      const bChild = bMap.children.get(key)!;
      if (key in out) {
        const merged = mergeValue(out[key], children.get(key)!, bv, bChild, [...path, key], issues);
        out[key] = merged.value;
        children.set(key, merged.origin);
      } else {
        out[key] = bv;
        children.set(key, bChild);
      }
    }
    return { value: out, origin: { kind: "map", first: origin.first, children } };
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const items = [...asListOrigin(ao, a).items, ...asListOrigin(bo, b).items];
    return { value: [...a, ...b], origin: { kind: "list", items } };
  }
  const first = locateIn(ao, [], true);
  const second = locateIn(bo, [], true);
  issues.push({
    file: second.file,
    ...(second.position ? { line: second.position.line, column: second.position.column } : {}),
    path: formatPath(path),
    message: `defined twice: also in ${first.file}${
      first.position ? `:${first.position.line}` : ""
    }`,
    hint: "keep one definition, or make both maps (they merge) or both lists (they concatenate)",
  });
  return { value: a, origin: ao };
}

function locateIn(origin: Origin, path: KeyPath, key = false): Located {
  switch (origin.kind) {
    case "leaf": {
      const position = origin.doc.locate([...origin.path, ...path], key);
      return { file: origin.doc.file, ...(position ? { position } : {}) };
    }
    case "map": {
      const [head, ...rest] = path;
      const child = head === undefined ? undefined : origin.children.get(String(head));
      return child ? locateIn(child, rest, key) : locateIn(origin.first, path, key);
    }
    case "list": {
      const [head, ...rest] = path;
      const item = typeof head === "number" ? origin.items[head] : undefined;
      if (item) return locateIn(item, rest, key);
      return origin.items[0] ? locateIn(origin.items[0], []) : { file: "" };
    }
  }
}
