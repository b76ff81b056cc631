import config, { browserSafe } from "@llminit/eslint-config";

export default [...config, browserSafe];
