import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The bridge's Prometheus metrics, on a registry of its own (`/metrics`). Labels never hold a token. */
export class BridgeMetrics {
  readonly registry = new Registry();
  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }
  private gauge(name: string, help: string) {
    return new Gauge({ name, help, registers: [this.registry] });
  }

  /** Calls passed to Authlete, by the route the bridge saw them as and the status returned. */
  readonly calls = this.counter(
    "bridge_calls_total",
    "Calls answered, by route (introspection, standard, refresh, revocation, other) and HTTP status",
    ["route", "status"],
  );
  readonly seconds = new Histogram({
    name: "bridge_call_seconds",
    help: "Time from a call's arrival to its answer, by route (the lazy path included)",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  /** What each first use of a token Authlete did not know came to (see LazyOutcome). */
  readonly lazy = this.counter(
    "bridge_lazy_total",
    "First uses of tokens Authlete did not hold, by outcome (created, not_created, inactive, refused, legacy_failed, closed)",
    ["outcome", "token_type"],
  );
  readonly negativeHits = this.counter(
    "bridge_negative_cache_hits_total",
    "Tokens the legacy server called inactive lately, not asked again",
  );
  readonly tombstones = this.counter(
    "bridge_tombstones_total",
    "Tokens revoked through the bridge, recorded so that they are never created afterwards",
  );
  readonly legacyRevocations = this.counter(
    "bridge_legacy_revocations_total",
    "Revocations sent on to the legacy server, by result (revoked, error)",
    ["result"],
  );
  readonly inFlight = this.gauge("bridge_calls_in_flight", "Calls being answered now");
  readonly lazyOpen = this.gauge(
    "bridge_lazy_open",
    "1 while lazy creation runs, 0 once --until has passed (pure pass-through)",
  );

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "bridge_process_" });
  }
}
