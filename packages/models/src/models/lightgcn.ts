import { defineModel } from "../model-definition.js";

/** LightGCN's options. */
export type LightGcnOptions = { layers: number };

/**
 * LightGCN (He et al., SIGIR 2020): final = mean of layers 0 … K of `Eᵏ = Â Eᵏ⁻¹`, BPR with one
 * uniform negative per pair, squared L2 on the batch's ego rows (the paper's; RecBole's default and
 * the official LLMInit code use `require_pow: False`: unsquared norms, λ = 1e-5).
 * Defaults are the LLMInit paper's protocol (d 128, K 2, batch 256, Adam 1e-3); the LightGCN
 * paper used d 64, K 3, batch 2048, λ 1e-4.
 */
export const lightgcn = defineModel<LightGcnOptions>({
  name: "lightgcn",
  title: "LightGCN",
  summary: "mean of K layers of Â-propagation; BPR + L2",
  reference: "He et al., LightGCN, SIGIR 2020; RecBole's lightgcn.py. Original: d 64, K 3, batch 2048, λ 1e-4, lr 1e-3",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 1e-4, batchSize: 256, epochs: 300, patience: 10 },
  options: { layers: { kind: "integer", default: 2, min: 0, max: 10, help: "propagation layers K" } },
  negatives: true,
  loss(b, batch, o) {
    const final = b.propagate({ layers: o.layers, rows: batch.triples }).mean;
    return b.sum(b.bpr(final), b.scale(b.l2(batch.triples), o.regWeight / batch.size));
  },
  embed: (b, o) => b.propagate({ layers: o.layers }).mean,
  isolatedScale: (o) => 1 / (o.layers + 1),
});
