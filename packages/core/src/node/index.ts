/**
 * `@llminit/core/node`: the Node-only part of core (files). Everything else is in `@llminit/core`, which runs
 * in browsers too.
 */
export { writeFileAtomic } from "./atomic-write.js";
export { readNpy, writeNpy } from "./npy-file.js";
