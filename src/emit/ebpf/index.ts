export { emitEbpf } from "./emit.js";
export { DEFAULT_PIN_ROOT, LAYOUT_VERSION } from "./layout.js";
