/**
 * Prometheus metrics of the webhook (prom-client): requests by verdict, latency and solver time
 * histograms, guarantees re-verified, state size, readiness, and the process's own metrics (RSS,
 * heap, event-loop lag) from prom-client's defaults.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "netpolc_admission_requests_total",
    help: "Admission requests answered, by verdict (allowed, denied, warned, skipped, invalid, undecided, bad_request, not_ready, error), kind and operation.",
    labelNames: ["verdict", "kind", "operation"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "netpolc_admission_duration_seconds",
    help: "Time from the request's arrival to its answer.",
    labelNames: ["verdict"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly solver = new Histogram({
    name: "netpolc_solver_seconds",
    help: "Time spent verifying guarantees (slice, encoding and z3) per request.",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly reverified = new Counter({
    name: "netpolc_guarantees_reverified_total",
    help: "Guarantees verified again because a change touched them.",
    registers: [this.registry],
  });
  readonly undecided = new Counter({
    name: "netpolc_solver_undecided_total",
    help: "Guarantee checks that ended without a verdict (deadline, timeout, unknown).",
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: "netpolc_state_objects",
    help: "Objects in the webhook's view of the cluster.",
    registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: "netpolc_ready",
    help: "1 when the state is synced and every guarantee has a verdict.",
    registers: [this.registry],
  });
  readonly tlsReloads = new Counter({
    name: "netpolc_tls_reloads_total",
    help: "Serving certificate reloads, by result.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "netpolc_" });
  }
}
