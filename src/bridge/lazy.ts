import { introspectAtLegacy, type LegacyServer } from "../legacy/index.js";
import type { Mapping } from "../map/index.js";
import { settle, type Fate, type SettleContext } from "../settle/index.js";
import { tokenHash } from "../shared/hash.js";
import type { Pacer } from "../write/index.js";
import { answerRow, type Presented } from "./legacy-row.js";
import { NegativeCache } from "./negative-cache.js";

/** What a first use came to: the kind counted in the metrics, and the token's fate when it was settled. */
export type LazyOutcome =
  | { kind: "created"; fate: Fate }
  /** Settled, not created: the ledger knew it (revoked through the bridge, created before), or Authlete refused. */
  | { kind: "not_created"; fate: Fate }
  /** The legacy server says it is not active (or said so lately: `cached`). */
  | { kind: "inactive"; cached: boolean }
  /** Active at the legacy server, but its answer cannot make a token (no `exp`, an unmapped client…); remembered as inactive is. */
  | { kind: "refused"; reason: string }
  /** The legacy server could not be asked or did not answer usefully: Authlete's own answer stands. */
  | { kind: "legacy_failed"; detail: string }
  /** Past `--until`, or stopping: nothing is asked. */
  | { kind: "closed" };

export interface LazyDeps {
  legacy: LegacyServer;
  /** One pacer for every legacy call (`--legacy-rate`), which its 429s pause. */
  pacer: Pacer;
  /** The answer mapping (see legacy-row.ts). */
  mapping: Mapping;
  settle: SettleContext;
  negativeTtlMs: number;
  /** Epoch ms after which nothing is created lazily (`--until`). */
  until?: number;
  now: () => number;
}

/**
 * Migrates on first use a token Authlete does not hold and the legacy server still honours: asked once
 * per token however many callers present it at once (one lookup in flight per hash), never again for a
 * while when the legacy server called it inactive, and settled like any dump row (`settle()`): the ledger
 * refuses what was revoked through the bridge or created before, Authlete's refusal is recorded.
 */
export class LazyMigrator {
  private readonly lookups = new Map<string, Promise<LazyOutcome>>();
  private readonly inactive: NegativeCache;

  constructor(private readonly deps: LazyDeps) {
    this.inactive = new NegativeCache(deps.negativeTtlMs, deps.now);
  }

  /** True while `--until` has not passed: lazy creation still runs. */
  get open(): boolean {
    return this.deps.until === undefined || this.deps.now() < this.deps.until;
  }

  migrate(presented: Presented): Promise<LazyOutcome> {
    const hash = tokenHash(presented.value);
    const running = this.lookups.get(hash);
    if (running) return running;
    const lookup = this.lookup(presented, hash).finally(() => this.lookups.delete(hash));
    this.lookups.set(hash, lookup);
    return lookup;
  }

  private async lookup(presented: Presented, hash: string): Promise<LazyOutcome> {
    if (!this.open || this.deps.settle.stopping()) return { kind: "closed" };
    if (this.inactive.has(hash)) return { kind: "inactive", cached: true };
    const { pacer } = this.deps;
    if (!(await pacer.acquire())) return { kind: "closed" };
    const facts = await introspectAtLegacy(this.deps.legacy, presented.value, presented.hint);
    if ("error" in facts) {
      if (facts.retryAfterMs !== undefined) {
        pacer.pause(facts.retryAfterMs);
        pacer.slowDown();
      }
      return { kind: "legacy_failed", detail: facts.error };
    }
    if (!facts.active) {
      this.inactive.add(hash);
      return { kind: "inactive", cached: false };
    }
    const row = answerRow(this.deps.mapping, presented, facts, this.deps.now());
    if (row.result.kind !== "payload") {
      // Its answer will not make a token the next time either (no exp, an unmapped client): not asked again.
      this.inactive.add(hash);
      return { kind: "refused", reason: row.result.reason };
    }
    const fate = await settle(row, this.deps.settle);
    return fate.state === "created" ? { kind: "created", fate } : { kind: "not_created", fate };
  }
}
