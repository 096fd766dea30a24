/**
 * Python string formatting: printf-style `'%s-%05.1f' % (a, b)` (and Jinja's `format` filter)
 * and `str.format()` with the format-spec mini-language (`'{:>10}'`, `'{0[key]}'`, `'{:,.2f}'`).
 *
 * @module
 */
import { pyError } from "./error.ts";
import {
  chars,
  defined,
  floatRepr,
  isDict,
  isFloat,
  isInt,
  isTuple,
  len,
  num,
  PyFloat,
  repr,
  str,
  typeName,
} from "./py.ts";
import type { Kw } from "./signature.ts";

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

function group(intDigits: string, sep: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

function expFix(s: string): string {
  // JS "1.5e+0" -> Python "1.5e+00"
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function fmtG(x: number, precision: number, alt: boolean, upper: boolean): string {
  if (!Number.isFinite(x)) return nonFinite(x, upper);
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return alt ? `0.${"0".repeat(p - 1)}` : Object.is(x, -0) ? "-0" : "0";
  const exp = parseInt(x.toExponential(p - 1).split("e")[1]!, 10);
  let out: string;
  if (exp >= -4 && exp < p) {
    out = x.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && out.includes(".")) out = out.replace(/\.?0+$/, "");
  } else {
    out = expFix(x.toExponential(p - 1));
    if (!alt) out = out.replace(/\.?0+e/, "e");
  }
  return upper ? out.toUpperCase() : out;
}

function nonFinite(x: number, upper: boolean): string {
  const s = Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  return upper ? s.toUpperCase() : s;
}

/** Formats a number for a spec type (d, x, o, b, c, e, f, g, %, n or none). */
function formatNumber(value: unknown, spec: Spec, printf: boolean): string {
  const t = spec.type;
  let x = num(value);
  if (x === null) {
    throw pyError(
      "TypeError",
      printf
        ? `%${t} format: a${"xXoc".includes(t) ? "n integer" : " real number"} is required, not ${
          typeName(value)
        }`
        : `Unknown format code '${t}' for object of type '${typeName(value)}'`,
    );
  }
  let body: string;
  let prefix = "";
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  switch (t) {
    case "d":
    case "i":
    case "u":
    case "n":
    case "":
      if (t === "" && isFloat(value)) {
        body = spec.precision === undefined
          ? floatRepr(ax)
          : fmtG(ax, spec.precision, spec.alt, false);
      } else {
        if (!printf && isFloat(value) && t !== "") {
          throw pyError("ValueError", `Unknown format code '${t}' for object of type 'float'`);
        }
        body = String(Math.trunc(ax));
      }
      break;
    case "x":
    case "X":
    case "o":
    case "b":
      if (isFloat(value)) {
        throw pyError(
          "TypeError",
          printf
            ? `%${t} format: an integer is required, not float`
            : `Unknown format code '${t}' for object of type 'float'`,
        );
      }
      body = Math.trunc(ax).toString(t === "o" ? 8 : t === "b" ? 2 : 16);
      if (t === "X") body = body.toUpperCase();
      if (spec.alt) {
        prefix = t === "o" ? (printf ? "0o" : "0o") : t === "b" ? "0b" : t === "X" ? "0X" : "0x";
      }
      break;
    case "c":
      return String.fromCodePoint(Math.trunc(x));
    case "e":
    case "E":
      body = Number.isFinite(ax)
        ? expFix(ax.toExponential(spec.precision ?? 6))
        : nonFinite(ax, t === "E");
      if (t === "E") body = body.toUpperCase();
      break;
    case "f":
    case "F":
      body = Number.isFinite(ax) ? ax.toFixed(spec.precision ?? 6) : nonFinite(ax, t === "F");
      if (spec.alt && !body.includes(".")) body += ".";
      break;
    case "g":
    case "G":
      body = fmtG(ax, spec.precision ?? 6, spec.alt, t === "G");
      break;
    case "%":
      body = (ax * 100).toFixed(spec.precision ?? 6) + "%";
      break;
    default:
      throw pyError("ValueError", `unsupported format character '${t}'`);
  }
  x = neg ? -1 : 1;
  if (spec.grouping) {
    const [i, f] = body.split(".") as [string, string | undefined];
    body = group(i, spec.grouping) + (f !== undefined ? `.${f}` : "");
  }
  const sign = neg ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  const head = sign + prefix;
  if (spec.zero && !spec.align) {
    const padLen = spec.width - head.length - body.length;
    return head + (padLen > 0 ? "0".repeat(padLen) : "") + body;
  }
  return pad(head + body, spec, "right");
}

function pad(s: string, spec: Spec, dflt: string): string {
  const n = len(s);
  if (spec.width <= n) return s;
  const fill = spec.fill || " ";
  const gap = spec.width - n;
  const align = spec.align || (dflt === "right" ? ">" : "<");
  if (align === "<") return s + fill.repeat(gap);
  if (align === ">") return fill.repeat(gap) + s;
  if (align === "^") {
    const left = Math.floor(gap / 2);
    return fill.repeat(left) + s + fill.repeat(gap - left);
  }
  // "=": padding after the sign
  const m = /^([+\- ]?(?:0[xob])?)(.*)$/i.exec(s)!;
  return m[1] + fill.repeat(gap) + m[2];
}

// ---------------------------------------------------------------------------------------------
// printf

const PRINTF = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** Python's `format % args`. */
export function printf(format: string, args: unknown): string {
  defined(args);
  const mapping = isDict(args) ? args : null;
  const list = isTuple(args) ? args : [args];
  let i = 0;
  let usedMapping = false;
  const next = (): unknown => {
    if (i >= list.length) throw pyError("TypeError", "not enough arguments for format string");
    return list[i++];
  };
  const out = format.replace(
    PRINTF,
    (_m, key: string | undefined, flags: string, width?: string, prec?: string, type?: string) => {
      if (type === "%") return "%";
      let value: unknown;
      if (key !== undefined) {
        if (!mapping) throw pyError("TypeError", "format requires a mapping");
        if (!Object.hasOwn(mapping, key)) throw pyError("KeyError", repr(key));
        value = mapping[key];
        usedMapping = true;
      }
      const w = width === "*" ? Number(next()) : width ? parseInt(width, 10) : 0;
      const p = prec === "*" ? Number(next()) : prec !== undefined ? parseInt(prec, 10) : undefined;
      if (key === undefined) value = next();
      const spec: Spec = {
        fill: " ",
        align: flags.includes("-") ? "<" : "",
        sign: flags.includes("+") ? "+" : flags.includes(" ") ? " " : "",
        alt: flags.includes("#"),
        zero: flags.includes("0") && !flags.includes("-"),
        width: w,
        grouping: "",
        precision: p,
        type: type!,
      };
      if (type === "s" || type === "r" || type === "a") {
        let s = type === "s" ? str(value) : repr(value);
        if (p !== undefined) s = chars(s).slice(0, p).join("");
        return pad(s, { ...spec, zero: false }, "right");
      }
      if (type === "c") {
        const c = typeof value === "string" ? value : formatNumber(value, spec, true);
        return pad(c, { ...spec, zero: false }, "right");
      }
      if (!spec.align) spec.align = spec.zero ? "" : ">";
      return formatNumber(value, spec, true);
    },
  );
  if (!mapping && i < list.length && !usedMapping) {
    throw pyError("TypeError", "not all arguments converted during string formatting");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// str.format

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([_,])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** Applies a format spec (`>10`, `,.2f`...) to a value, as Python's `format(value, spec)`. */
export function formatSpec(value: unknown, specText: string): string {
  const m = SPEC.exec(specText);
  if (!m) throw pyError("ValueError", `Invalid format specifier '${specText}'`);
  const spec: Spec = {
    fill: m[1] ?? (m[5] && !m[2] ? "0" : " "),
    align: m[2] ?? "",
    sign: m[3] ?? "",
    alt: !!m[4],
    zero: !!m[5] && !m[2],
    width: m[6] ? parseInt(m[6], 10) : 0,
    grouping: m[7] ?? "",
    precision: m[8] !== undefined ? parseInt(m[8], 10) : undefined,
    type: m[9] ?? "",
  };
  if (typeof value === "string" || (num(value) === null && !(value instanceof PyFloat))) {
    if (spec.type && spec.type !== "s") {
      throw pyError(
        "ValueError",
        `Unknown format code '${spec.type}' for object of type '${typeName(value)}'`,
      );
    }
    let s = str(value);
    if (spec.precision !== undefined) s = chars(s).slice(0, spec.precision).join("");
    return pad(s, spec, "left");
  }
  if (typeof value === "boolean" && !spec.type) return pad(str(value), spec, "left");
  if (spec.type === "s") {
    throw pyError("ValueError", `Unknown format code 's' for object of type '${typeName(value)}'`);
  }
  if (!spec.type && isInt(value)) spec.type = "d";
  return formatNumber(value, spec, false);
}

/** Python's `str.format(*args, **kwargs)`. */
export function strFormat(
  format: string,
  args: unknown[],
  kw: Kw,
  getattr: (obj: unknown, name: string) => unknown,
  getitem: (obj: unknown, key: unknown) => unknown,
): string {
  let auto = 0;
  let out = "";
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch === "{") {
      if (format[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      while (j < format.length && depth > 0) {
        if (format[j] === "{") depth++;
        else if (format[j] === "}") depth--;
        j++;
      }
      if (depth > 0) throw pyError("ValueError", "expected '}' before end of string");
      const field = format.slice(i + 1, j - 1);
      out += replaceField(field);
      i = j;
    } else if (ch === "}") {
      if (format[i + 1] !== "}") {
        throw pyError("ValueError", "Single '}' encountered in format string");
      }
      out += "}";
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;

  function replaceField(field: string): string {
    let conv = "";
    let spec = "";
    let name = field;
    const colon = field.indexOf(":");
    if (colon >= 0) {
      spec = field.slice(colon + 1);
      name = field.slice(0, colon);
    }
    const bang = name.indexOf("!");
    if (bang >= 0) {
      conv = name.slice(bang + 1);
      name = name.slice(0, bang);
    }
    if (spec.includes("{")) spec = strFormat(spec, args, kw, getattr, getitem);
    const m = /^([^.[]*)(.*)$/s.exec(name)!;
    const first = m[1]!;
    let value: unknown;
    if (first === "") {
      if (auto >= args.length) {
        throw pyError(
          "IndexError",
          "Replacement index " + auto + " out of range for positional args tuple",
        );
      }
      value = args[auto++];
    } else if (/^\d+$/.test(first)) {
      const idx = parseInt(first, 10);
      if (idx >= args.length) {
        throw pyError(
          "IndexError",
          `Replacement index ${idx} out of range for positional args tuple`,
        );
      }
      value = args[idx];
    } else {
      if (!Object.hasOwn(kw, first)) throw pyError("KeyError", repr(first));
      value = kw[first];
    }
    const re = /\.([^.[]+)|\[([^\]]+)\]/g;
    let mm: RegExpExecArray | null;
    while ((mm = re.exec(m[2]!))) {
      if (mm[1] !== undefined) value = getattr(value, mm[1]);
      else value = getitem(value, /^\d+$/.test(mm[2]!) ? parseInt(mm[2]!, 10) : mm[2]);
    }
    defined(value);
    if (conv === "r" || conv === "a") value = repr(value);
    else if (conv === "s") value = str(value);
    return formatSpec(value, spec);
  }
}
