export { edgeLabel, renderDot, STATUS_COLORS } from "./dot.js";
export { fingerprint } from "./fingerprint.js";
export { renderGithub } from "./github.js";
export { renderHtml } from "./html.js";
export { renderJson } from "./json.js";
export { renderJunit } from "./junit.js";
export { layoutSvg } from "./layout.js";
export { MARKDOWN_LIMITS, renderMarkdown } from "./markdown.js";
export {
  CHECK_CODES,
  type CheckCode,
  categoryOf,
  RISK_CODES,
  RULES,
  type RuleInfo,
  ruleIndex,
} from "./rules.js";
export { fileUri, renderSarif, SARIF_SCHEMA } from "./sarif.js";
export { renderText, type TextOptions } from "./text.js";
export * from "./types.js";
export { RISK_WORDS } from "./words.js";
