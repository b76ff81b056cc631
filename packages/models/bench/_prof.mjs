import { createRng, csrFromPairs } from "@llminit/core";
import { buildNormalizedAdjacency, propagateMean, spmm } from "/work/main/packages/models/dist/index.js";
const U=3260,I=1583; const rng=createRng(1); const r=[],c=[];
for(let k=0;k<29900;k++){r.push(rng.int(U));c.push(rng.int(I));}
const train=csrFromPairs(U,I,r,c); const adj=buildNormalizedAdjacency(train);
const d=128; const x=new Float32Array(adj.nodes*d).map(()=>Math.random());
for (let rep=0;rep<5;rep++){ let t=performance.now(); const out=new Float32Array(x.length); spmm(adj,x,d,out); const a=performance.now()-t; t=performance.now(); propagateMean(adj,x,d,2); console.log("spmm ms",a.toFixed(1),"propagateMean ms",(performance.now()-t).toFixed(1)); }
