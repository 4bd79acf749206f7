import assert from "node:assert/strict";
import { test } from "node:test";
import { readRows, type SourceRow } from "../../src/read/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { repoFile } from "../helpers/paths.js";

const fixture = (name: string) => repoFile(`fixtures/read/${name}`);

async function rows(name: string, options = {}): Promise<SourceRow[]> {
  const all: SourceRow[] = [];
  for await (const row of readRows([fixture(name)], options)) all.push(row);
  return all;
}

async function fileError(name: string, pattern: RegExp): Promise<void> {
  await assert.rejects(
    rows(name),
    (e: unknown) => e instanceof MigrateError && e.code === "source_invalid" && pattern.test(e.message),
  );
}

test("a quoted field may span lines; each row carries file, number, line and byte offset", async () => {
  const [first, second] = await rows("quoted-newline.csv");
  assert.deepEqual(first?.fields, { token: "AT1", user: "alice", note: "line one\nline two" });
  assert.deepEqual(
    [first?.rowNo, first?.line, first?.offset],
    [1, 2, 16],
    "a row is located at the line it starts on",
  );
  assert.deepEqual(
    [second?.rowNo, second?.line, second?.offset, second?.file],
    [2, 4, 46, fixture("quoted-newline.csv")],
  );
});

test("PostgreSQL COPY CSV: an unquoted empty field is NULL, a quoted one is the empty string", async () => {
  const [a, b] = await rows("postgres-nulls.csv");
  assert.deepEqual(a?.fields, { token: "AT1", user: null, note: "" });
  assert.equal(b?.fields.user, "");
});

test("a BOM is dropped from the first header name, and .tsv files split on tabs", async () => {
  assert.deepEqual((await rows("bom.csv"))[0]?.fields, { token: "AT1", user: "alice" });
  assert.deepEqual((await rows("tab-separated.tsv"))[0]?.fields, { token: "AT1", user: "alice" });
});

test("a ragged record becomes a rejected row in its place, and reading goes on", async () => {
  const all = await rows("ragged-row.csv");
  assert.equal(all.length, 4);
  assert.deepEqual(
    all.map((r) => [r.rowNo, r.error === undefined ? r.fields.token : "error"]),
    [
      [1, "AT1"],
      [2, "error"],
      [3, "error"],
      [4, "AT4"],
    ],
  );
  assert.match(all[1]!.error!.detail, /line 3/);
});

test("file-level problems stop with source_invalid: duplicate header, unclosed quote, truncated gzip, empty file", async () => {
  await fileError("duplicate-header.csv", /names column "token" twice/);
  await fileError("unclosed-quote.csv", /CSV_QUOTE_NOT_CLOSED/);
  await fileError("truncated.csv.gz", /truncated/);
  await fileError("empty.csv", /empty/);
});

test("gzip is detected by its magic bytes and read transparently", async () => {
  assert.deepEqual(
    (await rows("two-rows.csv.gz")).map((r) => r.fields.token),
    ["AT1", "AT2"],
  );
});

test("NDJSON: blank lines are not rows, garbage lines are rejected rows with their line", async () => {
  const all = await rows("blank-and-garbage.ndjson");
  assert.deepEqual(
    all.map((r) => [r.rowNo, r.line, r.error?.detail ?? r.fields.token]),
    [
      [1, 1, "AT1"],
      [2, 4, "line 4 is not valid JSON"],
      [3, 5, "line 5 is not a JSON object"],
      [4, 6, "AT2"],
    ],
  );
  assert.equal(all[3]?.offset, 52);
});

test("a JSON array is streamed element by element; a non-object element is a rejected row", async () => {
  const all = await rows("nested.json");
  assert.equal(all.length, 3);
  assert.deepEqual(all[0]?.fields.response, { access_token: "AT1" });
  assert.match(all[1]!.error!.detail, /element 2 is not a JSON object/);
  assert.equal(all[2]?.fields.token, "AT2");
  await fileError("not-an-array.json", /cannot be parsed/);
});

test("--format overrides the extension", async () => {
  const all = await rows("blank-and-garbage.ndjson", { format: "ndjson" });
  assert.equal(all.length, 4);
  await assert.rejects(rows("quoted-newline.csv", { format: "json" }), MigrateError);
});
