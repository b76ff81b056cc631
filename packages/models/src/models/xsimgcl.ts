import { defineModel } from "../model-definition.js";
import { anchorsInfoNce, anchorsOf } from "./contrastive.js";

/** XSimGCL's options. */
export type XSimGclOptions = {
  layers: number;
  contrastLayer: number;
  noise: number;
  sslWeight: number;
  temperature: number;
};

/**
 * XSimGCL (Yu et al., "XSimGCL: Towards Extremely Simple Graph Contrastive Learning for
 * Recommendation", TKDE 2023; the authors' SELFRec `XSimGCL.py`): one propagation per step that
 * adds SimGCL's noise `sign(Eᵏ) ⊙ ε · u / ‖u‖` to every layer; BPR + L2 on the mean of its layers
 * 1 … K, plus `sslWeight · (InfoNCE_users + InfoNCE_items)` between that mean and the output of
 * layer l* (`contrastLayer`), on the batch's distinct users and positive items with in-batch
 * negatives. Scores with the clean mean of layers 1 … K. Defaults: SELFRec's `XSimGCL.yaml`
 * (K 2, l* 1, ε 0.2, λ 0.2, τ 0.15) with the LLMInit protocol's d 128 and batch 256; L2 is this
 * package's squared form on the batch's ego rows (SELFRec: norms of the propagated rows).
 */
export const xsimgcl = defineModel<XSimGclOptions>({
  name: "xsimgcl",
  title: "XSimGCL",
  summary: "one noisy propagation: BPR on its mean, InfoNCE between the mean and layer l*",
  reference:
    "Yu et al., XSimGCL, TKDE 2023; SELFRec's XSimGCL.py / XSimGCL.yaml (K 2, l* 1, ε 0.2, λ 0.2, τ 0.15). Original: d 64, batch 2048",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 1e-4, batchSize: 256, epochs: 300, patience: 10 },
  options: {
    layers: { kind: "integer", default: 2, min: 1, max: 10, help: "propagation layers K (the mean of layers 1 … K)" },
    contrastLayer: { kind: "integer", default: 1, min: 1, help: "layer l* contrasted with the mean (1 … K)" },
    noise: { kind: "number", default: 0.2, min: 0, help: "magnitude ε of the noise added to each layer's rows" },
    sslWeight: { kind: "number", default: 0.2, min: 0, help: "weight λ of the InfoNCE terms" },
    temperature: { kind: "number", default: 0.15, above: 0, help: "InfoNCE temperature τ" },
  },
  negatives: true,
  check: (o) =>
    o.contrastLayer > o.layers
      ? { option: "contrastLayer", problem: `must be ≤ layers (${o.layers}), got ${o.contrastLayer}` }
      : undefined,
  loss(b, batch, o) {
    const { layers, temperature } = o;
    const noisy = b.propagate({ layers, includeEgo: false, noise: o.noise, keepLayers: [o.contrastLayer] });
    const ranking = b.sum(
      b.bpr(b.gather(noisy.mean, batch.triples)),
      b.scale(b.l2(batch.triples), o.regWeight / batch.size),
    );
    if (o.sslWeight === 0) return ranking;
    const anchors = anchorsOf(b, batch);
    const final = b.gather(noisy.mean, anchors.nodes);
    const layer = b.gather(noisy.layer(o.contrastLayer), anchors.nodes);
    const ssl = anchorsInfoNce(b, final, layer, anchors, temperature);
    return b.sum(ranking, b.scale(ssl, o.sslWeight));
  },
  embed: (b, o) => b.propagate({ layers: o.layers, includeEgo: false }).mean,
  isolatedScale: () => 0,
});
