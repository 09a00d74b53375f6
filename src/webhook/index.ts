/**
 * The admission webhook (`netpolc serve`): AdmissionReview handling, incremental evaluation of
 * changes against guarantees, the HTTPS server, live state from watches, metrics and logs.
 */
export { type Change, type Evaluation, Evaluator, type EvaluatorOptions, type Outcome } from "./evaluate.js";
export { jsonLogger, type Level, type Logger } from "./log.js";
export { Metrics } from "./metrics.js";
export {
  type AdmissionRequest,
  type Answer,
  API_VERSION,
  brokenMessage,
  decide,
  type FailurePolicy,
  interpret,
  type Mode,
  readReview,
  reviewResponse,
} from "./review.js";
export { DEFAULT_MAX_BODY_BYTES, type RunningServer, type ServerOptions, startServer } from "./server.js";
export { ClusterState, keyOf, keyOfObject, type ObjectKey, parseRaw, type StateSink } from "./state.js";
export { type Reply, Webhook, type WebhookOptions } from "./webhook.js";
