import config, { browserSafe } from "@llminit/eslint-config";

// `src/browser.ts` and what it imports run in browsers; the rest of the package is Node-only.
const browserFiles = [
  "src/browser.ts",
  "src/interaction-log.ts",
  "src/filters.ts",
  "src/split.ts",
  "src/item-text.ts",
  "src/python-literal.ts",
  "src/registry.ts",
  "src/sparsify-train.ts",
];

export default [...config, { ...browserSafe, files: browserFiles, ignores: [] }];
