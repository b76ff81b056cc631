import { describe, expect, it } from "vitest";
import { absolutePaths } from "./absolute-paths.js";
import { resolveRunConfig } from "./run-config.js";

describe("absolutePaths", () => {
  it("makes every path of a run absolute, and leaves registry names and other encoders alone", () => {
    const config = resolveRunConfig([
      {
        source: "test",
        values: {
          dataset: "d/crlf",
          dataDir: "../shared/data",
          cacheDir: "cache",
          modelDir: "./models",
          encoder: "file:v/items.npy",
          out: "runs/x",
        },
      },
    ]);
    expect(absolutePaths(config, "/home/me/work")).toMatchObject({
      dataset: "/home/me/work/d/crlf",
      dataDir: "/home/me/shared/data",
      cacheDir: "/home/me/work/cache",
      modelDir: "/home/me/work/models",
      encoder: "file:/home/me/work/v/items.npy",
      out: "/home/me/work/runs/x",
    });
    const named = absolutePaths({ ...config, dataset: "ml-100k", encoder: "transformers:Xenova/bge" }, "/w");
    expect([named.dataset, named.encoder]).toEqual(["ml-100k", "transformers:Xenova/bge"]);
    expect(absolutePaths({ ...config, encoder: "file:" }, "/w").encoder).toBe("file:");
    const bare = absolutePaths({ ...config, dataDir: undefined, cacheDir: undefined, out: undefined }, "/w");
    expect("dataDir" in bare && bare.dataDir !== undefined).toBe(false);
    expect(bare.out).toBeUndefined();
  });
});
