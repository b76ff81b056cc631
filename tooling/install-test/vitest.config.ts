import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One package manager at a time: installs share the machine's cores and caches.
    fileParallelism: false,
  },
});
