/**
 * The objects Jinja2 puts in templates: the `loop` variable, `namespace()`, `cycler()`,
 * `joiner()`, and the "soft" undefined an inline `if` without `else` yields.
 *
 * @module
 */
import { pyError } from "./error.ts";
import { eq, PyObject, repr, Undefined } from "./py.ts";
import { type Kw, type PyFn, pyfn } from "./signature.ts";

/** A callable engine object (joiner, recursive loop). */
export interface Callable {
  call(args: unknown[], kw: Kw): unknown;
}

/** Whether `v` is a callable engine object. */
export function isCallable(v: unknown): v is Callable {
  return v instanceof PyObject && typeof (v as unknown as Callable).call === "function";
}

/** The `loop` variable of a for loop. */
export class LoopContext extends PyObject implements Callable {
  index0 = -1;
  #items: unknown[];
  #depth0: number;
  #recurse: ((items: unknown, depth0: number) => string) | null;
  #lastChanged: unknown[] | undefined;

  constructor(
    items: unknown[],
    depth0: number,
    recurse: ((items: unknown, depth0: number) => string) | null,
  ) {
    super();
    this.#items = items;
    this.#depth0 = depth0;
    this.#recurse = recurse;
  }

  get typeName(): string {
    return "LoopContext";
  }
  override repr(): string {
    return `<LoopContext ${this.index0 + 1}/${this.#items.length}>`;
  }

  override getattr(name: string): unknown {
    const i = this.index0;
    const n = this.#items.length;
    switch (name) {
      case "index0":
        return i;
      case "index":
        return i + 1;
      case "revindex0":
        return n - i - 1;
      case "revindex":
        return n - i;
      case "first":
        return i === 0;
      case "last":
        return i === n - 1;
      case "length":
        return n;
      case "depth0":
        return this.#depth0;
      case "depth":
        return this.#depth0 + 1;
      case "previtem":
        return i > 0
          ? this.#items[i - 1]
          : new Undefined(undefined, undefined, "there is no previous item");
      case "nextitem":
        return i < n - 1
          ? this.#items[i + 1]
          : new Undefined(undefined, undefined, "there is no next item");
      case "cycle":
        return ((args: unknown[]) => {
          if (!args.length) throw pyError("TypeError", "no items for cycling given");
          return args[i % args.length];
        }) as PyFn;
      case "changed":
        return ((args: unknown[]) => {
          if (this.#lastChanged === undefined || !eq(this.#lastChanged, args)) {
            this.#lastChanged = args;
            return true;
          }
          return false;
        }) as PyFn;
    }
    return undefined;
  }

  call(args: unknown[]): unknown {
    if (!this.#recurse) {
      throw pyError(
        "TypeError",
        "The loop must have the 'recursive' marker to be called recursively.",
      );
    }
    if (args.length !== 1) throw pyError("TypeError", "loop() takes exactly one argument");
    return this.#recurse(args[0], this.#depth0 + 1);
  }
}

/** `namespace(...)`: an object whose attributes `{% set ns.x = ... %}` can change. */
export class Namespace extends PyObject {
  constructor(readonly attrs: Record<string, unknown>) {
    super();
  }
  get typeName(): string {
    return "Namespace";
  }
  override repr(): string {
    return `<Namespace ${repr(this.attrs)}>`;
  }
  override getattr(name: string): unknown {
    return Object.hasOwn(this.attrs, name) ? this.attrs[name] : undefined;
  }
}

/** `cycler(a, b, ...)`. */
export class Cycler extends PyObject {
  #items: unknown[];
  #pos = 0;
  constructor(items: unknown[]) {
    super();
    if (!items.length) throw pyError("RuntimeError", "at least one item has to be provided");
    this.#items = items;
  }
  get typeName(): string {
    return "Cycler";
  }
  override repr(): string {
    return "<Cycler>";
  }
  override getattr(name: string): unknown {
    switch (name) {
      case "current":
        return this.#items[this.#pos];
      case "next":
        return pyfn("next", "", () => {
          const v = this.#items[this.#pos];
          this.#pos = (this.#pos + 1) % this.#items.length;
          return v;
        });
      case "reset":
        return pyfn("reset", "", () => {
          this.#pos = 0;
          return null;
        });
      case "items":
        return this.#items;
    }
    return undefined;
  }
}

/** `joiner(sep)`: returns '' the first time it is called, then `sep`. */
export class Joiner extends PyObject implements Callable {
  #used = false;
  constructor(readonly sep: string) {
    super();
  }
  get typeName(): string {
    return "Joiner";
  }
  override repr(): string {
    return "<Joiner>";
  }
  call(): unknown {
    if (!this.#used) {
      this.#used = true;
      return "";
    }
    return this.sep;
  }
}

/** Prints a value list the way `lipsum` needs (kept tiny: Ansible templates rarely use it). */
export function lipsum(n: number, html: boolean, min: number, max: number): string {
  const words = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt " +
    "ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco"
  ).split(" ");
  const paras: string[] = [];
  for (let p = 0; p < n; p++) {
    const count = min + Math.floor(Math.random() * (max - min + 1));
    const w: string[] = [];
    for (let i = 0; i < count; i++) w.push(words[Math.floor(Math.random() * words.length)]!);
    let text = w.join(" ");
    text = text[0]!.toUpperCase() + text.slice(1) + ".";
    paras.push(html ? `<p>${text}</p>` : text);
  }
  return paras.join(html ? "\n" : "\n\n");
}
