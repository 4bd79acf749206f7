import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { readRows, type SourceRow } from "../../src/read/index.js";
import { MigrateError } from "../../src/shared/errors.js";
import { tempDir } from "../helpers/paths.js";

async function rowsOf(file: string, options = {}): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of readRows([file], options)) rows.push(row);
  return rows;
}

async function refusal(file: string, options = {}): Promise<MigrateError> {
  try {
    await rowsOf(file, options);
  } catch (error) {
    assert.ok(error instanceof MigrateError, String(error));
    return error;
  }
  assert.fail(`${file} was read to the end`);
}

test("a CRLF header over LF rows (and a lone CR) loses no row", async (t) => {
  const file = join(tempDir(t), "mixed.csv");
  writeFileSync(file, "token,user\r\nA1,u1\nA2,u2\nA3,u3\r\nA4,u4\nA5,u5\rA6,u6\nA7,u7\r\nA8,u8\n");
  const rows = await rowsOf(file);
  assert.deepEqual(
    rows.map((r) => r.fields.token),
    ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"],
  );
  assert.ok(rows.every((r) => r.error === undefined));
});

test("blank lines cost nothing and every row keeps its line, with LF, CRLF or CR endings", async (t) => {
  const dir = tempDir(t);
  const lines = [
    "token,user",
    "",
    "",
    "A1,u1",
    "",
    "A2,u2",
    "A3,u3,extra",
    "",
    '"A',
    "",
    '4",u4',
    "A5,u5",
    "",
    "",
  ];
  for (const [name, eol] of [
    ["lf", "\n"],
    ["crlf", "\r\n"],
    ["cr", "\r"],
  ] as const) {
    const file = join(dir, `${name}.csv`);
    writeFileSync(file, lines.join(eol));
    const rows = await rowsOf(file);
    assert.deepEqual(
      rows.map((r) => [r.line, r.error ? "malformed" : r.fields.token]),
      [
        [4, "A1"],
        [6, "A2"],
        [7, "malformed"],
        [9, `A${eol}${eol}4`],
        [12, "A5"],
      ],
      name,
    );
  }
  // Half a million blank lines: skipped by the parser, not one error each (that took ~30 µs a line).
  const blank = join(dir, "blank.csv");
  writeFileSync(blank, `token,user\n${"\n".repeat(500_000)}A1,u1\n`);
  assert.deepEqual(
    (await rowsOf(blank)).map((r) => r.line),
    [500_002],
  );
});

test("a record or line over the size limit stops its file with a located error, also gzipped", async (t) => {
  const dir = tempDir(t);
  const big = "x".repeat(3 * 1024 * 1024);
  const csv = join(dir, "bomb.csv.gz");
  writeFileSync(csv, gzipSync(`token,user\nA1,u1\n${big},u2\nA3,u3\n`));
  const ndjson = join(dir, "bomb.ndjson.gz");
  writeFileSync(ndjson, gzipSync(`{"token":"A1"}\n{"token":"${big}"}\n{"token":"A3"}\n`));
  const limit = { maxRecordBytes: 1024 * 1024 };
  const fromCsv = await refusal(csv, limit);
  assert.equal(fromCsv.code, "source_invalid");
  assert.match(
    fromCsv.message,
    /bomb\.csv\.gz: the record at line \d+ is larger than the maximum record size \(1024 KiB/,
  );
  const fromNdjson = await refusal(ndjson, limit);
  assert.match(fromNdjson.message, /bomb\.ndjson\.gz: line 2 is larger than the maximum record size/);
  assert.ok(!fromCsv.message.includes("xxxx") && !fromNdjson.message.includes("xxxx"), "no content quoted");
  // Within the limit, a long line spanning many chunks is one row.
  const rows = await rowsOf(ndjson, { maxRecordBytes: 4 * 1024 * 1024 });
  assert.deepEqual(
    rows.map((r) => (r.fields.token as string).length),
    [2, big.length, 2],
  );
});

test("a gzipped file that decompresses to over --max-gzip-ratio times its size stops early, located; a higher ratio reads it", async (t) => {
  const dir = tempDir(t);
  // 32 MiB of blank lines in ~32 KiB: a small gzip bomb (a real one holds 3 GiB; see npm run stress).
  const blank = "\n".repeat(32 * 1024 * 1024);
  const csv = join(dir, "blank.csv.gz");
  writeFileSync(csv, gzipSync(`token,user\n${blank}A1,u1\n`));
  const ndjson = join(dir, "blank.ndjson.gz");
  writeFileSync(ndjson, gzipSync(`${blank}{"token":"A1"}\n`));
  for (const file of [csv, ndjson]) {
    const refused = await refusal(file);
    assert.equal(refused.code, "source_invalid");
    assert.match(
      refused.message,
      /blank\.(csv|ndjson)\.gz: decompresses to more than 100× its size \(16\.\d MiB from \d+\.\d KiB\): a gzip bomb\? .*--max-gzip-ratio/,
    );
  }
  // Allowed a higher ratio, the same file is read (NDJSON: blank lines are cheaper to skip than in CSV).
  assert.deepEqual(
    (await rowsOf(ndjson, { maxGzipRatio: 5000 })).map((r) => r.fields.token),
    ["A1"],
  );
});

test("a JSON row nested 100,000 levels is a rejected row, and the rows after it are read", async (t) => {
  const dir = tempDir(t);
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const ndjson = join(dir, "deep.ndjson");
  writeFileSync(ndjson, `{"token":"A1"}\n{"token":"A2","x":${deep}}\n{"token":"A3"}\n`);
  const array = join(dir, "deep.json");
  writeFileSync(
    array,
    `[{"token":"A1"},{"token":"A2","x":${"[".repeat(200)}${"]".repeat(200)}},{"token":"A3"}]`,
  );
  for (const file of [ndjson, array]) {
    const rows = await rowsOf(file);
    assert.deepEqual(
      rows.map((r) => r.error?.detail ?? r.fields.token),
      [
        "A1",
        file === ndjson
          ? "line 2 nests deeper than 64 levels"
          : "array element 2 nests deeper than 64 levels",
        "A3",
      ],
    );
  }
  // Depth is read from the brackets outside strings: many inside one do not refuse a flat row, and the
  // limit itself holds (64 levels read, 65 refused), whichever way a row is checked.
  const edges = join(dir, "edges.ndjson");
  const nested = (levels: number) => `${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}`;
  writeFileSync(
    edges,
    [
      `{"token":"B1","note":"${"{[".repeat(100)}"}`,
      `{"token":"B2","x":${nested(64)}}`,
      `{"token":"B3","x":${nested(65)}}`,
    ].join("\n"),
  );
  assert.deepEqual(
    (await rowsOf(edges)).map((r) => r.error?.detail ?? r.fields.token),
    ["B1", "B2", "line 3 nests deeper than 64 levels"],
  );
});
