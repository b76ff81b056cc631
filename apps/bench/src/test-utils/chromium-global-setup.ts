import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";

export const CHROMIUM_PATH = "/usr/bin/chromium";

declare module "vitest" {
  export interface ProvidedContext {
    /** Empty when Chromium is usable; otherwise why the browser tests skip. */
    chromiumSkipReason: string;
  }
}

/**
 * Vitest global setup: the report tests drive Debian's `chromium` (never a downloaded browser).
 * When it is missing, installs it with apt-get; when that fails, the browser tests skip with the reason.
 */
export default function setup(project: TestProject): void {
  let reason = "";
  if (!existsSync(CHROMIUM_PATH)) {
    const result = spawnSync(
      "sh",
      ["-c", "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"],
      {
        encoding: "utf8",
        timeout: 15 * 60_000,
      },
    );
    if (result.status !== 0 || !existsSync(CHROMIUM_PATH)) {
      const tail = `${result.stderr ?? ""}${result.error?.message ?? ""}`.trim().split("\n").slice(-2).join(" ");
      reason = `${CHROMIUM_PATH} is missing and \`apt-get install -y chromium\` failed (status ${result.status}): ${tail}`;
    }
  }
  project.provide("chromiumSkipReason", reason);
}
