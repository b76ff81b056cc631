import type { Csr } from "@llminit/core";
import type { Split } from "@llminit/data";
import type { TrainConfig } from "@llminit/models";

/** `standard` (default): this project's protocol; `official`: the official LLMInit code's. */
export type ProtocolName = "standard" | "official";

/** Everything a protocol decides about evaluation and sampling. */
export interface EvaluationProtocol {
  name: ProtocolName;
  /** One line for reports and logs. */
  description: string;
  /** Items never ranked when validating: each user's training items, or nothing. */
  validExclude(split: Split): Csr[];
  /** Items never ranked when testing: training and validation items, or nothing. */
  testExclude(split: Split): Csr[];
  /** The trainer's negatives and early-stopping rule. */
  training: Required<Pick<TrainConfig, "negatives" | "earlyStopping">>;
}

/**
 * The protocols by name. `official` is what the official LLMInit code (a RecBole fork) runs with
 * its `repeatable: True` and `metric_decimal_place: 4`: RecBole's `RepeatableSampler` masks no
 * history at evaluation (a user's training and validation items stay rankable at test time) and
 * draws training negatives that exclude only the current positive; early stopping takes `≥` on
 * the 4-decimal valid score and stops after `patience + 1` evaluations without a new best.
 */
export const PROTOCOLS: Readonly<Record<ProtocolName, EvaluationProtocol>> = Object.freeze({
  standard: {
    name: "standard",
    description:
      "train (and valid at test) items masked; negatives exclude the user's train items; strict > early stopping",
    validExclude: (split: Split) => [split.train],
    testExclude: (split: Split) => [split.train, split.valid],
    training: { negatives: "exclude-train", earlyStopping: "strict" },
  },
  official: {
    name: "official",
    description:
      "official LLMInit code (RecBole repeatable: True): nothing masked; negatives exclude only the positive; " +
      "≥ on 4-decimal valid score, stop after patience + 1",
    validExclude: () => [],
    testExclude: () => [],
    training: { negatives: "exclude-positive", earlyStopping: "recbole" },
  },
});
