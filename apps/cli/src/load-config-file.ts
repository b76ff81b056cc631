import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ConfigError, formatLocation, LlminitError, type SourceLocation } from "@llminit/core";
import { isMap, isScalar, parseDocument } from "yaml";

/** A config file's options, with the line of each top-level key for errors. */
export interface ConfigFile {
  values: Record<string, unknown>;
  lines: Record<string, number>;
}

/**
 * A config file that cannot be read as options (syntax, binary, wrong shape). It is configuration, not data:
 * code E_CONFIG (exit status 2, like a bad key in the same file), and the message starts with `file:line:`.
 */
export class ConfigFileError extends LlminitError {
  readonly file: string;
  readonly line?: number;
  constructor(location: SourceLocation & { file: string }, reason: string, options?: { cause?: unknown }) {
    super("E_CONFIG", `${formatLocation(location)}: ${reason}`, options);
    this.file = location.file;
    this.line = location.line;
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** Lines of the top-level keys of a JSON object: the first line that opens with `"key":`. */
function jsonKeyLines(text: string, keys: readonly string[]): Record<string, number> {
  const lines = text.split("\n");
  const found: Record<string, number> = {};
  for (const key of keys) {
    const pattern = `${JSON.stringify(key)}`;
    const index = lines.findIndex((line) => {
      const at = line.indexOf(pattern);
      return at >= 0 && /^\s*:/.test(line.slice(at + pattern.length));
    });
    if (index >= 0) found[key] = index + 1;
  }
  return found;
}

/**
 * Reads a YAML or JSON config file into a flat object of run options, and the line of each key.
 * Syntax errors name the file and line; a non-object top level names the file.
 */
export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (error as Error).message;
    throw new ConfigError("--config", `cannot read ${path}: ${reason}`, { cause: error });
  }
  if (bytes.includes(0)) throw new ConfigFileError({ file: path }, "a binary file, not a YAML or JSON config file");
  const text = bytes.toString("utf8");
  let value: unknown;
  let lines: Record<string, number> = {};
  if (extname(path).toLowerCase() === ".json") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      const line = position === null ? undefined : lineAt(text, Number(position[1]));
      throw new ConfigFileError({ file: path, line }, `invalid JSON: ${message}`, { cause: error });
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      lines = jsonKeyLines(text, Object.keys(value));
  } else {
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
      const first = document.errors[0];
      throw new ConfigFileError(
        { file: path, line: lineAt(text, first.pos[0]) },
        `invalid YAML: ${first.message.split("\n")[0]}`,
      );
    }
    value = document.toJS();
    if (isMap(document.contents)) {
      for (const pair of document.contents.items) {
        if (isScalar(pair.key) && pair.key.range !== undefined && pair.key.range !== null)
          lines[String(pair.key.value)] = lineAt(text, pair.key.range[0]);
      }
    }
  }
  if (value === null || value === undefined) return { values: {}, lines: {} };
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigFileError({ file: path }, "the top level must be a mapping of option names to values");
  }
  return { values: value as Record<string, unknown>, lines };
}
