export { default } from "@llminit/eslint-config";
