// Shared flat config: recommended JS + TypeScript rules, plus the few project conventions
// that a reviewer would otherwise have to repeat (no stray console in libraries, no any).
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "coverage/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "error",
      eqeqeq: ["error", "smart"],
      // Prettier wraps code at 120 columns; this catches the comments and strings it cannot wrap.
      "max-len": [
        "error",
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    files: ["**/*.spec.ts", "test/**"],
    rules: { "no-console": "off" },
  },
);

/**
 * For packages whose main entry must run in browsers too (core, kernels, selection, metrics, models): no Node
 * built-in modules or Node-only globals outside `src/node/` (the `./node` subpath, or a file that package.json's
 * "browser" field swaps for its `src/browser/` twin). Tests and test utilities are exempt.
 */
export const browserSafe = {
  files: ["src/**/*.ts"],
  ignores: ["src/node/**", "src/**/*.spec.ts", "src/**/test-utils/**"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        paths: builtinModules.map((name) => ({
          name,
          message: "Node-only: put this code in src/node/ (see docs/architecture.md, 'Entry points').",
        })),
        patterns: [
          {
            group: ["node:*"],
            message: "Node-only: put this code in src/node/ (see docs/architecture.md, 'Entry points').",
          },
        ],
      },
    ],
    "no-restricted-globals": [
      "error",
      ...["process", "Buffer", "require", "module", "__dirname", "__filename", "setImmediate"].map((name) => ({
        name,
        message: "Node-only global: put this code in src/node/ (see docs/architecture.md, 'Entry points').",
      })),
    ],
  },
};
