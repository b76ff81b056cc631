import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingLogger } from "@llminit/core";
import { readNpy } from "@llminit/core/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRecommender, scoreNewItems } from "./open-recommender.js";
import { readNewItems } from "./read-new-items.js";
import { resolveRunConfig, type RunConfig } from "./run-config.js";
import { runExperiment } from "./run-experiment.js";
import { readUserMetrics } from "./user-metrics-file.js";
import { writeToyDataset, type ToyDataset } from "./testing/write-toy-dataset.js";
import { writeToyVectorsWithNewItems } from "./testing/write-toy-new-items.js";

const root = mkdtempSync(join(tmpdir(), "llminit-cold-"));
let toy: ToyDataset;
let encoder: string;

beforeAll(async () => {
  toy = await writeToyDataset(root);
  encoder = await writeToyVectorsWithNewItems(toy, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The toy's 4 cold test items: K = 2 keeps a cold metric that ranks (K ≥ 4 ranks them all, refused alone). */
const KS = "2,10,20";

function config(values: Record<string, unknown>): RunConfig {
  return resolveRunConfig([
    {
      source: "test",
      values: { dataset: toy.dir, encoder, cacheDir: join(root, "cache"), dim: 8, batchSize: 64, ks: KS, ...values },
    },
  ]);
}

const lines = (path: string) => readFileSync(path, "utf8").trim().split("\n");

describe("runExperiment with cold items", () => {
  it("trains on the warm items and evaluates every method in the cold and hybrid settings", async () => {
    const out = join(root, "cold-var");
    const summary = await runExperiment(config({ init: "var", epochs: 2, coldItems: 0.2, out }));
    const cold = summary.coldStart!;
    expect(cold.items).toEqual({ warm: 32, coldValid: 4, coldTest: 4 });
    expect(summary.dataset.items).toBe(32);
    expect(cold.interactions.coldValid + cold.interactions.coldTest + summary.dataset.interactions).toBe(480);
    // The model never saw a cold item: the catalogue of the run folder is the warm items.
    const coldIds = [
      ...lines(join(out, "cold-start/cold-valid-items.txt")),
      ...lines(join(out, "cold-start/cold-test-items.txt")),
    ];
    expect(coldIds).toHaveLength(8);
    const items = lines(join(out, "items.txt"));
    expect(items).toHaveLength(32);
    for (const id of coldIds) expect(items).not.toContain(id);

    expect(cold.methods.map((m) => m.method)).toEqual(["direct", "map", "map-knn", "content-knn", "random"]);
    for (const m of cold.methods) {
      expect(m.applicable).toBe(true);
      for (const metrics of [m.valid!, m.cold!, m.hybrid!])
        for (const key of ["recall@20", "ndcg@20"]) expect(metrics[key]).toBeGreaterThanOrEqual(0);
      expect(m.hybrid!["coldShare@20"]).toBeGreaterThanOrEqual(0);
      expect(m.hybrid!["coldShare@20"]).toBeLessThanOrEqual(1);
      expect(m.hybrid!["coverage@20"]).toBeGreaterThan(0);
      // Only 4 cold test items: every one is in the top 20, so recall@20 is 1 in the cold setting.
      expect(m.cold!["recall@20"]).toBe(1);
    }
    expect(cold.users.hybrid).toBeGreaterThan(cold.users.coldTest - 1);
    expect(cold.map.grid).toHaveLength(13);
    expect(cold.map.selectedBy).toBe("cold-valid ndcg@10");
    const model = JSON.parse(readFileSync(join(out, "cold-start/model.json"), "utf8"));
    expect(model).toMatchObject({ normalize: true, model: "lightgcn", layers: 2, dimension: 16 });
    expect(model.selectedColumns).toEqual(summary.selectedColumns);
    expect(model.map.lambda).toBe(cold.map.lambda);
    expect(model.mapKnn.k).toBe(cold.mapKnn.k);
    const texts = JSON.parse(readFileSync(join(out, "cold-start/item-texts.json"), "utf8"));
    expect(texts).toHaveLength(32);
    expect(readdirSync(join(out, "cold-start")).sort()).toEqual([
      "cold-test-items.txt",
      "cold-valid-items.txt",
      "item-texts.json",
      "model.json",
    ]);
    // Per-user cold and hybrid test metrics of every method, beside the standard ones.
    expect(cold.userMetrics).toHaveLength(10);
    const hybrid = await readUserMetrics(out, "hybrid-map");
    expect(hybrid.users).toHaveLength(cold.users.hybrid);
    const column = hybrid.columns.indexOf("coldShare@20");
    const shares = hybrid.users.map((_, r) => hybrid.values[r * hybrid.columns.length + column]);
    const map = cold.methods.find((m) => m.method === "map")!;
    expect(shares.reduce((a, b) => a + b, 0) / shares.length).toBeCloseTo(map.hybrid!["coldShare@20"], 12);
    expect((await readUserMetrics(out, "cold-direct")).users).toHaveLength(cold.users.coldTest);
    expect(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")).coldStart.items).toEqual(cold.items);

    const again = await runExperiment(
      config({ init: "var", epochs: 2, coldItems: 0.2, out: join(root, "cold-var-2") }),
    );
    expect({ ...again.coldStart, seconds: 0 }).toEqual({ ...cold, seconds: 0 });
    expect(again.test).toEqual(summary.test);
  }, 120_000);

  it("with init none encodes the items for the cold methods and reports direct as not applicable", async () => {
    const summary = await runExperiment(
      config({ init: "none", epochs: 1, coldItems: 0.2, out: join(root, "cold-none") }),
    );
    expect(summary.selectedColumns).toBeUndefined();
    expect(summary.encoder?.dimension).toBe(16);
    const direct = summary.coldStart!.methods.find((m) => m.method === "direct")!;
    expect(direct).toMatchObject({ applicable: false });
    expect(direct.reason).toMatch(/init none/);
    expect(summary.coldStart!.methods.filter((m) => m.applicable).map((m) => m.method)).toEqual([
      "map",
      "map-knn",
      "content-knn",
      "random",
    ]);
  }, 60_000);

  it("masks the hybrid setting as the run's protocol does; the cold setting has nothing to mask", async () => {
    // Untrained (epochs 0), so that both protocols score with the same embeddings.
    const run = (protocol: string) =>
      runExperiment(config({ init: "var", epochs: 0, coldItems: 0.2, protocol, out: join(root, `cold-${protocol}`) }));
    const standard = (await run("standard")).coldStart!;
    const official = (await run("official")).coldStart!;
    for (const method of ["map", "content-knn"]) {
      const [s, o] = [standard, official].map((c) => c.methods.find((m) => m.method === method)!);
      expect(o.cold).toEqual(s.cold);
      // Official ranks the users' training items too: they crowd out the test items.
      expect(o.hybrid!["recall@10"]).toBeLessThan(0.8 * s.hybrid!["recall@10"]);
    }
  }, 60_000);

  it("draws the cold items from their own stream: the warm part of the split is the standard one", async () => {
    const standard = await runExperiment(config({ init: "var", epochs: 0, out: join(root, "standard0") }));
    const cold = await runExperiment(config({ init: "var", epochs: 0, coldItems: 0.2, out: join(root, "cold0") }));
    expect(standard.coldStart).toBeUndefined();
    expect(cold.coldStart?.items.warm).toBe(32);
    const heldOut = new Set([
      ...lines(join(root, "cold0/cold-start/cold-valid-items.txt")),
      ...lines(join(root, "cold0/cold-start/cold-test-items.txt")),
    ]);
    const trainPairs = async (dir: string) => {
      const users = lines(join(dir, "users.txt"));
      const items = lines(join(dir, "items.txt"));
      const indptr = (await readNpy(join(dir, "checkpoint/train-indptr.npy"))).data as Int32Array;
      const indices = (await readNpy(join(dir, "checkpoint/train-indices.npy"))).data as Int32Array;
      const pairs: string[] = [];
      users.forEach((u, r) => {
        for (let p = indptr[r]; p < indptr[r + 1]; p++) pairs.push(`${u}|${items[indices[p]]}`);
      });
      return pairs.sort();
    };
    const warm = (await trainPairs(join(root, "standard0"))).filter((p) => !heldOut.has(p.split("|")[1]));
    expect(await trainPairs(join(root, "cold0"))).toEqual(warm);
  }, 60_000);
});

describe("new items at run time", () => {
  let run: string;
  beforeAll(async () => {
    run = join(root, "standard");
    const summary = await runExperiment(config({ init: "var", epochs: 3, out: run }));
    expect(summary.coldStart).toBeUndefined();
  }, 60_000);

  it("a run without cold items writes only model.json and the texts; map is fitted when first used", async () => {
    expect(readdirSync(join(run, "cold-start")).sort()).toEqual(["item-texts.json", "model.json"]);
    const model = JSON.parse(readFileSync(join(run, "cold-start/model.json"), "utf8"));
    expect(model).toMatchObject({ encoder, map: null, mapKnn: null });
    const messages: string[] = [];
    const logger = { log: (_: string, message: string) => void messages.push(message) };
    const recommender = await openRecommender(run, { method: "map", logger });
    await recommender.dispose();
    expect(messages.join("\n")).toMatch(/catalogue vectors: 40 items, 40 from the embedding cache/);
    expect(messages.join("\n")).toMatch(/map: ridge λ = \S+ \(generalised cross-validation on the warm items\)/);
  });

  it.each(["content-knn", "map", "map-knn", "direct"] as const)(
    "%s ranks the new item of a user's own cluster above the other one",
    async (method) => {
      const lists = await scoreNewItems(
        run,
        [
          { id: "new-red", text: "red pen number 99" },
          { id: "new-blue", text: "blue chair number 99" },
        ],
        { users: ["u0", "u1", "u59"], k: 40, method },
      );
      for (const list of lists) {
        const position = (id: string) => list.items.findIndex((x) => x.item === id);
        const own = list.user === "u59" ? "new-blue" : "new-red";
        const other = own === "new-red" ? "new-blue" : "new-red";
        expect(position(own)).toBeGreaterThanOrEqual(0);
        expect(position(own)).toBeLessThan(position(other) === -1 ? Infinity : position(other));
        expect(list.items.find((x) => x.item === own)?.new).toBe(true);
        expect(list.items.filter((x) => x.new)).toHaveLength(position(other) === -1 ? 1 : 2);
      }
    },
    60_000,
  );

  it("keeps adding items to an open recommender and masks the users' training items", async () => {
    const recommender = await openRecommender(run, { method: "random" });
    try {
      expect(recommender.items).toBe(40);
      await recommender.addItems([{ id: "new-red", text: "red" }]);
      await recommender.addItems([{ id: "new-blue", text: "blue" }]);
      expect(recommender.items).toBe(42);
      const [list] = await recommender.recommend(["u0"], 42);
      expect(list.items.length).toBe(42 - 6);
      await expect(recommender.addItems([{ id: "new-red", text: "again" }])).rejects.toThrow(
        /items\[0\]\.id.*"new-red" is already in the catalogue/,
      );
    } finally {
      await recommender.dispose();
    }
  }, 60_000);

  it("rejects ids of the catalogue, repeated ids, empty texts, unknown methods and direct without an LLM init", async () => {
    await expect(scoreNewItems(run, [{ id: "i3", text: "x" }], { users: ["u0"] })).rejects.toThrow(
      /"i3" is already in the catalogue/,
    );
    await expect(
      scoreNewItems(
        run,
        [
          { id: "a", text: "x" },
          { id: "a", text: "y" },
        ],
        { users: ["u0"] },
      ),
    ).rejects.toThrow(/"a" is given twice/);
    await expect(scoreNewItems(run, [{ id: "a", text: "  " }], { users: ["u0"] })).rejects.toThrow(
      /items\[0\]\.text.*empty text/,
    );
    await expect(openRecommender(run, { method: "pca" as never })).rejects.toThrow(/option "method": "pca"/);
    await runExperiment(config({ init: "none", epochs: 0, coldItems: 0.2, out: join(root, "none-for-direct") }));
    await expect(openRecommender(join(root, "none-for-direct"), { method: "direct" })).rejects.toThrow(
      /option "method": direct .*not applicable: init none/,
    );
    await runExperiment(config({ init: "none", epochs: 0, out: join(root, "none-standard") }));
    await expect(openRecommender(join(root, "none-standard"))).rejects.toThrow(/cold-start\/model\.json.*--init/);
  }, 60_000);
});

describe("readNewItems", () => {
  const write = (name: string, text: string) => {
    const path = join(root, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads RecBole .item files through the run's template and CSV with an id and a text", async () => {
    const item = write(
      "new.item",
      "item_id:token\ttitle:token_seq\tbrand:token\nn1\tRed pen\tAcme\nn2\tBlue chair\t\n",
    );
    expect(await readNewItems(item, "{title}. {brand}")).toEqual([
      { id: "n1", text: "Red pen. Acme", source: { file: item, line: 2 } },
      { id: "n2", text: "Blue chair", source: { file: item, line: 3 } },
    ]);
    const csv = write("new.csv", 'id,text\nn1,"Pens, red ""fine"""\n\nn2,"two\nlines"\n');
    expect(await readNewItems(csv, "{title}")).toEqual([
      { id: "n1", text: 'Pens, red "fine"', source: { file: csv, line: 2 } },
      { id: "n2", text: "two lines", source: { file: csv, line: 4 } },
    ]);
  });

  it("names the file, line and field of bad input", async () => {
    await expect(readNewItems(write("a.csv", "id,text\nn1,ok\nn2,\n"), "{title}")).rejects.toThrow(
      /a\.csv:3 field "text": item "n2" has an empty text/,
    );
    await expect(readNewItems(write("b.csv", "id,text\nn1,a\nn1,b\n"), "{title}")).rejects.toThrow(
      /b\.csv:3 field "id": duplicate item id "n1" \(first on line 2\)/,
    );
    await expect(readNewItems(write("c.csv", "name,text\nn1,a\n"), "{title}")).rejects.toThrow(
      /c\.csv:1 field "item_id": no item id column/,
    );
    await expect(readNewItems(write("d.csv", "id,price\nn1,3\n"), "{title}")).rejects.toThrow(
      /d\.csv:1: no text: .*neither a "text" column nor any field of the run's item-text template "\{title\}"/,
    );
    await expect(readNewItems(write("e.csv", "id,text\nn1,a,b\n"), "{title}")).rejects.toThrow(
      /e\.csv:2: expected 2 fields/,
    );
    await expect(readNewItems(write("x.inter", "user_id:token\titem_id:token\n"), "{title}")).rejects.toThrow(
      /x\.inter: an interaction file; expected an item file/,
    );
    await expect(readNewItems(write("f.item", "item_id\ttitle\n"), "{title}")).rejects.toThrow(
      /f\.item:1 field "item_id": header column "item_id" is not "name:type"/,
    );
    await expect(readNewItems(write("g.csv", "id,text\n"), "{title}")).rejects.toThrow(/g\.csv: no items/);
    await expect(readNewItems(join(root, "missing.csv"), "{title}")).rejects.toThrow(/missing\.csv: file not found/);
    expect(existsSync(join(root, "missing.csv"))).toBe(false);
  });

  it("follows the dataset readers' rules for bytes that are not UTF-8: an id is an error, text a warning", async () => {
    const bytes = (name: string, ...parts: Array<string | number[]>) => {
      const path = join(root, name);
      writeFileSync(path, Buffer.concat(parts.map((p) => Buffer.from(p as string))));
      return path;
    };
    await expect(readNewItems(bytes("u.csv", "id,text\nn1,a\nn", [0xe9], ",b\n"), "{title}")).rejects.toThrow(
      /u\.csv:3 field "id": id "n\\xE9" is not valid UTF-8 \(byte 0xE9\); convert the file to UTF-8/,
    );
    await expect(
      readNewItems(bytes("u.item", "item_id:token\ttitle:token_seq\nn", [0xff], "\tpen\n"), "{title}"),
    ).rejects.toThrow(/u\.item:2 field "item_id": id "n\\xFF" is not valid UTF-8/);
    const logger = new RecordingLogger();
    const file = bytes("t.csv", "id,text\nn1,caf", [0xe9], "\nn2,ok\nn3,", [0xe8], "\n");
    const items = await readNewItems(file, "{x}", { logger });
    expect(items.map((item) => item.text)).toEqual(["caf\ufffd", "ok", "\ufffd"]);
    expect(JSON.stringify(items)).not.toMatch(/\\udc/);
    expect(logger.records.map((r) => r.message)).toEqual([
      expect.stringMatching(
        /t\.csv: 2 line\(s\) with bytes that are not UTF-8 in text \(text\), replaced by U\+FFFD \(first at line 2\)/,
      ),
    ]);
  });
});
