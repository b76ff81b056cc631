import config from "@llminit/eslint-config";

// The generated module holds the compiled wasm as one long base64 line.
export default [...config, { ignores: ["src/kernel-wasm.generated.ts"] }];
