import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The bridge's Prometheus metrics, on a registry of its own (`/metrics`). Labels never hold a token. */
export class BridgeMetrics {
  readonly registry = new Registry();
  /** Calls passed to Authlete, by the route the bridge saw them as and the status returned. */
  readonly calls = new Counter({
    name: "bridge_calls_total",
    help: "Calls answered, by route (introspection, refresh, revocation, other) and HTTP status",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });
  readonly seconds = new Histogram({
    name: "bridge_call_seconds",
    help: "Time from a call's arrival to its answer, by route (the lazy path included)",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /** What each first use of a token Authlete did not know came to (see LazyOutcome). */
  readonly lazy = new Counter({
    name: "bridge_lazy_total",
    help: "First uses of tokens Authlete did not hold, by outcome (created, not_created, inactive, refused, legacy_failed, closed)",
    labelNames: ["outcome", "token_type"] as const,
    registers: [this.registry],
  });
  readonly negativeHits = new Counter({
    name: "bridge_negative_cache_hits_total",
    help: "Tokens the legacy server called inactive lately, not asked again",
    registers: [this.registry],
  });
  readonly tombstones = new Counter({
    name: "bridge_tombstones_total",
    help: "Tokens revoked through the bridge, recorded so that they are never created afterwards",
    registers: [this.registry],
  });
  readonly legacyRevocations = new Counter({
    name: "bridge_legacy_revocations_total",
    help: "Revocations sent on to the legacy server, by result (revoked, error)",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "bridge_calls_in_flight",
    help: "Calls being answered now",
    registers: [this.registry],
  });
  readonly lazyOpen = new Gauge({
    name: "bridge_lazy_open",
    help: "1 while lazy creation runs, 0 once --until has passed (pure pass-through)",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "bridge_process_" });
  }
}
