/**
 * PyYAML's `yaml.dump` as Ansible's `to_yaml`/`to_nice_yaml` call it (SafeDumper, sorted keys,
 * `allow_unicode`, width 80): a port of PyYAML's representer, resolver and emitter state machine
 * (without anchors and tags), so the output matches byte for byte.
 *
 * @module
 */
import { pyError } from "../error.ts";
import * as py from "../py.ts";
import { resolvePlain } from "../../yaml11.ts";

/** Options of `yaml.dump`. */
export interface DumpOptions {
  indent?: number;
  width?: number;
  /** `null`: flow style for collections of scalars only (PyYAML's default). */
  defaultFlowStyle?: boolean | null;
  sortKeys?: boolean;
  allowUnicode?: boolean;
  explicitStart?: boolean;
  explicitEnd?: boolean;
}

type Ev =
  | { t: "scalar"; value: string; implicit: [boolean, boolean]; style: string | null }
  | { t: "seq"; flow: boolean }
  | { t: "seqEnd" }
  | { t: "map"; flow: boolean }
  | { t: "mapEnd" }
  | { t: "docStart"; explicit: boolean }
  | { t: "docEnd"; explicit: boolean }
  | { t: "streamEnd" };

function scalar(value: string, tag: string): Ev {
  return {
    t: "scalar",
    value,
    implicit: [resolvePlain(value) === tag, tag === "str"],
    style: null,
  };
}

function floatValue(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  let v = py.floatRepr(n).toLowerCase();
  if (!v.includes(".") && v.includes("e")) v = v.replace("e", ".0e");
  return v;
}

function represent(v: unknown, o: DumpOptions, out: Ev[]): boolean {
  // Returns whether the node is a plain (style-less) scalar, for PyYAML's best_style.
  if (v === null) out.push(scalar("null", "null"));
  else if (typeof v === "boolean") out.push(scalar(v ? "true" : "false", "bool"));
  else if (typeof v === "number") {
    out.push(py.intLike(v) ? scalar(py.intRepr(v), "int") : scalar(floatValue(v), "float"));
  } else if (v instanceof py.PyFloat) out.push(scalar(floatValue(v.value), "float"));
  else if (typeof v === "string") out.push(scalar(v, "str"));
  else if (v instanceof py.Undefined) v.fail();
  else if (Array.isArray(v) && !py.isTuple(v)) {
    const ev: Ev = { t: "seq", flow: false };
    out.push(ev);
    let best = true;
    for (const item of v) if (!represent(item, o, out)) best = false;
    out.push({ t: "seqEnd" });
    ev.flow = o.defaultFlowStyle ?? best;
    return false;
  } else if (py.isDict(v)) {
    const ev: Ev = { t: "map", flow: false };
    out.push(ev);
    let keys = Object.keys(v);
    if (o.sortKeys !== false) keys = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let best = true;
    for (const k of keys) {
      if (!represent(k, o, out)) best = false;
      if (!represent(v[k], o, out)) best = false;
    }
    out.push({ t: "mapEnd" });
    ev.flow = o.defaultFlowStyle ?? best;
    return false;
  } else if (v instanceof py.PyObject && "isoformat" in v) {
    out.push(scalar(py.str(v), "timestamp"));
  } else {
    throw pyError("RepresenterError", `('cannot represent an object', ${py.repr(v)})`);
  }
  return true;
}

interface Analysis {
  scalar: string;
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
  allowDoubleQuoted: boolean;
  allowBlock: boolean;
}

const BREAKS = "\n\x85\u2028\u2029";
const WS0 = "\0 \t\r\n\x85\u2028\u2029";

function analyze(s: string, allowUnicode: boolean): Analysis {
  if (!s) {
    return {
      scalar: s,
      empty: true,
      multiline: false,
      allowFlowPlain: false,
      allowBlockPlain: true,
      allowSingleQuoted: true,
      allowDoubleQuoted: true,
      allowBlock: false,
    };
  }
  const cs = py.chars(s);
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) {
    blockInd = true;
    flowInd = true;
  }
  let preceded = true;
  let followed = cs.length === 1 || WS0.includes(cs[1]!);
  let prevSpace = false;
  let prevBreak = false;
  for (let i = 0; i < cs.length; i++) {
    const ch = cs[i]!;
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowInd = true;
        blockInd = true;
      }
      if ("?:".includes(ch)) {
        flowInd = true;
        if (followed) blockInd = true;
      }
      if (ch === "-" && followed) {
        flowInd = true;
        blockInd = true;
      }
    } else {
      if (",?[]{}".includes(ch)) flowInd = true;
      if (ch === ":") {
        flowInd = true;
        if (followed) blockInd = true;
      }
      if (ch === "#" && preceded) {
        flowInd = true;
        blockInd = true;
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    if (!(ch === "\n" || (cp >= 0x20 && cp <= 0x7e))) {
      if (
        (cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
          (cp >= 0x10000 && cp < 0x10ffff)) && cp !== 0xfeff
      ) {
        if (!allowUnicode) special = true;
      } else special = true;
    }
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (i === cs.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === cs.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    preceded = WS0.includes(ch);
    followed = i + 2 >= cs.length || WS0.includes(cs[i + 2]!);
  }
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  const allowDoubleQuoted = true;
  let allowBlock = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    allowFlowPlain = allowBlockPlain = false;
  }
  if (trailingSpace) allowBlock = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) {
    allowFlowPlain =
      allowBlockPlain =
      allowSingleQuoted =
      allowBlock =
        false;
  }
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowInd) allowFlowPlain = false;
  if (blockInd) allowBlockPlain = false;
  return {
    scalar: s,
    empty: false,
    multiline: lineBreaks,
    allowFlowPlain,
    allowBlockPlain,
    allowSingleQuoted,
    allowDoubleQuoted,
    allowBlock,
  };
}

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\x08": "b",
  "\x09": "t",
  "\x0A": "n",
  "\x0B": "v",
  "\x0C": "f",
  "\x0D": "r",
  "\x1B": "e",
  '"': '"',
  "\\": "\\",
  "\x85": "N",
  "\xA0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

class Emitter {
  out = "";
  events: Ev[];
  pos = 0;
  ev!: Ev;
  states: (() => void)[] = [];
  state: () => void;
  indents: (number | null)[] = [];
  indent: number | null = null;
  flowLevel = 0;
  rootContext = false;
  sequenceContext = false;
  mappingContext = false;
  simpleKeyContext = false;
  column = 0;
  whitespace = true;
  indention = true;
  openEnded = false;
  bestIndent = 2;
  bestWidth = 80;
  analysis: Analysis | null = null;
  style: string | null = null;
  allowUnicode: boolean;

  constructor(events: Ev[], o: DumpOptions) {
    this.events = events;
    if (o.indent && o.indent > 1 && o.indent < 10) this.bestIndent = o.indent;
    if (o.width && o.width > this.bestIndent * 2) this.bestWidth = o.width;
    this.allowUnicode = o.allowUnicode ?? true;
    this.state = () => this.expectDocumentStart(true);
  }

  run(): string {
    while (this.pos < this.events.length) {
      this.ev = this.events[this.pos++]!;
      this.state();
    }
    return this.out;
  }

  next(): Ev | undefined {
    return this.events[this.pos];
  }

  write(s: string): void {
    this.out += s;
  }

  increaseIndent(flow = false, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  popState(): void {
    this.state = this.states.pop()!;
  }

  expectDocumentStart(first: boolean): void {
    const ev = this.ev;
    if (ev.t === "docStart") {
      const implicit = first && !ev.explicit && !this.checkEmptyDocument();
      if (!implicit) {
        this.writeIndent();
        this.writeIndicator("---", true);
      }
      this.state = () => this.expectDocumentRoot();
    } else if (ev.t === "streamEnd") {
      // libyaml (Ansible uses CSafeDumper) does not close an open-ended plain scalar with "...".
      this.state = () => {};
    }
  }

  expectDocumentEnd(): void {
    const ev = this.ev;
    if (ev.t !== "docEnd") return;
    this.writeIndent();
    if (ev.explicit) {
      this.writeIndicator("...", true);
      this.writeIndent();
    }
    this.state = () => this.expectDocumentStart(false);
  }

  expectDocumentRoot(): void {
    this.states.push(() => this.expectDocumentEnd());
    this.expectNode(true);
  }

  expectNode(root = false, sequence = false, mapping = false, simpleKey = false): void {
    this.rootContext = root;
    this.sequenceContext = sequence;
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    const ev = this.ev;
    if (ev.t === "scalar") {
      this.processTag();
      this.expectScalar();
    } else if (ev.t === "seq") {
      if (this.flowLevel || ev.flow || this.checkEmptySequence()) {
        this.expectFlowCollection("[", (first) => this.expectFlowSequenceItem(first));
      } else this.expectBlockSequence();
    } else if (ev.t === "map") {
      if (this.flowLevel || ev.flow || this.checkEmptyMapping()) {
        this.expectFlowCollection("{", (first) => this.expectFlowMappingKey(first));
      } else this.expectBlockMapping();
    }
  }

  expectScalar(): void {
    this.increaseIndent(true);
    this.processScalar();
    this.popIndent();
    this.popState();
  }

  /** PyYAML's expect_flow_sequence and expect_flow_mapping: `[` or `{`, then `item(true)`. */
  expectFlowCollection(indicator: "[" | "{", item: (first: boolean) => void): void {
    this.writeIndicator(indicator, true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    this.state = () => item(true);
  }

  /** At a flow item: false after closing the collection at its end event, else `,` if needed. */
  flowItem(first: boolean, end: "seqEnd" | "mapEnd", indicator: "]" | "}"): boolean {
    if (this.ev.t === end) {
      this.popIndent();
      this.flowLevel--;
      this.writeIndicator(indicator, false);
      this.popState();
      return false;
    }
    if (!first) this.writeIndicator(",", false);
    if (this.column > this.bestWidth) this.writeIndent();
    return true;
  }

  expectFlowSequenceItem(first: boolean): void {
    if (!this.flowItem(first, "seqEnd", "]")) return;
    this.states.push(() => this.expectFlowSequenceItem(false));
    this.expectNode(false, true);
  }

  expectFlowMappingKey(first: boolean): void {
    if (!this.flowItem(first, "mapEnd", "}")) return;
    if (this.checkSimpleKey()) {
      this.states.push(() => this.expectMappingSimpleValue((f) => this.expectFlowMappingKey(f)));
      this.expectNode(false, false, true, true);
    } else {
      this.writeIndicator("?", true);
      this.states.push(() => this.expectFlowMappingValue());
      this.expectNode(false, false, true);
    }
  }

  /** The value after a simple key, flow or block; `key` expects the next key. */
  expectMappingSimpleValue(key: (first: boolean) => void): void {
    this.writeIndicator(":", false);
    this.states.push(() => key(false));
    this.expectNode(false, false, true);
  }

  expectFlowMappingValue(): void {
    if (this.column > this.bestWidth) this.writeIndent();
    this.writeIndicator(":", true);
    this.states.push(() => this.expectFlowMappingKey(false));
    this.expectNode(false, false, true);
  }

  expectBlockSequence(): void {
    const indentless = this.mappingContext && !this.indention;
    this.increaseIndent(false, indentless);
    this.state = () => this.expectBlockSequenceItem(true);
  }

  /** At a block item: true after closing the collection at its end event. */
  blockEnd(first: boolean, end: "seqEnd" | "mapEnd"): boolean {
    if (first || this.ev.t !== end) return false;
    this.popIndent();
    this.popState();
    return true;
  }

  expectBlockSequenceItem(first: boolean): void {
    if (this.blockEnd(first, "seqEnd")) return;
    this.writeIndent();
    this.writeIndicator("-", true, false, true);
    this.states.push(() => this.expectBlockSequenceItem(false));
    this.expectNode(false, true);
  }

  expectBlockMapping(): void {
    this.increaseIndent(false);
    this.state = () => this.expectBlockMappingKey(true);
  }

  expectBlockMappingKey(first: boolean): void {
    if (this.blockEnd(first, "mapEnd")) return;
    this.writeIndent();
    if (this.checkSimpleKey()) {
      this.states.push(() => this.expectMappingSimpleValue((f) => this.expectBlockMappingKey(f)));
      this.expectNode(false, false, true, true);
    } else {
      this.writeIndicator("?", true, false, true);
      this.states.push(() => this.expectBlockMappingValue());
      this.expectNode(false, false, true);
    }
  }

  expectBlockMappingValue(): void {
    this.writeIndent();
    this.writeIndicator(":", true, false, true);
    this.states.push(() => this.expectBlockMappingKey(false));
    this.expectNode(false, false, true);
  }

  checkEmptySequence(): boolean {
    return this.ev.t === "seq" && this.next()?.t === "seqEnd";
  }
  checkEmptyMapping(): boolean {
    return this.ev.t === "map" && this.next()?.t === "mapEnd";
  }
  checkEmptyDocument(): boolean {
    const n = this.next();
    return this.ev.t === "docStart" && n?.t === "scalar" && n.implicit[0] && n.value === "";
  }

  /** libyaml's rule: a single-line scalar of at most 128 bytes, or an empty collection. */
  checkSimpleKey(): boolean {
    const ev = this.ev;
    if (ev.t === "scalar") {
      this.analysis ??= analyze(ev.value, this.allowUnicode);
      if (this.analysis.multiline) return false;
      return new TextEncoder().encode(this.analysis.scalar).length <= 128;
    }
    return this.checkEmptySequence() || this.checkEmptyMapping();
  }

  processTag(): void {
    const ev = this.ev;
    if (ev.t !== "scalar") return;
    this.style ??= this.chooseScalarStyle();
    if ((this.style === "" && ev.implicit[0]) || (this.style !== "" && ev.implicit[1])) return;
    // Non-str scalars that cannot be plain would need a tag; SafeDumper never produces them.
    throw pyError("EmitterError", "tag is not specified");
  }

  /** libyaml's `yaml_emitter_choose_scalar_style` (Ansible dumps with CSafeDumper). */
  chooseScalarStyle(): string {
    const ev = this.ev as Extract<Ev, { t: "scalar" }>;
    const a = (this.analysis ??= analyze(ev.value, this.allowUnicode));
    let style = ev.style ?? "";
    if (style === "") {
      if ((this.flowLevel && !a.allowFlowPlain) || (!this.flowLevel && !a.allowBlockPlain)) {
        style = "'";
      }
      if (!a.scalar.length && (this.flowLevel || this.simpleKeyContext)) style = "'";
      if (!ev.implicit[0]) style = "'";
    }
    if (style === "'" && !a.allowSingleQuoted) style = '"';
    return style;
  }

  processScalar(): void {
    const ev = this.ev as Extract<Ev, { t: "scalar" }>;
    this.analysis ??= analyze(ev.value, this.allowUnicode);
    this.style ??= this.chooseScalarStyle();
    const split = !this.simpleKeyContext;
    const text = this.analysis.scalar;
    if (this.style === '"') this.writeDoubleQuoted(text, split);
    else if (this.style === "'") this.writeSingleQuoted(text, split);
    else this.writePlain(text, split);
    this.analysis = null;
    this.style = null;
  }

  writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
  ): void {
    const data = this.whitespace || !needWhitespace ? indicator : " " + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.column += data.length;
    this.openEnded = false;
    this.write(data);
  }

  writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write(" ".repeat(indent - this.column));
      this.column = indent;
    }
  }

  writeLineBreak(data = "\n"): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.write(data);
  }

  /** Writes `text[start..end)` (one column a character). */
  writeChars(text: string[], start: number, end: number): void {
    this.column += end - start;
    this.write(text.slice(start, end).join(""));
  }

  writeSingleQuoted(textIn: string, split: boolean): void {
    const text = py.chars(textIn);
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch === null || ch !== " ") {
          if (
            start + 1 === end && this.column > this.bestWidth && split && start !== 0 &&
            end !== text.length
          ) {
            this.writeIndent();
          } else {
            this.writeChars(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br === "\n" ? "\n" : br);
          this.writeIndent();
          start = end;
        }
      } else {
        if (ch === null || (" " + BREAKS).includes(ch) || ch === "'") {
          if (start < end) {
            this.writeChars(text, start, end);
            start = end;
          }
        }
      }
      if (ch === "'") {
        this.column += 2;
        this.write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
      end++;
    }
    this.writeIndicator("'", false);
  }

  writeDoubleQuoted(textIn: string, split: boolean): void {
    const text = py.chars(textIn);
    this.writeIndicator('"', true);
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end]! : null;
      const cp = ch === null ? 0 : ch.codePointAt(0)!;
      if (
        ch === null || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) ||
        !((cp >= 0x20 && cp <= 0x7e) ||
          (this.allowUnicode && ((cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd))))
      ) {
        if (start < end) {
          this.writeChars(text, start, end);
          start = end;
        }
        if (ch !== null) {
          let data: string;
          if (ch in ESCAPES) data = "\\" + ESCAPES[ch];
          else if (cp <= 0xff) data = "\\x" + cp.toString(16).toUpperCase().padStart(2, "0");
          else if (cp <= 0xffff) data = "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
          else data = "\\U" + cp.toString(16).toUpperCase().padStart(8, "0");
          this.column += data.length;
          this.write(data);
          start = end + 1;
        }
      }
      if (
        end > 0 && end < text.length - 1 && (ch === " " || start >= end) &&
        this.column + (end - start) > this.bestWidth && split
      ) {
        const data = text.slice(start, end).join("") + "\\";
        if (start < end) start = end;
        this.column += data.length;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === " ") {
          this.column += 1;
          this.write("\\");
        }
      }
      end++;
    }
    this.writeIndicator('"', false);
  }

  writePlain(textIn: string, split: boolean): void {
    if (this.rootContext) this.openEnded = true;
    if (!textIn) return;
    const text = py.chars(textIn);
    if (!this.whitespace) {
      this.column += 1;
      this.write(" ");
    }
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    let end = 0;
    while (end <= text.length) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.writeChars(text, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === "\n") this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else {
        if (ch === null || (" " + BREAKS).includes(ch)) {
          this.writeChars(text, start, end);
          start = end;
        }
      }
      if (ch !== null) {
        spaces = ch === " ";
        breaks = BREAKS.includes(ch);
      }
      end++;
    }
  }
}

/** `yaml.dump(value, Dumper=SafeDumper, **options)`. */
export function yamlDump(value: unknown, o: DumpOptions = {}): string {
  return yamlDumpAll([value], o);
}

/** `yaml.dump_all(values, ...)`. */
export function yamlDumpAll(values: unknown[], o: DumpOptions = {}): string {
  const events: Ev[] = [];
  for (const v of values) {
    events.push({ t: "docStart", explicit: Boolean(o.explicitStart) });
    represent(v, o, events);
    events.push({ t: "docEnd", explicit: Boolean(o.explicitEnd) });
  }
  events.push({ t: "streamEnd" });
  return new Emitter(events, o).run();
}
