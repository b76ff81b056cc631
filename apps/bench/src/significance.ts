import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@llminit/core";
import { readUserMetrics, USER_METRICS_DIR, type UserMetricsTable } from "@llminit/pipeline";
import { holmAdjust, pairedComparison, type PairedComparison } from "./paired-comparison.js";
import type { CellRecord } from "./types.js";

/** Significance level of the marks in the reports (after the Holm–Bonferroni correction). */
export const SIGNIFICANCE_LEVEL = 0.05;

/** The per-user test metrics of each finished cell that stored them, by cell id. */
export type UserMetricsByCell = ReadonlyMap<string, UserMetricsTable>;

/** A comparison cell's test against init `none` of the same row, with its corrected p-value. */
export interface CellTest extends PairedComparison {
  /** Seeds whose cells both finished with per-user metrics (the pairs pooled). */
  seeds: number[];
  /** Holm–Bonferroni adjusted p over the table's comparison cells. */
  pAdjusted: number;
  /** pAdjusted < {@link SIGNIFICANCE_LEVEL}. */
  significant: boolean;
}

/**
 * A cell's run folder: `<out>/runs/<id>` of the bench folder the results were read from, so that a
 * copied or moved bench folder reads its own files; the absolute `runDir` recorded when the cell ran
 * only when that folder does not exist (results collected from elsewhere), or without `out`.
 */
export function cellRunDir(record: CellRecord, out: string | undefined): string {
  if (out !== undefined) {
    const own = join(out, "runs", record.id);
    if (existsSync(own) || record.runDir === "") return own;
  }
  return record.runDir;
}

/**
 * Reads `user-metrics/test.*` of every ok cell that has them, from its run folder under `out` (see
 * {@link cellRunDir}). Cells run before per-user metrics existed (or whose files are unreadable,
 * logged) simply have no test in the reports.
 */
export async function loadUserMetrics(
  records: readonly CellRecord[],
  out: string | undefined,
  logger?: Logger,
): Promise<UserMetricsByCell> {
  const tables = new Map<string, UserMetricsTable>();
  for (const record of records) {
    const runDir = cellRunDir(record, out);
    if (record.status !== "ok" || !existsSync(join(runDir, USER_METRICS_DIR, "test.npy"))) continue;
    try {
      tables.set(record.id, await readUserMetrics(runDir, "test"));
    } catch (error) {
      logger?.log(
        "warn",
        `no paired tests for ${record.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return tables;
}

/** Per-user cold-start metrics by split (`cold-map`, `hybrid-map`, …), each by cell id. */
export type ColdUserMetrics = ReadonlyMap<string, UserMetricsByCell>;

/**
 * Reads the per-user cold and hybrid test metrics (`user-metrics/cold-<method>.*`,
 * `hybrid-<method>.*`) of every ok cold-items cell, as its `coldStart.userMetrics` lists them, from
 * its run folder under `out` (see {@link cellRunDir}).
 */
export async function loadColdUserMetrics(
  records: readonly CellRecord[],
  out: string | undefined,
  logger?: Logger,
): Promise<ColdUserMetrics> {
  const bySplit = new Map<string, Map<string, UserMetricsTable>>();
  for (const record of records) {
    if (record.status !== "ok") continue;
    for (const split of record.coldStart?.userMetrics ?? []) {
      try {
        const table = await readUserMetrics(cellRunDir(record, out), split);
        if (!bySplit.has(split)) bySplit.set(split, new Map());
        bySplit.get(split)!.set(record.id, table);
      } catch (error) {
        logger?.log(
          "warn",
          `no paired ${split} tests for ${record.id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  return bySplit;
}

/**
 * The paired test of `metric` between the cells of a row and the cells of its init-`none` row:
 * per seed, the users of both runs (same seed ⇒ same split), matched by user id, restricted to
 * users whose training degree `includeDegree` accepts; the pairs of all seeds pooled. Undefined
 * when no seed has both sides.
 */
export function testAgainstBaseline(
  baseline: readonly CellRecord[],
  row: readonly CellRecord[],
  metric: string,
  userMetrics: UserMetricsByCell,
  includeDegree: (degree: number) => boolean = () => true,
): Omit<CellTest, "pAdjusted" | "significant"> | undefined {
  const x: number[] = [];
  const y: number[] = [];
  const seeds: number[] = [];
  for (const record of row) {
    const base = baseline.find((b) => b.seed === record.seed);
    const ours = userMetrics.get(record.id);
    const theirs = base === undefined ? undefined : userMetrics.get(base.id);
    if (ours === undefined || theirs === undefined) continue;
    const column = ours.columns.indexOf(metric);
    const baseColumn = theirs.columns.indexOf(metric);
    if (column === -1 || baseColumn === -1) continue;
    const baseRow = new Map(theirs.users.map((user, i) => [user, i]));
    let pairs = 0;
    ours.users.forEach((user, i) => {
      const j = baseRow.get(user);
      if (j === undefined || !includeDegree(theirs.trainDegrees[j])) return;
      x.push(theirs.values[j * theirs.columns.length + baseColumn]);
      y.push(ours.values[i * ours.columns.length + column]);
      pairs++;
    });
    if (pairs > 0) seeds.push(record.seed);
  }
  if (seeds.length === 0) return undefined;
  return { ...pairedComparison(x, y), seeds: seeds.sort((a, b) => a - b) };
}

/** Holm–Bonferroni over one table's tests (its family) and the marks at {@link SIGNIFICANCE_LEVEL}. */
export function correctTable(
  tests: ReadonlyArray<ReadonlyArray<Omit<CellTest, "pAdjusted" | "significant"> | undefined>>,
): Array<Array<CellTest | undefined>> {
  const flat = tests.flat();
  const adjusted = holmAdjust(flat.map((test) => test?.p ?? NaN));
  let index = 0;
  return tests.map((row) =>
    row.map((test) => {
      const pAdjusted = adjusted[index++];
      return test === undefined ? undefined : { ...test, pAdjusted, significant: pAdjusted < SIGNIFICANCE_LEVEL };
    }),
  );
}

/** Two significant digits: `p = 0.031`, `p = 0.62`; `p < 0.001` below that. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return "p n/a";
  return p < 0.001 ? "p < 0.001" : `p = ${p.toPrecision(2)}`;
}

/** `[−1.1, +7.6] %`: the 95 % interval of the relative gain. */
export function formatGainInterval(test: PairedComparison): string {
  if (!Number.isFinite(test.gainLow) || !Number.isFinite(test.gainHigh)) return "[n/a]";
  const pct = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(1)}`;
  return `[${pct(test.gainLow)}, ${pct(test.gainHigh)}] %`;
}

/** The mark of a significantly better cell than init none's. */
export const GAIN_MARK = "†";
/** The mark of a significantly worse cell than init none's. */
export const LOSS_MARK = "‡";

/** Whether a tested cell is a significant gain, a significant loss, or neither (undefined). */
export function significance(test: CellTest | undefined): "gain" | "loss" | undefined {
  if (test === undefined || !test.significant) return undefined;
  return test.meanDifference >= 0 ? "gain" : "loss";
}

/** `†` for a significant gain, `‡` for a significant loss, "" otherwise. */
export function significanceMark(test: CellTest | undefined): string {
  const kind = significance(test);
  return kind === "gain" ? GAIN_MARK : kind === "loss" ? LOSS_MARK : "";
}

/** The report legend of the marks. */
export const SIGNIFICANCE_LEGEND =
  `${GAIN_MARK} marks a significant gain and ${LOSS_MARK} a significant loss over init none of the same row: ` +
  "a paired two-sided t-test (per-user test metrics, users matched on the same split, i.e. the same seed, pooled " +
  "over the seeds) with p < 0.05 after a Holm–Bonferroni correction over the comparison cells of its table; " +
  "[a, b] % is the 95 % confidence interval of the relative gain of the pooled means (delta method), p the " +
  "uncorrected p-value. Cells without per-user metrics in their run folders are not tested.";
