/**
 * The SentencePiece-style unigram tokenizer of Universal Sentence Encoder lite, the same
 * algorithm as `@tensorflow-models/universal-sentence-encoder`'s `Tokenizer`: NFKC-normalise,
 * prefix the text and replace spaces with `▁`, build a lattice of every vocabulary piece
 * matching at every position, and keep the highest-scoring (Viterbi) segmentation.
 * Characters not in the vocabulary become id 0 (`<unk>`); consecutive unknowns are merged.
 */

/** `[piece, log-probability score]`, index = token id. */
export type SentencePieceVocabulary = ReadonlyArray<readonly [string, number]>;

const SEPARATOR = "\u2581";
/** The first ids are reserved for unk, control and user-defined symbols. */
const RESERVED_SYMBOLS_COUNT = 6;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Token id ending here, or -1. */
  id: number;
  score: number;
}

function newNode(): TrieNode {
  return { children: new Map(), id: -1, score: 0 };
}

/** Text exactly as the USE tokenizer sees it: NFKC, `▁` prefix, spaces → `▁`. */
export function preprocessForSentencePiece(text: string): string {
  const normalized = text.normalize("NFKC");
  return normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
}

/** Unigram Viterbi tokenizer over a USE vocabulary. */
export class SentencePieceTokenizer {
  private readonly root: TrieNode = newNode();

  constructor(vocabulary: SentencePieceVocabulary, reservedSymbolsCount = RESERVED_SYMBOLS_COUNT) {
    for (let i = 0; i < vocabulary.length; i++) {
      const [piece, score] = vocabulary[i];
      const chars = Array.from(piece);
      if (i < reservedSymbolsCount) continue;
      let node = this.root;
      for (const ch of chars) {
        let next = node.children.get(ch);
        if (next === undefined) {
          next = newNode();
          node.children.set(ch, next);
        }
        node = next;
      }
      node.id = i;
      node.score = score;
    }
  }

  /** Token ids of `text` (empty text → no tokens). */
  encode(text: string): number[] {
    const symbols = Array.from(preprocessForSentencePiece(text));
    const n = symbols.length;
    // best[e] = best score of a segmentation of symbols[0, e); 0 means "unset" as in the
    // reference (scores are negative log-probabilities, unknowns score 0).
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    // Unreachable positions step back one symbol, like the reference's `<unk>` of length 1.
    const lengths = new Int32Array(n + 1).fill(1);
    // Lattice: candidates[e] = pieces ending at e as [start, id, score], by ascending start
    // (the reference relaxes end positions in increasing order, start positions ascending).
    const candidates: Array<Array<[number, number, number]>> = [];
    for (let e = 0; e <= n; e++) candidates.push([]);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]);
      let matched = false;
      for (let j = i; j < n && node !== undefined; j++) {
        if (node.id >= 0) {
          candidates[j + 1].push([i, node.id, node.score]);
          matched = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]) : undefined;
      }
      if (!matched) candidates[i + 1].push([i, 0, 0]);
    }
    for (let e = 1; e <= n; e++) {
      for (const [start, id, score] of candidates[e]) {
        const total = score + best[start];
        if (best[e] === 0 || total >= best[e]) {
          best[e] = total;
          words[e] = id;
          lengths[e] = e - start;
        }
      }
    }
    const reversed: number[] = [];
    let iter = n;
    while (iter > 0) {
      reversed.push(words[iter]);
      iter -= lengths[iter];
    }
    const out: number[] = [];
    let previousUnk = false;
    for (const id of reversed) {
      if (!(previousUnk && id === 0)) out.push(id);
      previousUnk = id === 0;
    }
    return out.reverse();
  }
}
