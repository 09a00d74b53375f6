// The guarantee language: its types here; its parser functions from "./guarantees/index.js", so
// that reading manifests does not load chevrotain (a noticeable share of a command's start-up).
export type * from "./guarantees/index.js";
export * from "./k8s.js";
export * from "./k8s-cluster-policy.js";
export * from "./k8s-services.js";
export { loadPaths } from "./load.js";
export { DEFAULT_MAX_FILE_BYTES, type ParseOptions, type ParseResult } from "./options.js";
export { parseText } from "./parse.js";
export { closest } from "./suggest.js";
