import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ConfigError, DataFormatError } from "@llminit/core";
import { parseDocument } from "yaml";

/**
 * Reads a YAML or JSON config file into a flat object of run options. Syntax errors name the
 * file and line; a non-object top level names the file.
 */
export async function loadConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError("config", `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  if (extname(path).toLowerCase() === ".json") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      const line = position === null ? undefined : text.slice(0, Number(position[1])).split("\n").length;
      throw new DataFormatError({ file: path, line }, `invalid JSON: ${message}`, { cause: error });
    }
  } else {
    const document = parseDocument(text, { prettyErrors: false });
    if (document.errors.length > 0) {
      const first = document.errors[0];
      const line = text.slice(0, first.pos[0]).split("\n").length;
      throw new DataFormatError({ file: path, line }, `invalid YAML: ${first.message.split("\n")[0]}`);
    }
    value = document.toJS();
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new DataFormatError({ file: path }, "the top level must be a mapping of option names to values");
  }
  return value as Record<string, unknown>;
}
