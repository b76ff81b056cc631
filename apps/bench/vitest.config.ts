import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Makes sure /usr/bin/chromium exists (installs the Debian package when absent) for the
    // report rendering tests, or tells them why they must skip.
    globalSetup: ["./src/test-utils/chromium-global-setup.ts"],
  },
});
