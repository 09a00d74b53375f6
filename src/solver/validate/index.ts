export type { Dataplane, EmittedText, Target as DataplaneTarget } from "./dataplane.js";
export { UnsupportedRule } from "./errors.js";
export type { Frontend, Target as ServiceTarget } from "./frontends.js";
export type { PolicyCounterexample } from "./policy-check.js";
export { formatValidation } from "./report.js";
export type { HairpinRefused, ServiceCounterexample, UnreachableEndpoint } from "./services.js";
export {
  DEFAULT_VALIDATION_TIMEOUT_MS,
  type Finding,
  type Step,
  type ValidateOptions,
  type Validation,
  validateEmission,
} from "./validate.js";
export { verifyEmissions } from "./verify-emissions.js";
