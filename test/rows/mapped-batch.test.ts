import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { loadMapping } from "../../src/map/index.js";
import { prepare } from "../../src/rows/map-on-reader.js";
import { pack, unpack } from "../../src/rows/mapped-batch.js";
import type { MappedRow } from "../../src/rows/index.js";
import { readRows } from "../../src/read/index.js";
import { repoFile } from "../helpers/paths.js";

/** Every dump the repository holds with its mapping: payloads of every preset's shape, and refusals. */
function sources(): { dump: string; mapping: string }[] {
  const bad = readdirSync(repoFile("fixtures/bad")).filter((name) => name.endsWith(".csv"));
  const presets = readdirSync(repoFile("fixtures/presets")).filter((name) => /\.(csv|ndjson)$/.test(name));
  return [
    ...bad.map((name) => ({ dump: `fixtures/bad/${name}`, mapping: "fixtures/bad/mapping.json" })),
    ...presets.map((name) => ({
      dump: `fixtures/presets/${name}`,
      mapping: `fixtures/presets/${name.replace(/\.(csv|ndjson)$/, "")}.mapping.json`,
    })),
    { dump: "fixtures/demo/tokens.csv", mapping: "fixtures/demo/mapping.json" },
  ];
}

test("a batch of mapped rows crosses threads packed and comes back the same, row for row, in order", async () => {
  const now = Date.parse("2025-06-01T00:00:00Z");
  let flat = 0;
  let kept = 0;
  for (const { dump, mapping } of sources()) {
    const map = prepare({ mapping: loadMapping(repoFile(mapping)), now: { offsetMs: now - Date.now() } });
    const rows: MappedRow[] = [];
    try {
      for await (const row of readRows([repoFile(dump)])) rows.push(map(row));
    } catch {
      // A file-level problem (a duplicate header, an unclosed quote): the rows before it still count.
    }
    // The way a reading thread sends them: packed, then cloned into the other thread.
    const packed = structuredClone(pack(rows));
    assert.deepStrictEqual(unpack(packed), rows, dump);
    kept += packed.others.length;
    flat += packed.count - packed.others.length;
  }
  // Both ways were taken: the flat one for plain payloads, as they are for refusals and richer payloads.
  assert.ok(flat > 20 && kept > 20, `${flat} flat, ${kept} kept as they are`);
});

test("a payload with a field the flat form does not know is carried as it is, not cut short", () => {
  const row = { file: "d.csv", rowNo: 1, line: 2 };
  const payload = {
    kind: "payload",
    key: "k",
    refreshHash: null,
    request: { clientId: 1, accessToken: "AT", acr: "urn:acr:gold" },
    probeToken: "AT",
    accessExpiresAt: null,
    refreshExpiresAt: null,
    refreshOnly: false,
  } as const;
  const plain = { ...payload, request: { clientId: 1, accessToken: "AT" } };
  const rows = [
    { row, client: "1", result: payload, now: 1 },
    { row, client: "1", result: plain, now: 1 },
  ] as MappedRow[];
  const packed = pack(rows);
  assert.deepEqual(
    packed.others.map(([i]) => i),
    [0],
  );
  assert.deepStrictEqual(unpack(structuredClone(packed)), rows);
});
