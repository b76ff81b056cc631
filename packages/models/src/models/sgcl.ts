import { defineModel } from "../model-definition.js";

/** SGCL's options. */
export type SgclOptions = { layers: number; temperature: number };

/**
 * SGCL (the LLMInit authors' sgcl.py): LightGCN trained with a supervised contrastive loss on the
 * batch's observed pairs (no negative sampling, so users who interacted with every item are
 * kept). Their loss has no L2 term: λ defaults to 0. Defaults: `SGCL.yaml` with the LLMInit
 * protocol's d 128 and batch 256.
 */
export const sgcl = defineModel<SgclOptions>({
  name: "sgcl",
  title: "SGCL",
  summary: "LightGCN + supervised contrastive loss on the observed pairs (no negatives)",
  reference: "the LLMInit authors' sgcl.py / SGCL.yaml (τ 0.2, no L2 term)",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 0, batchSize: 256, epochs: 300, patience: 10 },
  options: {
    layers: { kind: "integer", default: 2, min: 0, max: 10, help: "propagation layers K" },
    temperature: { kind: "number", default: 0.2, above: 0, help: "contrastive temperature τ" },
  },
  negatives: false,
  loss(b, batch, o) {
    const final = b.propagate({ layers: o.layers, rows: batch.pairs }).mean;
    return b.sum(b.pairContrast(final, o.temperature), b.scale(b.l2(batch.pairs), o.regWeight / batch.size));
  },
  embed: (b, o) => b.propagate({ layers: o.layers }).mean,
  isolatedScale: (o) => 1 / (o.layers + 1),
});
