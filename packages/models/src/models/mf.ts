import { defineModel } from "../model-definition.js";

/**
 * Matrix factorisation with BPR (Rendle et al., UAI 2009; RecBole's BPR): the scores are inner
 * products of the ego embeddings. Defaults as LightGCN (the LLMInit protocol: d 128, batch 256).
 */
export const mf = defineModel({
  name: "mf",
  title: "MF-BPR",
  summary: "ego embeddings scored directly; BPR + L2",
  reference: "Rendle et al., BPR, UAI 2009; RecBole's bpr.py",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 1e-4, batchSize: 256, epochs: 300, patience: 10 },
  options: {},
  negatives: true,
  loss(b, batch, o) {
    return b.sum(b.bpr(b.ego(batch.triples)), b.scale(b.l2(batch.triples), o.regWeight / batch.size));
  },
  embed: (b) => b.ego(),
  isolatedScale: () => 1,
});
