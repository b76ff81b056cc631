import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** A file a case creates: text, bytes, or built from the fixtures' paths. */
export type CaseFile = string | Uint8Array | ((paths: Readonly<Record<string, string>>) => string | Uint8Array);

/**
 * One bad input: the files to create, the command line, and the one error line it must give.
 * Tokens `{name}` in argv and in text files are replaced by `paths[name]` (`{dir}` is the case's
 * own empty folder).
 */
export interface BadInputCase {
  name: string;
  /** Relative to the case folder. */
  files?: Readonly<Record<string, CaseFile>>;
  argv: readonly string[];
  /** What the single `error:` line must match. */
  error: RegExp;
  /** Exit status: 2 for bad usage or configuration (default), 1 for bad data or a failure. */
  status?: 1 | 2;
  /** The branch whose fixes this case waits for: it is skipped, with this reason, until they land. */
  waitsFor?: string;
  /** Runs only where this holds (e.g. Linux's /proc). */
  when?: () => boolean;
}

/** Replaces `{name}` tokens. */
export function expandTokens(text: string, paths: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => paths[name] ?? whole);
}

/** Creates the case's folder and files. */
export function writeCaseFiles(
  dir: string,
  files: BadInputCase["files"],
  paths: Readonly<Record<string, string>>,
): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files ?? {})) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    const value = typeof content === "function" ? content(paths) : content;
    writeFileSync(path, typeof value === "string" ? expandTokens(value, paths) : value);
  }
}

/** Every entry under `root` with its kind, size and content hash: compare two to see what changed. */
export function snapshotTree(root: string): Map<string, string> {
  const entries = new Map<string, string>();
  const visit = (path: string) => {
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      return;
    }
    if (stats.isDirectory()) {
      entries.set(path, "folder");
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (stats.isFile()) {
      entries.set(path, `file ${stats.size} ${createHash("sha1").update(readFileSync(path)).digest("hex")}`);
    } else entries.set(path, "other");
  };
  visit(root);
  return entries;
}

/** What differs between two snapshots: "added x", "removed y", "changed z". */
export function snapshotChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [path, value] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push(`added ${path}`);
    else if (old !== value) changes.push(`changed ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`removed ${path}`);
  return changes.sort();
}

/**
 * What is wrong with a bad input's outcome, or nothing: a non-zero exit (the expected one), one
 * `error:` line matching the case, nothing on stdout, no stack trace unless `--verbose` (then one).
 */
export function outcomeProblems(
  testCase: BadInputCase,
  outcome: { status: number; stdout: string; stderr: string },
): string[] {
  const problems: string[] = [];
  const expected = testCase.status ?? 2;
  if (outcome.status !== expected) problems.push(`exit status ${outcome.status}, expected ${expected}`);
  const errorLines = outcome.stderr.split("\n").filter((line) => /^[\w-]+: (unexpected )?error: /.test(line));
  if (errorLines.length !== 1) problems.push(`${errorLines.length} error lines, expected 1`);
  else if (!testCase.error.test(errorLines[0]))
    problems.push(`error line ${JSON.stringify(errorLines[0])} does not match ${testCase.error}`);
  if (/unexpected error/.test(outcome.stderr)) problems.push("an unexpected error, not a typed one");
  if (outcome.stdout !== "") problems.push(`stdout is not empty: ${JSON.stringify(outcome.stdout.slice(0, 200))}`);
  const stack = /^\s+at .+[:(]/m.test(outcome.stderr);
  const verbose = testCase.argv.includes("--verbose");
  if (stack && !verbose) problems.push("a stack trace without --verbose");
  if (!stack && verbose) problems.push("no stack trace with --verbose");
  return problems;
}
