import { createRng, csrFromPairs } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean, propagateMeanSparse, spmm } from "../dist/index.js";
const U=3260,I=1583; const rng=createRng(1); const r=[],c=[];
const w = Float64Array.from({ length: I }, (_, i) => 1 / Math.pow(i + 1, 0.8)); let tot=0; const cum=w.map(v=>tot+=v);
const draw=()=>{const x=rng.next()*tot; let lo=0,hi=I-1; while(lo<hi){const m=(lo+hi)>>>1; if(cum[m]<x) lo=m+1; else hi=m;} return lo;};
for(let k=0;k<29900;k++){r.push(rng.int(U));c.push(draw());}
const train=csrFromPairs(U,I,r,c); const adj=buildNormalizedAdjacency(train);
const d=128; const x=new Float32Array(adj.nodes*d).map(()=>Math.random());
const B=+process.argv[2]||256;
const rows=new Set(); for(let b=0;b<B;b++){rows.add(rng.int(U)); rows.add(U+draw()); rows.add(U+rng.int(I));}
const rowList=[...rows];
const g=new Float32Array(x.length); for(const q of rowList) for(let k=0;k<d;k++) g[q*d+k]=Math.random();
// reached set sizes
const mark=new Uint8Array(adj.nodes); let sd1=0; for(const q of rowList){ sd1+=adj.indptr[q+1]-adj.indptr[q]; }
const n1=new Set(); for(const q of rowList) for(let k=adj.indptr[q];k<adj.indptr[q+1];k++) n1.add(adj.indices[k]);
let sd2=0; for(const q of n1) sd2+=adj.indptr[q+1]-adj.indptr[q];
console.log("nnz",adj.indices.length,"batch rows",rowList.length,"sumdeg(B)",sd1,"|N(B)|",n1.size,"sumdeg(N(B))",sd2);
const time=(name,f)=>{const ts=[];for(let i=0;i<10;i++){const t=performance.now();f();ts.push(performance.now()-t);} ts.sort((a,b)=>a-b); console.log(name, ts[4].toFixed(1),"ms median");};
const out=new Float32Array(x.length);
time("spmm full", ()=>spmm(adj,x,d,out));
time("propagateMean full K=2", ()=>propagateMean(adj,x,d,2));
time("propagateMean rows K=2", ()=>propagateMean(adj,x,d,2,rowList));
time("propagateMeanSparse K=2 (rows given)", ()=>propagateMeanSparse(adj,g,d,2,rowList));
time("Float32Array.from 620k", ()=>Float32Array.from(x));
time("new Float32Array 620k", ()=>new Float32Array(x.length));
