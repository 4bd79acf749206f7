import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildMigrateConfig } from "../../src/cli/commands/migrate-options.js";
import { migrate } from "../../src/run/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { runCli } from "../helpers/cli.js";
import { repoFile, tempDir } from "../helpers/paths.js";

const bad = (name: string) => repoFile(`fixtures/bad/${name}`);
const now = "2025-06-01T12:00:00Z";

type Expectation = { reason: string; created?: number } | { error: string } | { valid: number };

/** Every case of fixtures/bad/ and what must become of it; row-level cases also hold one good row. */
const corpus: [string, Expectation, string?][] = [
  ["ragged-row.csv", { reason: "malformed_row" }],
  ["too-many-fields.csv", { reason: "malformed_row" }],
  ["nul-byte-in-token.csv", { reason: "token_invalid_syntax" }],
  ["whitespace-around-token.csv", { reason: "token_invalid_syntax" }],
  ["token-with-invalid-characters.csv", { reason: "token_invalid_syntax" }],
  ["refresh-token-invalid.csv", { reason: "token_invalid_syntax" }],
  ["one-megabyte-field.csv", { reason: "token_invalid_syntax" }],
  ["empty-token.csv", { reason: "token_missing" }],
  ["null-token.csv", { reason: "token_missing" }],
  ["invalid-date.csv", { reason: "time_invalid" }],
  ["not-a-date.csv", { reason: "time_invalid" }],
  ["epoch-out-of-range.csv", { reason: "time_invalid" }],
  ["negative-epoch.csv", { reason: "time_invalid" }],
  ["invalid-revoked-at.csv", { reason: "time_invalid" }],
  ["missing-expiry.csv", { reason: "expiry_missing" }],
  ["negative-duration.csv", { reason: "time_invalid" }, "mapping-expires-in.json"],
  ["absurd-duration.csv", { reason: "time_invalid" }, "mapping-expires-in.json"],
  ["fractional-duration.csv", { reason: "time_invalid" }, "mapping-expires-in.json"],
  ["non-ascii-subject.csv", { reason: "subject_invalid" }],
  ["latin1-subject.csv", { reason: "subject_invalid" }],
  ["subject-too-long.csv", { reason: "subject_invalid" }],
  ["missing-subject.csv", { reason: "subject_missing" }],
  ["scope-with-control-character.csv", { reason: "scope_invalid" }],
  ["unknown-client.csv", { reason: "client_unknown" }],
  ["missing-client.csv", { reason: "client_missing" }],
  ["unknown-grant-type.csv", { reason: "grant_type_unknown" }],
  ["duplicate-token.csv", { reason: "duplicate_in_source" }],
  ["expired-row.csv", { reason: "expired" }],
  ["revoked-row.csv", { reason: "revoked" }],
  ["element-not-an-object.json", { reason: "malformed_row" }],
  ["blank-and-garbage-lines.ndjson", { reason: "malformed_row" }],
  ["truncated-last-line.ndjson", { reason: "malformed_row" }],
  ["ndjson-array-line.ndjson", { reason: "malformed_row" }],
  ["blank-lines.csv", { valid: 1 }],
  ["crlf-line-endings.csv", { valid: 1 }],
  ["bom.csv", { valid: 1 }],
  ["header-only.csv", { valid: 0 }],
  ["unclosed-quote.csv", { error: "source_invalid" }],
  ["duplicate-header-names.csv", { error: "source_invalid" }],
  ["utf16.csv", { error: "source_invalid" }],
  ["truncated.csv.gz", { error: "source_invalid" }],
  ["truncated.json", { error: "source_invalid" }],
  ["not-an-array.json", { error: "source_invalid" }],
  ["empty-file.csv", { error: "source_invalid" }],
  ["empty-file.json", { error: "source_invalid" }],
  ["missing-header.csv", { error: "mapping_invalid" }],
  ["mapped-column-missing.csv", { error: "mapping_invalid" }],
  ["semicolon-delimited.csv", { error: "mapping_invalid" }],
  ["bom.csv", { error: "mapping_invalid" }, "mapping-not-json.json"],
  ["bom.csv", { error: "mapping_invalid" }, "mapping-unknown-keys.json"],
  ["bom.csv", { error: "mapping_invalid" }, "mapping-client-id-not-numeric.json"],
  ["bom.csv", { error: "mapping_invalid" }, "mapping-reserved-property-key.json"],
  ["bom.csv", { error: "mapping_invalid" }, "mapping-unknown-timezone.json"],
];

test(`every case of the bad-input corpus (${corpus.length}) ends in its reason code or a clear file-level error`, async (t) => {
  const dir = tempDir(t);
  for (const [i, [file, expected, mappingFile = "mapping.json"]] of corpus.entries()) {
    const label = `${file} with ${mappingFile}`;
    const run = async () => {
      const config = buildMigrateConfig(
        {
          files: [bad(file)],
          mapping: bad(mappingFile),
          ledger: join(dir, `${i}.db`),
          dryRun: true,
          retryRejected: false,
          concurrency: 4,
          rate: 50,
          now,
          timeoutMs: 1000,
          maxAttempts: 1,
          graceMs: 100,
          giveUpAfter: 10,
          maxClockSkew: 60,
        },
        {},
        () => {},
      );
      return migrate(config);
    };
    if ("error" in expected) {
      await assert.rejects(run(), (e: unknown) => {
        assert.ok(e instanceof MigrateError, `${label}: ${String(e)}`);
        assert.equal(e.code, expected.error, `${label}: ${e.message}`);
        assert.equal(e.exitCode, 2, label);
        assert.ok(
          e.message.includes(file) || e.message.includes(mappingFile),
          `${label}: the error names the file: ${e.message}`,
        );
        return true;
      });
      continue;
    }
    const summary = await run();
    assert.equal(
      summary.created + summary.skipped + summary.rejected + summary.failed,
      summary.rows,
      `${label}: every row has one state`,
    );
    if ("valid" in expected) {
      assert.deepEqual(
        [summary.created, summary.rows, summary.reasons],
        [expected.valid, expected.valid, {}],
        label,
      );
      continue;
    }
    assert.ok(
      (summary.reasons as Record<string, number>)[expected.reason]! >= 1,
      `${label}: ${JSON.stringify(summary.reasons)}`,
    );
    assert.equal(summary.created, expected.created ?? 1, `${label}: the good row is unaffected`);
    const firstRows = (summary.firstRows as Record<string, string[]>)[expected.reason]!;
    assert.match(
      firstRows[0]!,
      new RegExp(`${file.replace(/\./g, "\\.")}:\\d+$`),
      `${label}: the row is located`,
    );
  }
});

test("through the CLI, file-level problems exit 2 with one line naming the file and no stack trace", async (t) => {
  const dir = tempDir(t);
  for (const file of [
    "unclosed-quote.csv",
    "utf16.csv",
    "truncated.csv.gz",
    "missing-header.csv",
    "not-an-array.json",
  ]) {
    const result = await runCli([
      "migrate",
      bad(file),
      "--mapping",
      bad("mapping.json"),
      "--ledger",
      join(dir, "l.db"),
      "--dry-run",
      "--now",
      now,
    ]);
    assert.equal(result.code, 2, `${file}: ${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`^authlete-migrate: .*${file.replace(/\./g, "\\.")}.*\\[(source|mapping)_invalid\\]\\n$`),
    );
    assert.doesNotMatch(result.stderr, /GoodToken|GoldToken/, "no token value from the file");
  }
  const rowLevel = await runCli([
    "migrate",
    bad("unknown-client.csv"),
    "--mapping",
    bad("mapping.json"),
    "--ledger",
    join(dir, "r.db"),
    "--dry-run",
    "--now",
    now,
  ]);
  assert.equal(rowLevel.code, 1);
  assert.match(rowLevel.stdout, /client_unknown\s+1\s+first rows: .*unknown-client\.csv:3/);
});
