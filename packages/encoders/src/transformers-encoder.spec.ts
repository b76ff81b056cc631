import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotAvailableError } from "@llminit/core";
import { createTransformersEncoder } from "./transformers-encoder.js";
import { ONNX_FLOAT, ONNX_INT64, writeOnnxModel } from "./test-utils/onnx-writer.js";
import type { TextEncoder } from "./types.js";

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "pen", "black", "blue", "sink", "steel", "##s"];
const HIDDEN = 4;
/** Embedding table of the tiny model: E[v][h] = sin(1 + 3v + h). */
const TABLE = Float32Array.from({ length: VOCAB.length * HIDDEN }, (_, k) =>
  Math.sin(1 + 3 * Math.floor(k / HIDDEN) + (k % HIDDEN)),
);
const MODEL_ID = "test-org/tiny-gather";

/** Mean of the token rows, L2-normalised, in float64: what the pipeline must return. */
function expectedEmbedding(tokens: string[]): number[] {
  const sum = new Array<number>(HIDDEN).fill(0);
  for (const token of tokens) {
    const v = VOCAB.indexOf(token);
    for (let h = 0; h < HIDDEN; h++) sum[h] += Math.fround(TABLE[v * HIDDEN + h]);
  }
  const mean = sum.map((s) => s / tokens.length);
  const norm = Math.hypot(...mean);
  return mean.map((m) => m / norm);
}

async function writeTinyModel(root: string): Promise<void> {
  const dir = join(root, MODEL_ID);
  await mkdir(join(dir, "onnx"), { recursive: true });
  const dims: Array<number | string> = ["batch", "sequence"];
  const onnx = writeOnnxModel({
    nodes: [
      { op: "Gather", inputs: ["embeddings", "input_ids"], outputs: ["last_hidden_state"], intAttributes: { axis: 0 } },
    ],
    initializers: [{ name: "embeddings", dims: [VOCAB.length, HIDDEN], values: TABLE }],
    inputs: [
      { name: "input_ids", elemType: ONNX_INT64, shape: dims },
      { name: "attention_mask", elemType: ONNX_INT64, shape: dims },
      { name: "token_type_ids", elemType: ONNX_INT64, shape: dims },
    ],
    outputs: [{ name: "last_hidden_state", elemType: ONNX_FLOAT, shape: [...dims, HIDDEN] }],
  });
  await writeFile(join(dir, "onnx", "model.onnx"), onnx);
  const special = (id: number, content: string): Record<string, unknown> => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]")],
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])),
    },
  };
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizer));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 512,
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      cls_token: "[CLS]",
      sep_token: "[SEP]",
    }),
  );
  await writeFile(
    join(dir, "config.json"),
    JSON.stringify({ model_type: "bert", architectures: ["BertModel"], hidden_size: HIDDEN, vocab_size: VOCAB.length }),
  );
}

let root: string;
let encoder: TextEncoder;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "transformers-"));
  await writeTinyModel(root);
  encoder = await createTransformersEncoder(MODEL_ID, { modelDir: root });
}, 60_000);
afterAll(async () => {
  await encoder?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe("transformers: encoder (tiny ONNX model built by the test)", () => {
  it("mean-pools over the attention mask and L2-normalises, rows in item order", async () => {
    expect(encoder.id).toBe(`transformers:${MODEL_ID}`);
    const m = await encoder.encode(
      [
        { id: "a", text: "Black pens" },
        { id: "b", text: "sink" },
        { id: "c", text: "blue steel sink pen" },
      ],
      { batchSize: 8 },
    );
    expect([m.rows, m.cols]).toEqual([3, HIDDEN]);
    expect(encoder.dimension()).toBe(HIDDEN);
    const want = [
      expectedEmbedding(["[CLS]", "black", "pen", "##s", "[SEP]"]),
      expectedEmbedding(["[CLS]", "sink", "[SEP]"]),
      expectedEmbedding(["[CLS]", "blue", "steel", "sink", "pen", "[SEP]"]),
    ];
    want.forEach((row, i) => row.forEach((v, h) => expect(m.data[i * HIDDEN + h]).toBeCloseTo(v, 5)));
  });

  it("says where the files must go when a model is absent", async () => {
    const error = await createTransformersEncoder("Xenova/all-MiniLM-L6-v2", { modelDir: root }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotAvailableError);
    const message = (error as Error).message;
    expect(message).toContain('transformers model "Xenova/all-MiniLM-L6-v2"');
    expect(message).toContain(
      `${join(root, "Xenova/all-MiniLM-L6-v2")}/: config.json, tokenizer.json, tokenizer_config.json and onnx/model_quantized.onnx`,
    );
  });
});
