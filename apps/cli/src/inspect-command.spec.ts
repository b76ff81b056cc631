import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToyDataset, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

const root = mkdtempSync(join(tmpdir(), "llminit-inspect-"));
let toy: ToyDataset;
let implicit: string;
beforeAll(async () => {
  toy = await writeToyDataset(root);
  // The toy without its rating column: implicit feedback.
  implicit = join(root, "implicit");
  mkdirSync(implicit);
  const rows = readFileSync(join(toy.dir, "toy.inter"), "utf8").trim().split("\n");
  writeFileSync(
    join(implicit, "implicit.inter"),
    `${rows
      .map((row) =>
        row
          .split("\t")
          .filter((_, c) => c !== 2)
          .join("\t"),
      )
      .join("\n")}\n`,
  );
  writeFileSync(join(implicit, "implicit.item"), readFileSync(join(toy.dir, "toy.item")));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { status, stdout, stderr };
}

describe("llminit inspect", () => {
  it("prints columns, counts, filter stages, text coverage and problems", async () => {
    const { status, stdout } = await cli("inspect", "--dataset", toy.dir);
    expect(status).toBe(0);
    expect(stdout).toContain(`${join(toy.dir, "toy.inter")} (atomic)`);
    expect(stdout).toMatch(/rating\s+float\s+rating/);
    expect(stdout).toContain("raw: 600 rows, 60 users, 40 items");
    expect(stdout).toMatch(/rating >= 4\s+480\s+60\s+40\s+120 \/ 0 \/ 0/);
    expect(stdout).toContain(`item text: template "{title}. {category}. {brand}"`);
    expect(stdout).toContain("after the filters: 40 items, 0 with an empty text (0 without an item row)");
    expect(stdout).toContain("problems: none");
  });

  it("prints one JSON object with --json, and takes the run's filter options", async () => {
    const { status, stdout } = await cli(
      "inspect",
      "--dataset",
      toy.dir,
      "--min-rating",
      "none",
      "--k-core",
      "0",
      "--json",
    );
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.valueFilter).toBeNull();
    expect(report.stages.map((s: { stage: string }) => s.stage)).toEqual(["raw", "duplicates (keep first)"]);
  });

  it("prints its own help for --help and -h anywhere, doing nothing else", async () => {
    for (const argv of [
      ["inspect", "--help"],
      ["inspect", "--dataset", "/nowhere", "-h"],
    ]) {
      const { status, stdout, stderr } = await cli(...argv);
      expect(status).toBe(0);
      expect(stdout).toMatch(/^usage: llminit inspect --dataset NAME/);
      expect(stdout).toContain("--rating-field");
      expect(stderr).toBe("");
    }
  });

  it("says in one line why a run would stop: binary input, invalid UTF-8 ids, a missing rating field", async () => {
    const binary = join(root, "binary");
    mkdirSync(binary);
    writeFileSync(
      join(binary, "binary.inter"),
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(2000, 1)]),
    );
    const b = await cli("inspect", "--dataset", binary);
    expect(b.status).toBe(1);
    expect(b.stderr).toBe(
      `llminit: error: ${join(binary, "binary.inter")}: not a text file: an ELF executable; check the path\n`,
    );

    const utf = join(root, "utf");
    mkdirSync(utf);
    writeFileSync(
      join(utf, "utf.inter"),
      Buffer.concat([Buffer.from("user_id:token\titem_id:token\nu\xff\ti\n", "latin1")]),
    );
    const text = await cli("inspect", "--dataset", utf);
    expect(text.stdout).not.toContain("problems: none");
    expect(text.stdout).toMatch(/\na run would stop here: .*utf\.inter:2 field "user_id"/);
    const u = await cli("inspect", "--dataset", utf, "--json");
    expect(u.status).toBe(1);
    expect(JSON.parse(u.stdout).error).toMatchObject({ line: 2, field: "user_id" });
    expect(u.stderr.trim().split("\n")).toHaveLength(1);

    const field = await cli("inspect", "--dataset", toy.dir, "--rating-field", "plays");
    expect(field.status).toBe(2);
    expect(field.stderr).toContain(`option "--rating-field": no column "plays" in ${join(toy.dir, "toy.inter")}`);

    const stray = await cli("inspect", "--dataset", toy.dir, "extra");
    expect(stray.status).toBe(2);
    expect(stray.stderr).toMatch(/unexpected argument "extra"/);
    const flag = await cli("inspect", "--dataset", toy.dir, "--epochs", "3");
    expect(flag.status).toBe(2);
  });
});

describe("llminit run on implicit feedback", () => {
  it("runs a dataset without ratings after one notice, and --min-rating none silences it", async () => {
    const common = ["--dataset", implicit, "--init", "none", "--dim", "8", "--epochs", "1", "--json"];
    const first = await cli("run", ...common, "--out", join(root, "run-implicit"));
    expect(first.status).toBe(0);
    expect(first.stderr.match(/no "rating" column/g)).toHaveLength(1);
    expect(JSON.parse(first.stdout).stats.map((s: { stage: string }) => s.stage)).toEqual([
      "raw",
      "duplicates (keep first)",
      "iterative 5-core",
    ]);
    const second = await cli("run", ...common, "--min-rating", "none", "--out", join(root, "run-implicit-2"));
    expect(second.status).toBe(0);
    expect(second.stderr).not.toMatch(/no "rating" column/);
  }, 60_000);

  it("thresholds another numeric column with --rating-field", async () => {
    const { status, stdout } = await cli(
      "run",
      "--dataset",
      toy.dir,
      "--rating-field",
      "timestamp",
      "--min-rating",
      "1000300",
      "--k-core",
      "0",
      "--init",
      "none",
      "--dim",
      "8",
      "--epochs",
      "0",
      "--out",
      join(root, "run-field"),
      "--json",
    );
    expect(status).toBe(0);
    const stats = JSON.parse(stdout).stats as Array<{ stage: string; interactions: number }>;
    expect(stats[1]).toMatchObject({ stage: "timestamp >= 1000300", interactions: 300 });
  }, 60_000);
});
