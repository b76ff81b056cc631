const t = await import("@xenova/transformers");
console.log(Object.keys(t).filter(k=>/pipeline|env|AutoModel|AutoTokenizer/.test(k)), t.env.localModelPath, t.env.cacheDir, t.env.backends.onnx.wasm?.numThreads);
