/**
 * `@llminit/cli` as a library: `main(argv, io)` runs one `llminit` command in this process and resolves to its exit
 * status (what the `llminit` binary does with `process.argv`).
 */
export { main } from "./main.js";
export type { CliIo } from "./main.js";
