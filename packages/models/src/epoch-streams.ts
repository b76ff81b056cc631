import type { Rng } from "@llminit/core";

/**
 * The current epoch's random streams as the engines hand them to the blocks: augmented graphs
 * drawn once per epoch per name from `views/<name>`, and 32-bit noise seeds drawn in turn from
 * `noise`. Both engines draw the same numbers in the same order for the same model.
 */
export class EpochStreams<G> {
  private epoch?: { rng: Rng; noise: Rng; views: Map<string, G> };

  /** Starts an epoch; returns the previous epoch's graphs (for the caller to free). */
  begin(rng: Rng): G[] {
    const previous = this.epoch === undefined ? [] : [...this.epoch.views.values()];
    this.epoch = { rng, noise: rng.child("noise"), views: new Map() };
    return previous;
  }

  private current(): { rng: Rng; noise: Rng; views: Map<string, G> } {
    if (this.epoch === undefined) throw new Error("training engine: beginEpoch must come before the first step");
    return this.epoch;
  }

  /** The graph `name` of this epoch, drawn from its stream by `draw` on first use. */
  view(name: string, draw: (rng: Rng) => G): G {
    const { rng, views } = this.current();
    let graph = views.get(name);
    if (graph === undefined) {
      graph = draw(rng.child("views").child(name));
      views.set(name, graph);
    }
    return graph;
  }

  /** The next `count` seeds of the epoch's noise stream. */
  noiseSeeds(count: number): number[] {
    const { noise } = this.current();
    return Array.from({ length: count }, () => noise.nextUint32());
  }

  /** This epoch's graphs. */
  graphs(): G[] {
    return this.epoch === undefined ? [] : [...this.epoch.views.values()];
  }
}
