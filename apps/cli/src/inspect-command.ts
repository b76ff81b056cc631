import { ConfigError, flagName, parseCliArgs, silentLogger, type FlagSpec } from "@llminit/core";
import { inspectDataset, type DatasetInspection, type StageReport } from "@llminit/data";
import { RUN_OPTIONS, type RunConfig } from "@llminit/pipeline";
import { terminalLogger, terminalProgress, type TerminalStream } from "./terminal-reporter.js";

/** The run options that decide what a run reads and keeps; `inspect` takes these and no others. */
const DATA_OPTIONS: readonly string[] = [
  "dataset",
  "dataDir",
  "minRating",
  "ratingField",
  "kCore",
  "split",
  "textTemplate",
];

export const INSPECT_FLAGS: FlagSpec[] = [
  { key: "config" },
  { key: "json", boolean: true },
  { key: "verbose", boolean: true },
  { key: "help", boolean: true },
  ...DATA_OPTIONS.map((key) => ({ key })),
];

export const INSPECT_USAGE = `usage: llminit inspect --dataset NAME [--data-dir DIR] [filter options] [--json]

Reads a dataset as \`llminit run\` would and reports, training and encoding nothing:
the files and their columns (type, and what the run uses each for: columns marked
"unused" are never parsed), row / user / item counts, what each filter stage would
drop (value filter, duplicates, iterative k-core), the item-text coverage under the
run's template, and the first problems found with their file and line. Exit status:
0 when a run could start, 1 when it would stop on the data (the reason is printed
last and on stderr), 2 for bad options.

options (same meaning and defaults as for run):
${RUN_OPTIONS.filter((spec) => DATA_OPTIONS.includes(spec.key))
  .map((spec) => {
    const choices = spec.choices === undefined ? "" : ` {${spec.choices.join("|")}}`;
    const fallback = spec.default === undefined ? "" : ` [${String(spec.default)}]`;
    return `  --${flagName(spec.key).padEnd(16)} ${spec.help}${choices}${fallback}`;
  })
  .join("\n")}
  --config FILE      YAML or JSON file of options (command line > file > defaults)
  --json             print one JSON object (the report) on stdout
  --verbose          also log every step on stderr
`;

interface CliIo {
  stdout: TerminalStream;
  stderr: TerminalStream;
}

type Resolve = (values: Record<string, string | boolean>) => Promise<RunConfig>;

/**
 * `llminit inspect`: parses the data options (through the same layers as `run`), calls `inspectDataset` and prints
 * its report. Returns the exit status.
 */
export async function inspectCommand(argv: readonly string[], io: CliIo, resolve: Resolve): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    io.stdout.write(INSPECT_USAGE);
    return 0;
  }
  const { values, positionals } = parseCliArgs(argv, INSPECT_FLAGS);
  if (positionals.length > 0)
    throw new ConfigError("inspect", `unexpected argument "${positionals[0]}" (options start with --)`);
  const config = await resolve(values);
  const report = await inspectDataset(config.dataset, {
    dataDir: config.dataDir,
    minRating: config.minRating,
    ratingField: config.ratingField,
    kCore: config.kCore,
    split: config.split,
    textTemplate: config.textTemplate,
    logger: values.verbose === true ? terminalLogger(io.stderr, true) : silentLogger,
    progress: terminalProgress(io.stderr),
  });
  io.stdout.write(values.json === true ? `${JSON.stringify(report)}\n` : formatInspection(report));
  if (report.error === undefined) return 0;
  io.stderr.write(`llminit: error: ${report.error.message}\n`);
  return report.error.code === "E_CONFIG" ? 2 : 1;
}

function dropped(stage: StageReport, first: boolean): string {
  if (first) return "";
  const missing = stage.missing === undefined ? "" : ` (${stage.missing} without a value)`;
  return `${stage.dropped}${missing} / ${stage.droppedUsers} / ${stage.droppedItems}`;
}

/** The report as text for a terminal. */
export function formatInspection(report: DatasetInspection): string {
  const lines: string[] = [];
  const where = report.location === undefined ? "" : ` (${report.location.kind} in ${report.location.dir})`;
  lines.push(`dataset ${report.dataset}${where}`);
  for (const file of report.files) {
    lines.push(`${file.file} (${file.format})`);
    const nameWidth = Math.max(8, ...file.columns.map((c) => c.name.length));
    const typeWidth = Math.max(6, ...file.columns.map((c) => c.type.length));
    for (const column of file.columns) {
      const use = column.use === "unused" ? "unused (not parsed)" : column.use;
      lines.push(`  ${column.name.padEnd(nameWidth)}  ${column.type.padEnd(typeWidth)}  ${use}`);
    }
  }
  if (report.raw !== undefined)
    lines.push(`raw: ${report.raw.rows} rows, ${report.raw.users} users, ${report.raw.items} items`);
  if (report.valueFilter !== undefined)
    lines.push(
      `value filter: ${report.valueFilter === null ? "off" : `${report.valueFilter.field} >= ${report.valueFilter.min}`}`,
    );
  if (report.stages.length > 0) {
    const width = Math.max(24, ...report.stages.map((s) => s.stage.length));
    lines.push(
      `filter stages:`,
      `  ${"stage".padEnd(width)} ${"rows".padStart(9)} ${"users".padStart(8)} ${"items".padStart(8)}   dropped rows / users / items`,
    );
    report.stages.forEach((s, i) => {
      lines.push(
        `  ${s.stage.padEnd(width)} ${String(s.interactions).padStart(9)} ${String(s.users).padStart(8)} ${String(s.items).padStart(8)}   ${dropped(s, i === 0)}`.trimEnd(),
      );
    });
  }
  if (report.text !== undefined) {
    const { text } = report;
    lines.push(`item text: template "${text.template}"`);
    const coverage = (label: string, count: NonNullable<typeof text.filtered>) =>
      `  ${label}: ${count.items} items, ${count.emptyText} with an empty text (${count.noItemRow} without an item row)` +
      (count.emptyExamples.length > 0
        ? `, e.g. ${count.emptyExamples.join(", ")}${count.emptyText > count.emptyExamples.length ? ", …" : ""}`
        : "");
    lines.push(coverage("raw", text.raw));
    if (text.filtered !== undefined) lines.push(coverage("after the filters", text.filtered));
    lines.push(`  item file: ${text.itemRows} rows, ${text.itemRowsWithoutInteractions} without interactions`);
  }
  const more = report.problemCount - report.problems.length;
  // "problems: none" right above the error that stops a run would read as a contradiction.
  if (report.problemCount > 0 || report.error === undefined)
    lines.push(`problems: ${report.problemCount === 0 ? "none" : report.problemCount}`);
  for (const problem of report.problems) lines.push(`  [${problem.level}] ${problem.message}`);
  if (more > 0) lines.push(`  … and ${more} more`);
  if (report.error !== undefined)
    lines.push(
      report.location?.kind === "remote"
        ? `not inspected: ${report.error.message}`
        : `a run would stop here: ${report.error.message}`,
    );
  return `${lines.join("\n")}\n`;
}
