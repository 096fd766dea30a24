/**
 * The one error type of the template engine: syntax errors, undefined variables and failures
 * inside filters, tests and lookups, located at the template name, line and column.
 *
 * @module
 */

/** A template failed to compile or render. `message` is located: `name:line:col: reason`. */
export class TemplateError extends Error {
  /** The template's name (file path, or `<string>`). */
  templateName?: string;
  /** 1-based line of the failing construct. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** The undefined variable, for undefined-variable errors. */
  variable?: string;
  /** The unlocated reason, e.g. `'foo' is undefined`. */
  reason: string;
  /** Python-like kind: UndefinedError, TypeError, ValueError, FilterError, SyntaxError, ... */
  kind: string;

  /** An error with its unlocated reason; `locate()` or the options add the position. */
  constructor(
    reason: string,
    options: {
      kind?: string;
      variable?: string;
      templateName?: string;
      line?: number;
      column?: number;
    } = {},
  ) {
    super(reason);
    this.name = "TemplateError";
    this.reason = reason;
    this.kind = options.kind ?? "TemplateError";
    if (options.variable !== undefined) this.variable = options.variable;
    if (options.templateName !== undefined || options.line !== undefined) {
      this.locate(options.templateName, options.line, options.column);
    }
  }

  /** Whether a line has been attached. */
  get located(): boolean {
    return this.line !== undefined;
  }

  /** Attaches a location once (the innermost template wins) and rebuilds the message. */
  locate(templateName: string | undefined, line: number | undefined, column?: number): this {
    if (this.located) return this;
    if (templateName !== undefined) this.templateName = templateName;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
    let where = this.templateName ?? "<template>";
    if (this.line !== undefined) where += `:${this.line}`;
    if (this.column !== undefined) where += `:${this.column}`;
    this.message = `${where}: ${this.reason}`;
    return this;
  }
}

/** Shorthand for a Python-style runtime error. */
export function pyError(kind: string, reason: string): TemplateError {
  return new TemplateError(reason, { kind });
}
