import { loadUseLiteModel } from "../dist/use-lite-model.js";
import * as tf from "@tensorflow/tfjs-core";
import { readFileSync } from "node:fs";
const m = await loadUseLiteModel({ backend: process.argv[2] ?? "wasm" });
let lines = readFileSync("/work/shared/data/amazon-office-products/amazon-office-products.item","utf8").trim().split("\n").slice(1).map(l=>l.split("\t")[1]);
await m.embed(lines.slice(0,32));
const agg = {};
const origEmbed = m.embed;
const p = await tf.profile(async () => { await m.embed(lines.slice(32,64)); });
for (const k of p.kernels) { const a = agg[k.name] ??= {n:0, ms:0}; a.n++; a.ms += (await k.kernelTimeMs)?.kernelMs ?? k.kernelTimeMs ?? 0; }
console.log(Object.entries(agg).sort((a,b)=>b[1].ms-a[1].ms).slice(0,15));
const shapes = p.kernels.filter(k=>k.name==="BatchMatMul"||k.name==="_FusedMatMul").slice(0,10).map(k=>k.inputShapes);
console.log(JSON.stringify(shapes));
for (const k of p.kernels.filter(k=>["BatchMatMul","Conv2D","Add","SplitV"].includes(k.name))) console.log(k.name, JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes), (typeof k.kernelTimeMs==="number"?k.kernelTimeMs:(await k.kernelTimeMs)).toFixed?.(1) ?? k.kernelTimeMs);
