import assert from "node:assert/strict";
import { test } from "node:test";
import { readRows, type ReadOptions, type SourceRow } from "../../src/read/index.js";
import { transformedInWorker } from "../../src/read/in-worker.js";
import { MigrateError } from "../../src/shared/errors.js";
import { repoFile } from "../helpers/paths.js";

const fixture = (name: string) => repoFile(`fixtures/read/${name}`);
/** The rows as the reading thread reads them, unchanged. */
const sameRows = { module: new URL("../helpers/same-rows.js", import.meta.url).href, data: null };
async function* readRowsInWorker(files: string[], options: ReadOptions = {}): AsyncGenerator<SourceRow> {
  for await (const batch of transformedInWorker<SourceRow>(files, options, sameRows)) yield* batch;
}

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

test("a quoted field may span lines; each row carries its file, record number and the line it starts on", async () => {
  const [first, second] = await rows("quoted-newline.csv");
  assert.deepEqual(first?.fields, { token: "AT1", user: "alice", note: "line one\nline two" });
  assert.deepEqual([first?.rowNo, first?.line], [1, 2], "a row is located at the line it starts on");
  assert.deepEqual([second?.rowNo, second?.line, second?.file], [2, 4, fixture("quoted-newline.csv")]);
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

/** Every row, or the error that ended the read, in a comparable form. */
async function outcome(read: AsyncGenerator<SourceRow>): Promise<unknown> {
  const all: SourceRow[] = [];
  try {
    for await (const row of read) all.push(row);
    return { rows: all };
  } catch (error) {
    const e = error as MigrateError;
    return { rows: all, error: { name: e.name, code: e.code, message: e.message, file: e.file } };
  }
}

test("the reading thread yields exactly the rows and errors of the in-thread reader", async () => {
  const names = [
    ...["quoted-newline.csv", "postgres-nulls.csv", "ragged-row.csv", "bom.csv", "tab-separated.tsv"],
    ...[
      "two-rows.csv.gz",
      "truncated.csv.gz",
      "blank-and-garbage.ndjson",
      "duplicate-header.csv",
      "empty.csv",
    ],
  ];
  for (const name of names) {
    const files = [fixture(name), fixture("two-rows.csv.gz")];
    assert.deepEqual(await outcome(readRowsInWorker(files)), await outcome(readRows(files)), name);
  }
  const bad = (name: string) => repoFile(`fixtures/bad/${name}`);
  for (const name of ["unclosed-quote.csv", "utf16.csv", "too-many-fields.csv", "truncated-last-line.ndjson"])
    assert.deepEqual(
      await outcome(readRowsInWorker([bad(name)])),
      await outcome(readRows([bad(name)])),
      name,
    );
});

test("the reading thread hands each header over before the file's rows, and stops when the caller stops", async () => {
  const seen: string[] = [];
  const onHeader = (file: string, columns: string[]) => {
    seen.push(`${file.split("/").pop()}: ${columns.join(",")}`);
    if (file.endsWith("bom.csv")) throw new MigrateError("mapping_invalid", "refused header");
  };
  const read = readRowsInWorker([fixture("two-rows.csv.gz"), fixture("bom.csv")], { onHeader });
  const first = await outcome(read);
  assert.equal(
    (first as { rows: SourceRow[] }).rows.length,
    2,
    "the first file's rows, none of the second's",
  );
  assert.deepEqual((first as { error: { code: string } }).error.code, "mapping_invalid");
  assert.equal(seen.length, 2);
  // A caller that stops early ends the thread: the loop returns instead of hanging.
  for await (const row of readRowsInWorker([fixture("two-rows.csv.gz")])) {
    assert.equal(row.rowNo, 1);
    break;
  }
});
