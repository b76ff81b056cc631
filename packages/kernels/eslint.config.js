import config, { browserSafe } from "@llminit/eslint-config";

// The generated module holds the compiled wasm as one long base64 line.
export default [...config, browserSafe, { ignores: ["src/kernel-wasm.generated.ts"] }];
