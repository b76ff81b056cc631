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
import { BENCH_BAD_INPUTS } from "./test-utils/bad-inputs.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bench-bad-inputs-"));
const paths: Record<string, string> = { root, cache: join(root, "cache") };

beforeAll(async () => {
  const toy = await writeToyDataset(root);
  paths.toy = toy.dir;
  paths.vectors = toy.encoder.slice("file:".length);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the bench bad-input corpus", () => {
  BENCH_BAD_INPUTS.forEach((testCase, index) => {
    it.skipIf(testCase.waitsFor !== undefined)(testCase.name, async () => {
      const dir = join(root, "cases", String(index));
      const casePaths = { ...paths, dir };
      writeCaseFiles(dir, testCase.files, casePaths);
      const before = snapshotTree(root);
      let stdout = "";
      let stderr = "";
      const status = await main(
        testCase.argv.map((word) => expandTokens(word, casePaths)),
        {
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          env: {},
          cwd: root,
        },
        {
          runExperiment: () => {
            throw new Error("a cell ran: the bad input was not caught up front");
          },
        },
      );
      expect(outcomeProblems(testCase, { status, stdout, stderr }), stderr).toEqual([]);
      expect(snapshotChanges(before, snapshotTree(root)), "left behind").toEqual([]);
    });
  });
});
