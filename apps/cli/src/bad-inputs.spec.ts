import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  expandTokens,
  outcomeProblems,
  snapshotChanges,
  snapshotTree,
  writeCaseFiles,
  writeToyDataset,
} from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import { CLI_BAD_INPUTS } from "./test-utils/bad-inputs.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bad-inputs-"));
const paths: Record<string, string> = { root, cache: join(root, "cache"), run: join(root, "finished-run") };

async function cli(argv: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { status, stdout, stderr };
}

beforeAll(async () => {
  const toy = await writeToyDataset(root);
  paths.toy = toy.dir;
  paths.vectors = toy.encoder.slice("file:".length);
  // A finished run for `recommend`; it also warms the embedding cache, which no case may change.
  const run = ["run", "--dataset", toy.dir, "--encoder", toy.encoder, "--cache-dir", paths.cache, "--dim", "8"];
  const done = await cli([...run, "--epochs", "0", "--out", paths.run]);
  expect(done.status, done.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the llminit bad-input corpus", () => {
  it("has at least 80 cases with distinct names", () => {
    expect(CLI_BAD_INPUTS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(CLI_BAD_INPUTS.map((c) => c.name)).size).toBe(CLI_BAD_INPUTS.length);
  });

  CLI_BAD_INPUTS.forEach((testCase, index) => {
    const skip = testCase.waitsFor !== undefined || (testCase.when !== undefined && !testCase.when());
    it.skipIf(skip)(
      `${testCase.name}${testCase.waitsFor === undefined ? "" : ` (waits for ${testCase.waitsFor})`}`,
      async () => {
        const dir = join(root, "cases", String(index));
        const casePaths = { ...paths, dir };
        writeCaseFiles(dir, testCase.files, casePaths);
        const runs = join(process.cwd(), "runs");
        const before = snapshotTree(root);
        const runsBefore = snapshotTree(runs);
        const outcome = await cli(testCase.argv.map((word) => expandTokens(word, casePaths)));
        expect(outcomeProblems(testCase, outcome), outcome.stderr).toEqual([]);
        expect(snapshotChanges(before, snapshotTree(root)), "left behind").toEqual([]);
        expect(snapshotChanges(runsBefore, snapshotTree(runs)), "left behind").toEqual([]);
      },
      30_000,
    );
  });
});
