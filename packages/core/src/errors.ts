/**
 * Typed errors. Every error a user can cause names where it happened: the file, line and
 * field for bad input, the option or config key for bad configuration.
 */

/** Base class of every error llminit throws on purpose. `code` is stable for scripts. */
export class LlminitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Where in an input file a problem was found. Any part may be unknown. */
export interface SourceLocation {
  file?: string;
  /** 1-based line number (the header is line 1). */
  line?: number;
  field?: string;
}

export function formatLocation(location: SourceLocation): string {
  let text = location.file ?? "<input>";
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.field !== undefined) text += ` field "${location.field}"`;
  return text;
}

/** Malformed or inconsistent input data. The message starts with `file:line field "x":`. */
export class DataFormatError extends LlminitError {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly reason: string;
  constructor(location: SourceLocation, reason: string, options?: { cause?: unknown }) {
    super("E_DATA_FORMAT", `${formatLocation(location)}: ${reason}`, options);
    this.file = location.file;
    this.line = location.line;
    this.field = location.field;
    this.reason = reason;
  }
}

/** An invalid option or configuration value; `key` is the option name or dotted config path. */
export class ConfigError extends LlminitError {
  readonly key: string;
  constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super("E_CONFIG", `option "${key}": ${reason}`, options);
    this.key = key;
  }
}

/**
 * Something the run needs is not present here: a model file, a dataset, an optional backend.
 * `hint` says how to make it available (where to put the file, what to install).
 */
export class NotAvailableError extends LlminitError {
  readonly what: string;
  readonly hint: string;
  constructor(what: string, reason: string, hint: string, options?: { cause?: unknown }) {
    super("E_NOT_AVAILABLE", `${what}: ${reason}. ${hint}`, options);
    this.what = what;
    this.hint = hint;
  }
}

/** Arguments that break a function's documented contract (shape mismatch, out of range). */
export class ShapeError extends LlminitError {
  constructor(message: string) {
    super("E_SHAPE", message);
  }
}
