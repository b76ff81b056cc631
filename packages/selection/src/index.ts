export { selectColumns, mostPopular, SELECTION_STRATEGIES } from "./select-columns.js";
export type { SelectionStrategy, SelectColumnsOptions } from "./select-columns.js";
export { initUsersFromItems } from "./init-users.js";
export type { EmptyUserFallback } from "./init-users.js";
export { llminitInit } from "./llminit-init.js";
export type { LlminitInit, LlminitInitOptions } from "./llminit-init.js";
