import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findDataDir, findRepoRoot } from "./find-data-dir.js";

const root = mkdtempSync(join(tmpdir(), "llminit-bench-find-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("findDataDir", () => {
  it("prefers --data-dir, then LLMINIT_DATA_DIR, then <repo>/../shared/data", () => {
    const repo = join(root, "main");
    mkdirSync(join(repo, "apps", "bench"), { recursive: true });
    writeFileSync(join(repo, "pnpm-workspace.yaml"), "packages: []\n");
    const start = join(repo, "apps", "bench");
    expect(findRepoRoot(start)).toBe(repo);
    expect(findDataDir(undefined, {}, [start])).toEqual({ source: "none" });
    mkdirSync(join(root, "shared", "data"), { recursive: true });
    expect(findDataDir(undefined, {}, [start]).dir).toBe(join(root, "shared", "data"));
    expect(findDataDir(undefined, { LLMINIT_DATA_DIR: "/elsewhere" }, [start])).toEqual({
      dir: "/elsewhere",
      source: "LLMINIT_DATA_DIR",
    });
    expect(findDataDir("/mine", { LLMINIT_DATA_DIR: "/elsewhere" }, [start])).toEqual({
      dir: "/mine",
      source: "--data-dir",
    });
  });
});
