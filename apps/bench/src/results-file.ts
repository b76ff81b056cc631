import { existsSync } from "node:fs";
import { appendFile, readFile, truncate } from "node:fs/promises";
import { DataFormatError, type Logger } from "@llminit/core";
import type { CellRecord } from "./types.js";

const REQUIRED_STRINGS = ["id", "experiment", "dataset", "model", "init", "setting", "status"] as const;

/**
 * Reads `results.jsonl`: one CellRecord per line (a missing file is an empty list). A last line
 * without its newline that does not parse is an interrupted write: it is reported and cut off
 * (`repair: true`) or ignored; any other bad line is a DataFormatError naming file, line and field.
 */
export async function readResults(
  path: string,
  options: { logger?: Logger; repair?: boolean } = {},
): Promise<CellRecord[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, "utf8");
  const lines = text.split("\n");
  const records: CellRecord[] = [];
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const lineStart = offset;
    offset += Buffer.byteLength(line, "utf8") + 1;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const isPartialTail = i === lines.length - 1 && !text.endsWith("\n");
      if (isPartialTail) {
        options.logger?.log("warn", "results.jsonl ends in a partial line (interrupted write); dropped 1 line", {
          file: path,
          line: i + 1,
        });
        if (options.repair) await truncate(path, lineStart);
        break;
      }
      throw new DataFormatError({ file: path, line: i + 1 }, `not JSON: ${(error as Error).message}`);
    }
    records.push(checkRecord(value, path, i + 1));
  }
  return records;
}

function checkRecord(value: unknown, file: string, line: number): CellRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new DataFormatError({ file, line }, "expected a JSON object");
  const record = value as Record<string, unknown>;
  for (const field of REQUIRED_STRINGS) {
    if (typeof record[field] !== "string")
      throw new DataFormatError({ file, line, field }, `expected a string, got ${JSON.stringify(record[field])}`);
  }
  if (record.status !== "ok" && record.status !== "failed")
    throw new DataFormatError(
      { file, line, field: "status" },
      `expected "ok" or "failed", got ${JSON.stringify(record.status)}`,
    );
  if (record.setting !== "full" && record.setting !== "sparse")
    throw new DataFormatError(
      { file, line, field: "setting" },
      `expected "full" or "sparse", got ${JSON.stringify(record.setting)}`,
    );
  for (const field of ["seed", "dim"]) {
    if (typeof record[field] !== "number")
      throw new DataFormatError({ file, line, field }, `expected a number, got ${JSON.stringify(record[field])}`);
  }
  if (record.status === "ok" && (typeof record.test !== "object" || record.test === null)) {
    throw new DataFormatError({ file, line, field: "test" }, "an ok cell needs its test metrics");
  }
  return record as unknown as CellRecord;
}

/** Appends one record as one line (the line is complete on disk before the next cell starts). */
export async function appendResult(path: string, record: CellRecord): Promise<void> {
  await appendFile(path, `${JSON.stringify(record)}\n`);
}

/** The latest record of each cell id (a rerun of a failed cell supersedes it), in the order those were written. */
export function latestById(records: readonly CellRecord[]): CellRecord[] {
  const byId = new Map<string, CellRecord>();
  for (const record of records) {
    byId.delete(record.id);
    byId.set(record.id, record);
  }
  return [...byId.values()];
}
