import type { Augmentation } from "../augmentation.js";
import { defineModel } from "../model-definition.js";
import { anchorsInfoNce, anchorsOf } from "./contrastive.js";

/** SGL's options. */
export type SglOptions = {
  layers: number;
  temperature: number;
  sslWeight: number;
  dropRatio: number;
  augmentation: Augmentation;
  sslNegatives: "all" | "batch";
};

/**
 * SGL (Wu et al., SIGIR 2021; RecBole's sgl.py, which the LLMInit code runs): LightGCN with BPR +
 * L2, plus `sslWeight · (InfoNCE_users + InfoNCE_items)` between two augmented views of the graph
 * drawn per epoch, on the batch's distinct users and distinct positive items. Defaults are the
 * LLMInit authors' `SGL.yaml` with the LLMInit protocol's d 128 and batch 256.
 */
export const sgl = defineModel<SglOptions>({
  name: "sgl",
  title: "SGL",
  summary: "LightGCN + InfoNCE between two augmented graph views per epoch",
  reference: "Wu et al., SGL, SIGIR 2021; RecBole's sgl.py; the LLMInit authors' SGL.yaml (λ 1e-5, w 0.05, ρ 0.1)",
  defaults: { dim: 128, learningRate: 1e-3, regWeight: 1e-5, batchSize: 256, epochs: 300, patience: 10 },
  options: {
    layers: { kind: "integer", default: 2, min: 0, max: 10, help: "propagation layers K" },
    temperature: { kind: "number", default: 0.2, above: 0, help: "InfoNCE temperature τ" },
    sslWeight: {
      kind: "number",
      default: 0.05,
      min: 0,
      help: "weight of the InfoNCE terms (0: no views, LightGCN exactly)",
    },
    dropRatio: {
      kind: "number",
      default: 0.1,
      min: 0,
      max: 0.99,
      help: "share of edges (ed, rw) or nodes (nd) dropped",
    },
    augmentation: {
      kind: "string",
      default: "ed",
      choices: ["ed", "nd", "rw"],
      help: "views by edge dropout, node dropout or random walk (edge dropout per layer)",
    },
    sslNegatives: {
      kind: "string",
      default: "all",
      choices: ["all", "batch"],
      help: "InfoNCE negatives: every node of the type (RecBole) or the batch's anchors",
    },
  },
  negatives: true,
  loss(b, batch, o) {
    const { layers, temperature } = o;
    const ranking = b.sum(
      b.bpr(b.propagate({ layers, rows: batch.triples }).mean),
      b.scale(b.l2(batch.triples), o.regWeight / batch.size),
    );
    if (o.sslWeight === 0) return ranking;
    const anchors = anchorsOf(b, batch);
    const view = { augmentation: o.augmentation, dropRatio: o.dropRatio, layers };
    const first = b.propagate({ layers, graph: b.augmentedGraph("view-1", view), rows: anchors.nodes }).mean;
    const secondGraph = b.augmentedGraph("view-2", view);
    let ssl;
    if (o.sslNegatives === "all") {
      const second = b.propagate({ layers, graph: secondGraph }).mean;
      const { users, items } = anchors;
      ssl = b.sum(
        b.infoNce(b.slice(first, 0, users.length), b.slice(second, 0, b.users), { temperature, positives: users }),
        b.infoNce(b.slice(first, users.length, items.length), b.slice(second, b.users, b.items), {
          temperature,
          positives: items,
        }),
      );
    } else {
      const second = b.propagate({ layers, graph: secondGraph, rows: anchors.nodes }).mean;
      ssl = anchorsInfoNce(b, first, second, anchors, temperature);
    }
    return b.sum(ranking, b.scale(ssl, o.sslWeight));
  },
  embed: (b, o) => b.propagate({ layers: o.layers }).mean,
  isolatedScale: (o) => 1 / (o.layers + 1),
});
