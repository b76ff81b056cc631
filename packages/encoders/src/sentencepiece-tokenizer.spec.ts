import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SentencePieceTokenizer, preprocessForSentencePiece } from "./sentencepiece-tokenizer.js";
import type { SentencePieceVocabulary } from "./sentencepiece-tokenizer.js";
import { defaultUseLiteDir } from "./use-lite-model.js";

const RESERVED: SentencePieceVocabulary = [
  ["<unk>", 0],
  ["<s>", 0],
  ["</s>", 0],
  ["x1", 0],
  ["x2", 0],
  ["x3", 0],
];

describe("SentencePieceTokenizer", () => {
  it("prefixes ▁, replaces spaces and NFKC-normalises", () => {
    expect(preprocessForSentencePiece("a b")).toBe("\u2581a\u2581b");
    expect(preprocessForSentencePiece("ﬁ")).toBe("\u2581fi");
    expect(preprocessForSentencePiece("")).toBe("");
  });

  it("keeps the highest-scoring segmentation (Viterbi), not the greedy longest match", () => {
    // "▁abc": greedy longest prefix would take "▁ab" + "c" (-5 + -5 = -10);
    // "▁a" + "bc" scores -1 + -1 = -2 and must win.
    const vocab: SentencePieceVocabulary = [
      ...RESERVED,
      ["▁ab", -5],
      ["c", -5],
      ["▁a", -1],
      ["bc", -1],
      ["b", -3],
      ["▁", -10],
      ["a", -10],
    ];
    const t = new SentencePieceTokenizer(vocab);
    expect(t.encode("abc")).toEqual([8, 9]);
    // With "bc" gone the best path is "▁a" "b" "c" (-9) vs "▁ab" "c" (-10).
    const t2 = new SentencePieceTokenizer([
      ...RESERVED,
      ["▁ab", -5],
      ["c", -5],
      ["▁a", -1],
      ["b", -3],
      ["▁", -10],
      ["a", -10],
    ]);
    expect(t2.encode("abc")).toEqual([8, 9, 7]);
  });

  it("maps unknown characters to 0 and merges runs of them", () => {
    const vocab: SentencePieceVocabulary = [...RESERVED, ["▁", -2], ["a", -1]];
    const t = new SentencePieceTokenizer(vocab);
    expect(t.encode("a")).toEqual([6, 7]);
    expect(t.encode("a€€a")).toEqual([6, 7, 0, 7]);
    expect(t.encode("")).toEqual([]);
  });

  it("never matches the reserved pieces", () => {
    const t = new SentencePieceTokenizer([...RESERVED, ["▁", -2], ["<", -1], ["s", -1], [">", -1]]);
    expect(t.encode("<s>")).toEqual([6, 7, 8, 9]);
  });

  it("tokenizes with the real USE vocabulary", () => {
    const vocab = JSON.parse(readFileSync(`${defaultUseLiteDir()}/vocab.json`, "utf8")) as SentencePieceVocabulary;
    const t = new SentencePieceTokenizer(vocab);
    const pieces = t.encode("black ballpoint pen, pack of 12").map((id) => vocab[id][0]);
    expect(pieces).toEqual(["▁black", "▁ball", "point", "▁pen", ",", "▁pack", "▁of", "▁12"]);
  });
});
