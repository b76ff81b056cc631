import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One browser at a time: the demo trains on every core it is given.
    fileParallelism: false,
  },
});
