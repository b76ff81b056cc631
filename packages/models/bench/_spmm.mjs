import { createRng, csrFromPairs } from "@llminit/core";
import { buildNormalizedAdjacency, spmm } from "../dist/index.js";
const U=3260,I=1583; const rng=createRng(1); const r=[],c=[];
for(let k=0;k<29900;k++){r.push(rng.int(U));c.push(rng.int(I));}
const train=csrFromPairs(U,I,r,c); const adj=buildNormalizedAdjacency(train);
const d=128; const x=new Float32Array(adj.nodes*d).map(()=>Math.random());
function spmmF32(adj, x, dim, out) {
  const { nodes, indptr, indices, values } = adj;
  out.fill(0);
  for (let r = 0; r < nodes; r++) {
    const base = r * dim;
    for (let k = indptr[r], end = indptr[r + 1]; k < end; k++) {
      const w = values[k]; const src = indices[k] * dim;
      for (let c = 0; c < dim; c++) out[base + c] += w * x[src + c];
    }
  }
}
function spmmBlock8(adj, x, dim, out) {
  const { nodes, indptr, indices, values } = adj;
  for (let r = 0; r < nodes; r++) {
    const base = r * dim; const start = indptr[r], end = indptr[r + 1];
    for (let c = 0; c < dim; c += 8) {
      let a0=0,a1=0,a2=0,a3=0,a4=0,a5=0,a6=0,a7=0;
      for (let k = start; k < end; k++) {
        const w = values[k]; const s = indices[k] * dim + c;
        a0+=w*x[s];a1+=w*x[s+1];a2+=w*x[s+2];a3+=w*x[s+3];a4+=w*x[s+4];a5+=w*x[s+5];a6+=w*x[s+6];a7+=w*x[s+7];
      }
      const o=base+c; out[o]=a0;out[o+1]=a1;out[o+2]=a2;out[o+3]=a3;out[o+4]=a4;out[o+5]=a5;out[o+6]=a6;out[o+7]=a7;
    }
  }
}
function spmmBlock16(adj, x, dim, out) {
  const { nodes, indptr, indices, values } = adj;
  for (let r = 0; r < nodes; r++) {
    const base = r * dim; const start = indptr[r], end = indptr[r + 1];
    for (let c = 0; c < dim; c += 16) {
      let a0=0,a1=0,a2=0,a3=0,a4=0,a5=0,a6=0,a7=0,b0=0,b1=0,b2=0,b3=0,b4=0,b5=0,b6=0,b7=0;
      for (let k = start; k < end; k++) {
        const w = values[k]; const s = indices[k] * dim + c;
        a0+=w*x[s];a1+=w*x[s+1];a2+=w*x[s+2];a3+=w*x[s+3];a4+=w*x[s+4];a5+=w*x[s+5];a6+=w*x[s+6];a7+=w*x[s+7];
        b0+=w*x[s+8];b1+=w*x[s+9];b2+=w*x[s+10];b3+=w*x[s+11];b4+=w*x[s+12];b5+=w*x[s+13];b6+=w*x[s+14];b7+=w*x[s+15];
      }
      const o=base+c; out[o]=a0;out[o+1]=a1;out[o+2]=a2;out[o+3]=a3;out[o+4]=a4;out[o+5]=a5;out[o+6]=a6;out[o+7]=a7;
      out[o+8]=b0;out[o+9]=b1;out[o+10]=b2;out[o+11]=b3;out[o+12]=b4;out[o+13]=b5;out[o+14]=b6;out[o+15]=b7;
    }
  }
}
const fns={spmm,spmmF32,spmmBlock8,spmmBlock16};
const ref=new Float32Array(x.length); spmm(adj,x,d,ref);
for (const [name,f] of Object.entries(fns)) { const out=new Float32Array(x.length); const ts=[]; for(let i=0;i<8;i++){const t=performance.now(); f(adj,x,d,out); ts.push(performance.now()-t);} let e=0; for(let i=0;i<x.length;i++) e=Math.max(e,Math.abs(out[i]-ref[i])); console.log(name, ts.map(t=>t.toFixed(1)).join(" "), "maxdiff", e); }
