import { silentLogger } from "@llminit/core";
import type { Logger, ProgressReporter } from "@llminit/core";

/**
 * A problem in the data that did not stop the read: missing values, invalid UTF-8 in text, blank lines, a dataset
 * without the rating column… Each kind is reported once per file and field, with a count and the first line.
 */
export interface DataIssue {
  /** "warn": the data was changed or partly ignored; "info": worth knowing, changes nothing. */
  level: "info" | "warn";
  /**
   * Stable name for scripts: `missing-value`, `invalid-utf8`, `empty-id`, `blank-lines`, `repeated-metadata`,
   * `no-rating-column`, `missing-timestamp`, `template-field`, `short-history`.
   */
  kind: string;
  file?: string;
  /** The first line (1-based, header = 1) where it was seen. */
  line?: number;
  field?: string;
  /** How many rows, lines or items. */
  count: number;
  /** One line, self-contained. */
  message: string;
}

/** How a reader uses a column: the parts of an interaction, item text, or nothing (then it is not parsed). */
export type ColumnUse = "user" | "item" | "rating" | "timestamp" | "text" | "unused";

/** A column a reader found, with its declared (or observed) type and what the run uses it for. */
export interface ColumnSummary {
  name: string;
  /** Atomic-file type (`token`, `float`, …), a JSON type (`string`, `number`, …) or `text` for plain files. */
  type: string;
  use: ColumnUse;
}

/** What a reader found in one file, reported when its header (or first record) is read. */
export interface FileSummary {
  file: string;
  /** "atomic", "delimited", "json-lines", "movielens u.item", "movielens movies.dat". */
  format: string;
  columns: ColumnSummary[];
}

/** Options shared by the streaming readers. */
export interface ReadOptions {
  logger?: Logger;
  progress?: ProgressReporter;
  /** Called for every {@link DataIssue}, besides the log line. */
  onIssue?: (issue: DataIssue) => void;
  /** Called once per file with the columns found. */
  onFile?: (summary: FileSummary) => void;
}

/** Logs an issue as one line and hands it to `onIssue`. */
export function reportIssue(options: Pick<ReadOptions, "logger" | "onIssue">, issue: DataIssue): void {
  const fields: Record<string, unknown> = { kind: issue.kind, count: issue.count };
  if (issue.file !== undefined) fields.file = issue.file;
  if (issue.line !== undefined) fields.line = issue.line;
  if (issue.field !== undefined) fields.field = issue.field;
  (options.logger ?? silentLogger).log(issue.level, issue.message, fields);
  options.onIssue?.(issue);
}

/** Counts occurrences per field with the first line, for one issue per field at the end of a read. */
export class IssueTally {
  private readonly counts = new Map<string, { count: number; line: number }>();

  add(field: string, line: number): void {
    const entry = this.counts.get(field);
    if (entry === undefined) this.counts.set(field, { count: 1, line });
    else entry.count++;
  }

  get size(): number {
    return this.counts.size;
  }

  entries(): Array<{ field: string; count: number; line: number }> {
    return [...this.counts].map(([field, { count, line }]) => ({ field, count, line }));
  }
}

/** One `missing-value` warning per field of `tally`: how many rows had no value there, and the first line. */
export function reportMissingValues(options: Pick<ReadOptions, "logger" | "onIssue">, file: string, tally: IssueTally) {
  for (const { field, count, line } of tally.entries()) {
    reportIssue(options, {
      level: "warn",
      kind: "missing-value",
      file,
      line,
      field,
      count,
      message: `${file}: ${count} row(s) with no "${field}" value, read as missing (first at line ${line})`,
    });
  }
}

/** Lines whose text fields held invalid UTF-8 (replaced by U+FFFD), for one warning per file. */
export class InvalidTextTally {
  private lines = 0;
  private first = 0;
  private last = 0;
  private readonly fields = new Set<string>();

  add(field: string, line: number): void {
    this.fields.add(field);
    if (line === this.last) return;
    if (this.lines++ === 0) this.first = line;
    this.last = line;
  }

  /** One `invalid-utf8` warning naming the fields, the number of lines and the first one; nothing when clean. */
  report(options: Pick<ReadOptions, "logger" | "onIssue">, file: string): void {
    if (this.lines === 0) return;
    const fields = [...this.fields].join(", ");
    reportIssue(options, {
      level: "warn",
      kind: "invalid-utf8",
      file,
      line: this.first,
      field: fields,
      count: this.lines,
      message:
        `${file}: ${this.lines} line(s) with bytes that are not UTF-8 in text (${fields}), ` +
        `replaced by U+FFFD (first at line ${this.first})`,
    });
  }
}

/** The `blank-lines` note of a file (blank lines are skipped). */
export function reportBlankLines(
  options: Pick<ReadOptions, "logger" | "onIssue">,
  file: string,
  count: number,
  line: number,
) {
  if (count === 0) return;
  reportIssue(options, {
    level: "info",
    kind: "blank-lines",
    file,
    line,
    count,
    message: `${file}: skipped ${count} blank line(s) (first at line ${line})`,
  });
}
