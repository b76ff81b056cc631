import config from "@llminit/eslint-config";

// The consumer is a user's program: it prints its result.
export default [...config, { files: ["consumer/**"], rules: { "no-console": "off" } }];
