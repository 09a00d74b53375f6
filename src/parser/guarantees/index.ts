// `Protocol` is left out: src/parser/index.ts re-exports this module next to k8s.ts, whose
// `Protocol` is the same union ("TCP" | "UDP" | "SCTP"); here it is also `GuaranteeProtocol`.
export type {
  Claim,
  Domain,
  Guarantee,
  GuaranteeFile,
  LabelRequirement,
  NamespaceExpr,
  PortSpec,
  Protocol as GuaranteeProtocol,
  SetExpr,
  WithinEntry,
} from "./ast.js";
export { MAX_NESTING, MAX_OPERATORS } from "./lex.js";
export { parseClaim, parseGuarantees, parsePortSpecs, parseSetExpr } from "./parse.js";
