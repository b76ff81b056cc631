import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeToyDataset, writeToyVectorsWithNewItems, type ToyDataset } from "@llminit/pipeline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

const root = mkdtempSync(join(tmpdir(), "llminit-cli-cold-"));
let toy: ToyDataset;
let encoder: string;
const run = join(root, "run");

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

function write(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  toy = await writeToyDataset(root);
  encoder = await writeToyVectorsWithNewItems(toy, root);
  const { status, stderr } = await cli(
    ...["run", "--dataset", toy.dir, "--encoder", encoder, "--cache-dir", join(root, "cache")],
    ...["--dim", "8", "--batch-size", "64", "--epochs", "2", "--out", run, "--json"],
  );
  expect(status, stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("llminit run --cold-items", () => {
  it("prints the cold and hybrid results of every method after the warm metrics", async () => {
    const { status, stdout, stderr } = await cli(
      ...["run", "--dataset", toy.dir, "--encoder", encoder, "--cache-dir", join(root, "cache"), "--init", "none"],
      ...["--dim", "8", "--batch-size", "64", "--epochs", "1", "--cold-items", "0.2", "--out", join(root, "cold")],
      // The toy's 4 cold test items: K = 2 keeps a cold metric that ranks (K ≥ 4 ranks them all, refused alone).
      ...["--ks", "2,10,20"],
    );
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/cold items \(0\.2 held out: 4 valid \+ 4 test items, 32 warm;/);
    expect(stdout).toMatch(/^map-knn +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +\d\.\d{4}$/m);
    // The cold table is at the run's smallest K (the only one here that does not rank every cold item).
    expect(stdout).toMatch(/^method +cold recall@2 +cold ndcg@2 +hybrid recall@2 +hybrid ndcg@2 +cold share@2$/m);
    expect(stdout).toMatch(/^direct +not applicable: init none/m);
  }, 60_000);
});

describe("llminit recommend --new-items", () => {
  it("ranks new items from a RecBole .item file together with the catalogue", async () => {
    const file = write("new.item", "item_id:token\ttitle:token_seq\nnew-red\tred pen 99\nnew-blue\tblue chair 99\n");
    const { status, stdout, stderr } = await cli(
      ...["recommend", "--run", run, "--users", "u0,u59", "--k", "40", "--new-items", file, "--json"],
    );
    expect(status, stderr).toBe(0);
    const lists = JSON.parse(stdout) as Array<{ user: string; items: Array<{ item: string; new?: boolean }> }>;
    const position = (list: (typeof lists)[0], id: string) => list.items.findIndex((x) => x.item === id);
    expect(position(lists[0], "new-red")).toBeLessThan(position(lists[0], "new-blue"));
    expect(position(lists[1], "new-blue")).toBeLessThan(position(lists[1], "new-red"));
    expect(lists[0].items.filter((x) => x.new).map((x) => x.item)).toEqual(
      expect.arrayContaining(["new-red", "new-blue"]),
    );
  }, 60_000);

  it("takes a CSV file and the method, and marks new items in the text output", async () => {
    const file = write("new.csv", "item_id,text\nnew-red,red pen 99\n");
    const { status, stdout } = await cli(
      ...["recommend", "--run", run, "--users", "u0", "--k", "40", "--new-items", file, "--method", "content-knn"],
    );
    expect(status).toBe(0);
    expect(stdout).toMatch(/^u0: .*new-red \(-?\d\.\d{3}, new\)/);
  }, 60_000);

  it("names the file, line and field of bad new items, and the option of bad flags", async () => {
    const cases: Array<[string, RegExp, number]> = [
      [write("dup.csv", "item_id,text\ni3,already there\n"), /dup\.csv:2 field "item_id": item "i3" is already/, 1],
      [write("empty.csv", "item_id,text\nnew-red,\n"), /empty\.csv:2 field "text": item "new-red" has an empty/, 1],
      [write("wrong.inter", "user_id:token\titem_id:token\nu1\ti1\n"), /wrong\.inter: an interaction file/, 1],
      [write("noid.item", "title:token_seq\nred\n"), /noid\.item:1 field "item_id": no item id column/, 1],
      [join(root, "absent.csv"), /absent\.csv: file not found/, 1],
    ];
    for (const [file, message, status] of cases) {
      const result = await cli("recommend", "--run", run, "--users", "u0", "--new-items", file);
      expect(result.stderr).toMatch(message);
      expect(result.status).toBe(status);
    }
    const method = await cli("recommend", "--run", run, "--users", "u0", "--new-items", cases[0][0], "--method", "knn");
    expect(method.status).toBe(2);
    expect(method.stderr).toMatch(/option "--method": "knn" is not one of direct, map, map-knn, content-knn, random/);
  }, 60_000);
});
