import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { openLedger, type Ledger } from "../../src/ledger/index.js";
import { loadMapping, mapRow } from "../../src/map/index.js";
import type { ServiceRowRules } from "../../src/preflight/index.js";
import type { MappedRow } from "../../src/rows/index.js";
import { admit, rowCheck, settle, type Fate, type SettleContext } from "../../src/settle/index.js";
import { tokenHash } from "../../src/shared/hash.js";
import { createWriter } from "../../src/write/index.js";
import { generatedMapping, liveRows, writeMapping, type LegacyRow } from "../helpers/dumps.js";
import { webApp, withEmulator } from "../helpers/emulator.js";
import { tempDir } from "../helpers/paths.js";
import { writerOptions } from "../helpers/writer.js";

const mappingWithGhost = {
  ...generatedMapping,
  // A client the mapping sends to that the service does not hold: Authlete refuses its rows.
  clients: { ...generatedMapping.clients, ghost: 4242424242 },
};

/** One token's world: a real ledger file, the emulator over loopback, the real writer; no batch loop. */
async function world(t: TestContext, rules?: ServiceRowRules) {
  const dir = tempDir(t);
  const mapping = loadMapping(writeMapping(dir, mappingWithGhost));
  const { emulator, authlete } = await withEmulator(t);
  const writer = createWriter(authlete, writerOptions);
  const ledger = openLedger(join(dir, "ledger.db"));
  t.after(async () => {
    await writer.close();
    ledger.close();
  });
  let rowNo = 0;
  const mapped = (fields: LegacyRow, now = Date.now()): MappedRow => {
    const row = { file: "dump.csv", rowNo: ++rowNo, fields: { ...fields } };
    const result = mapRow(row, { mapping, now });
    return {
      row: { file: row.file, rowNo: row.rowNo, line: row.rowNo + 1 },
      client: fields.client,
      result,
      now,
    };
  };
  /** A run of its own (as each migrate is), live or dry. */
  const run = (dry = false): SettleContext & { end(): void } => {
    const runId = ledger.startRun({ dryRun: dry, arguments: {}, sources: [], mappingHash: "" });
    const retry = { retryRejected: false };
    return {
      sink: dry ? ledger.dryRunSink({ ...retry, expectedRows: 100 }) : ledger.liveSink({ runId, ...retry }),
      writer: dry ? undefined : writer,
      ledger,
      runId,
      check: rowCheck(mapping, rules),
      record: (outcome) => ledger.recordOutcomes(runId, [outcome]),
      stopping: () => false,
      end: () => ledger.finishRun(runId, "completed", null),
    };
  };
  return { emulator, ledger, mapped, run };
}

const fateOf = (f: Fate) => `${f.state}:${f.reason}`;
const stateIn = (ledger: Ledger, row: MappedRow) => ledger.stateOf(row.result.key!);

test("settle() takes one token to each fate on a real ledger and the emulator: created, skipped, rejected", async (t) => {
  const { emulator, ledger, mapped, run } = await world(t);
  const [live, expired, revoked, unknown, ghost, reused] = liveRows(6);
  const now = Date.now();
  const rows = {
    live: mapped(live!),
    expired: mapped({ ...expired!, expires_at: new Date(now - 60_000).toISOString(), refresh_token: null }),
    revoked: mapped({ ...revoked!, revoked_at: new Date(now - 60_000).toISOString() }),
    unknown: mapped({ ...unknown!, client: "nobody" }),
    ghost: mapped({ ...ghost!, client: "ghost" }),
    // Another access token with the live row's refresh token.
    reused: mapped({ ...reused!, refresh_token: live!.refresh_token }),
  };
  const first = run();
  const fates: Record<string, string> = {};
  for (const [name, row] of Object.entries(rows)) fates[name] = fateOf(await settle(row, first));
  assert.deepEqual(fates, {
    live: "created:null",
    expired: "skipped:expired",
    revoked: "skipped:revoked",
    unknown: "rejected:client_unknown",
    ghost: "rejected:authlete_rejected",
    reused: "skipped:duplicate_in_source",
  });
  const held = emulator.store.byAccessHash(tokenHash(live!.token));
  assert.ok(held, "the created token is in Authlete with its own value");
  assert.equal(stateIn(ledger, rows.live), "created");
  assert.equal(stateIn(ledger, rows.ghost), "rejected");
  // The same token again in the same run: a repeat, nothing sent.
  assert.equal(fateOf(await settle(mapped(live!), first)), "skipped:duplicate_in_source");
  first.end();

  const second = run();
  assert.equal(fateOf(await settle(mapped(live!), second)), "skipped:already_migrated");
  // Rejected by Authlete before: it stays rejected, and is not sent again without --retry-rejected.
  assert.equal(
    fateOf(await settle(mapped({ ...ghost!, client: "ghost" }), second)),
    "rejected:authlete_rejected",
  );
  // A different token's row with the live row's refresh token, in a later run: reused, not a repeat.
  const other = liveRows(1)[0]!;
  assert.equal(
    fateOf(await settle(mapped({ ...other, refresh_token: live!.refresh_token }), second)),
    "rejected:refresh_token_reused",
  );
  assert.equal(emulator.store.stats().creates[tokenHash(live!.token)], 1, "created once");
  second.end();
});

test("settle() rejects what the service check shows Authlete would refuse, before any call", async (t) => {
  const rules = { missingClients: [webApp], disallowedGrantTypes: {}, unsupportedScopes: [] };
  const { emulator, mapped, run } = await world(t, rules);
  const [web] = liveRows(1);
  const fate = await settle(mapped(web!), run());
  assert.equal(fateOf(fate), "rejected:client_not_in_service");
  assert.match(fate.detail ?? "", /the service check/);
  assert.equal(emulator.store.stats().tokens, 0, "nothing was sent");
});

test("settle() resolves an in-doubt token by looking first, and revokes a migrated token the source revoked since", async (t) => {
  const { emulator, ledger, mapped, run } = await world(t);
  const [sent, later] = liveRows(2);
  // A crash between the create and its record: the entry is pending, Authlete holds the token.
  const crashed = run();
  const [admission] = await admit([mapped(sent!)], crashed);
  assert.equal(admission!.decision.action, "write");
  if (admission!.decision.action === "write") await crashed.writer!.write(admission!.decision);
  assert.equal(stateIn(ledger, mapped(sent!)), "pending");
  crashed.end();

  const resumed = run();
  const fate = await settle(mapped(sent!), resumed);
  assert.deepEqual([fate.state, fate.detail], ["created", "confirmed by introspection"]);
  assert.equal(emulator.store.stats().creates[tokenHash(sent!.token)], 1, "never created twice");
  assert.equal(fateOf(await settle(mapped(later!), resumed)), "created:null");
  resumed.end();

  // The source revoked it since: the migrated copy is revoked at Authlete, recorded, and not again.
  const revokedRow = { ...later!, revoked_at: new Date(Date.now() - 1000).toISOString() };
  const catchUp = run();
  assert.equal(fateOf(await settle(mapped(revokedRow), catchUp)), "skipped:revoked_since_migration");
  assert.equal(emulator.store.byAccessHash(tokenHash(later!.token)), undefined, "gone from Authlete");
  catchUp.end();
  assert.equal(fateOf(await settle(mapped(revokedRow), run())), "skipped:revoked_since_migration");
});

test("settle() without a writer plans what a live run would do, and sends nothing (a dry run)", async (t) => {
  const { emulator, ledger, mapped, run } = await world(t);
  const [fresh, migrated] = liveRows(2);
  const live = run();
  assert.equal(fateOf(await settle(mapped(migrated!), live)), "created:null");
  live.end();
  const dry = run(true);
  const planned = await settle(mapped(fresh!), dry);
  assert.equal(fateOf(planned), "created:null");
  assert.ok(planned.sent, "the payload it would send");
  const revokedNow = { ...migrated!, revoked_at: new Date(Date.now() - 1000).toISOString() };
  assert.equal(fateOf(await settle(mapped(revokedNow), dry)), "skipped:revoked_since_migration");
  assert.equal(stateIn(ledger, mapped(fresh!)), undefined, "a dry run records nothing");
  assert.ok(emulator.store.byAccessHash(tokenHash(migrated!.token)), "nothing revoked");
  assert.equal(emulator.store.stats().tokens, 1);
});
