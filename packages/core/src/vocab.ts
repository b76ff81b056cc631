/**
 * Original id (string) ↔ dense index (0 … size−1), in order of first appearance unless built
 * from a given list. Keeps the dataset's own ids so that results can be mapped back.
 */
export class Vocab {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  static from(ids: Iterable<string>): Vocab {
    const vocab = new Vocab();
    for (const id of ids) {
      if (vocab.index.has(id)) throw new RangeError(`duplicate id "${id}" in vocabulary`);
      vocab.add(id);
    }
    return vocab;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, adding it when new. */
  add(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  /** The index of `id`, or undefined. */
  get(id: string): number | undefined {
    return this.index.get(id);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** The original id at index `i`. */
  idOf(i: number): string {
    const id = this.ids[i];
    if (id === undefined) throw new RangeError(`index ${i} out of range [0, ${this.ids.length})`);
    return id;
  }

  /** All ids in index order (a copy). */
  toArray(): string[] {
    return this.ids.slice();
  }

  /** A new vocabulary holding only the kept indices, in their order, with the old → new map (−1 = dropped). */
  subset(keep: ArrayLike<boolean | number>): { vocab: Vocab; remap: Int32Array } {
    const remap = new Int32Array(this.ids.length).fill(-1);
    const vocab = new Vocab();
    for (let i = 0; i < this.ids.length; i++) if (keep[i]) remap[i] = vocab.add(this.ids[i]);
    return { vocab, remap };
  }
}
