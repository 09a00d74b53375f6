export {
  ANY_SIDE,
  type ChangeEffect,
  changeMayBreak,
  policyChangeEffect,
  type Region,
  restrictedClaims,
  type Side,
  selectorKeys,
} from "./change.js";
export {
  type CompareOptions,
  type Comparison,
  compareInputs,
  type Relation,
  type Witness,
} from "./compare.js";
export {
  type ConcreteOptions,
  decidesAlone,
  type ExistingSearch,
  existingViolation,
  narrowClaims,
  searchExisting,
  shutByIngress,
  withinByPolicies,
} from "./concrete.js";
export {
  type DecodedConn,
  type DecodedEndpoint,
  formatEndpoint,
} from "./decode.js";
export { connFormula, engineAllowed, isEngineEndpoint } from "./engine-formula.js";
export { type LintOptions, lintCluster } from "./lints.js";
export {
  containsNamespace,
  containsPod,
  EVERY_POD,
  type Footprint,
  holdsEndpoint,
  holdsSomePod,
  NO_POD,
  overlaps,
  type PolicyReach,
  podNetworkOf,
  policyReach,
  policyTouches,
  type Scope,
  scopeOf,
  setFootprint,
  sliceCluster,
} from "./slice.js";
export { buildUniverse, type Mentions, type Universe } from "./universe.js";
export * from "./validate/index.js";
export {
  type Counterexample,
  DEFAULT_TIMEOUT_MS,
  type GuaranteeResult,
  type Verdict,
  Verifier,
  type VerifyOptions,
  type VerifyReport,
  verifyGuarantees,
} from "./verify.js";
export { type Conn, type Endpoint, KIND, Space, World } from "./world.js";
export { exclusive, shutdownZ3, z3, z3StartupMs } from "./z3.js";
