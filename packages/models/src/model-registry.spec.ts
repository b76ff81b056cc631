import { describe, expect, it } from "vitest";
import { ConfigError, csrFromPairs } from "@llminit/core";
import { MODELS } from "./models/index.js";
import { isolatedItemScale, resolveTrainConfig } from "./model-registry.js";
import { ReferenceBlocks } from "./test-utils/reference-blocks.js";
import { randomValues } from "./test-utils/reference.js";
import type { TrainConfig } from "./types.js";

describe("model registry", () => {
  // 3 users × 4 items; item 3 has no edge, as a new item at cold-start time.
  const train = csrFromPairs(3, 4, [0, 1, 2, 0], [0, 1, 2, 1]);
  const dim = 3;
  const table = Float64Array.from(randomValues(7 * dim, 13));
  const cases = MODELS.flatMap((model) =>
    ("layers" in model.options ? [1, 3] : [undefined]).map((layers) => [model.name, layers] as const),
  );

  it.each(cases)("%s (layers %s): embed gives a node without edges isolatedScale × its ego row", (name, layers) => {
    const { model, settings } = resolveTrainConfig({ model: name, ...(layers === undefined ? {} : { layers }) });
    const final = ReferenceBlocks.rows(model.embed(new ReferenceBlocks(train, table, dim), settings));
    const node = 3 + 3;
    const scale = isolatedItemScale({ model: name, ...(layers === undefined ? {} : { layers }) });
    expect(scale).toBe(model.isolatedScale(settings));
    for (let c = 0; c < dim; c++) expect(final[node * dim + c]).toBeCloseTo(scale * table[node * dim + c], 12);
  });

  it("takes the trainer's negatives and early-stopping rule beside the model's settings, checking them", () => {
    const config: TrainConfig = { model: "lightgcn", negatives: "exclude-positive", earlyStopping: "recbole" };
    expect(() => resolveTrainConfig(config)).not.toThrow();
    // As a config file or a JavaScript caller may give them.
    const unchecked = (values: Record<string, string>) => ({ ...config, ...values }) as unknown as TrainConfig;
    expect(() => resolveTrainConfig(unchecked({ negatives: "none" }))).toThrow(ConfigError);
    expect(() => resolveTrainConfig(unchecked({ earlyStopping: "loose" }))).toThrow(
      /config\.earlyStopping.*"strict", "recbole", got "loose"/,
    );
  });
});
