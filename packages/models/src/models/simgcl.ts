import { defineModel } from "../model-definition.js";
import { anchorsInfoNce, anchorsOf } from "./contrastive.js";

/** SimGCL's options. */
export type SimGclOptions = { layers: number; noise: number; sslWeight: number; temperature: number };

/**
 * SimGCL (Yu et al., "Are Graph Augmentations Necessary? Simple Graph Contrastive Learning for
 * Recommendation", SIGIR 2022; the authors' SELFRec `SimGCL.py`): LightGCN whose scores are the
 * mean of layers 1 … K (no layer 0), trained with BPR + L2 on the clean propagation plus
 * `sslWeight · (InfoNCE_users + InfoNCE_items)` between two propagations that add noise to every
 * layer: `Eᵏ += sign(Eᵏ) ⊙ ε · u / ‖u‖`, u uniform per row. InfoNCE uses the batch's distinct users
 * and positive items, each view's other anchors as negatives. Defaults: SELFRec's `SimGCL.yaml`
 * (ε 0.1, λ 0.5, τ 0.2, K 2) with the LLMInit protocol's d 128 and batch 256; L2 is this
 * package's squared form on the batch's ego rows (SELFRec: unsquared norms of the propagated rows).
 */
export const simgcl = defineModel<SimGclOptions>({
  name: "simgcl",
  title: "SimGCL",
  summary: "LightGCN + InfoNCE between two views with uniform noise added to every layer",
  reference:
    "Yu et al., SimGCL, SIGIR 2022; SELFRec's SimGCL.py / SimGCL.yaml (ε 0.1, λ 0.5, τ 0.2, K 2). Original: d 64, batch 2048",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 1e-4, batchSize: 256, epochs: 300, patience: 10 },
  options: {
    layers: { kind: "integer", default: 2, min: 1, max: 10, help: "propagation layers K (the mean of layers 1 … K)" },
    noise: { kind: "number", default: 0.1, min: 0, help: "magnitude ε of the noise added to each layer's rows" },
    sslWeight: { kind: "number", default: 0.5, min: 0, help: "weight λ of the InfoNCE terms" },
    temperature: { kind: "number", default: 0.2, above: 0, help: "InfoNCE temperature τ" },
  },
  negatives: true,
  loss(b, batch, o) {
    const { layers, temperature } = o;
    const ranking = b.sum(
      b.bpr(b.propagate({ layers, includeEgo: false, rows: batch.triples }).mean),
      b.scale(b.l2(batch.triples), o.regWeight / batch.size),
    );
    if (o.sslWeight === 0) return ranking;
    const anchors = anchorsOf(b, batch);
    const view = () => b.propagate({ layers, includeEgo: false, noise: o.noise, rows: anchors.nodes }).mean;
    const ssl = anchorsInfoNce(b, view(), view(), anchors, temperature);
    return b.sum(ranking, b.scale(ssl, o.sslWeight));
  },
  embed: (b, o) => b.propagate({ layers: o.layers, includeEgo: false }).mean,
  isolatedScale: () => 0,
});
