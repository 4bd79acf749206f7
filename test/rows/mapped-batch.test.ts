import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { createHash } from "node:crypto";
import { fieldValue, loadMapping, mapRow, type Payload } from "../../src/map/index.js";
import { prepare } from "../../src/rows/map-on-reader.js";
import { keyRow, pack, unpack } from "../../src/rows/mapped-batch.js";
import type { MappedRow } from "../../src/rows/index.js";
import type { UnkeyedRow } from "../../src/rows/types.js";
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

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("base64url");

test("a batch of mapped rows crosses threads packed and comes back as mapRow makes them, keyed, in order", async () => {
  const now = Date.parse("2025-06-01T00:00:00Z");
  let flat = 0;
  let kept = 0;
  let refreshKeyed = 0;
  let refusalsKeyed = 0;
  for (const { dump, mapping: file } of sources()) {
    const mapping = loadMapping(repoFile(file));
    const map = prepare({ mapping, now: { offsetMs: now - Date.now() } });
    const read: UnkeyedRow[] = [];
    const expected: MappedRow[] = [];
    try {
      for await (const row of readRows([repoFile(dump)])) {
        const mapped = map(row);
        read.push(mapped);
        expected.push({ ...mapped, result: mapRow(row, { mapping, now: mapped.now }) });
        // The keys hash the values the source holds, whichever thread hashes them.
        const { result } = expected.at(-1)!;
        const access = fieldValue(row.fields, mapping.columns.accessToken);
        // A token value the mapper accepts (RFC 6750 syntax, at most 16 KiB) on a row that parsed.
        const valid =
          !row.error &&
          typeof access === "string" &&
          access.length <= 16_384 &&
          /^[A-Za-z0-9\-._~+/]+=*$/.test(access);
        if (valid) assert.equal(result.key, sha256(access), dump);
        if (result.kind !== "payload") {
          if (valid) refusalsKeyed++;
          continue;
        }
        if (result.request.refreshToken === undefined) assert.equal(result.refreshHash, null, dump);
        else {
          assert.equal(
            result.refreshHash,
            sha256(String(fieldValue(row.fields, mapping.columns.refreshToken!))),
          );
          refreshKeyed++;
        }
      }
    } catch (error) {
      // A file-level problem (a duplicate header, an unclosed quote): the rows before it still count.
      if (error instanceof assert.AssertionError) throw error;
    }
    // The way a reading thread sends them: packed, then cloned into the other thread — keyed there, or
    // keyed by the reading thread when it has time to spare; the same keys either way.
    for (const keyHere of [false, true]) {
      const taken = unpack(structuredClone(pack(read, keyHere)));
      assert.deepStrictEqual(taken, expected, `${dump}, keyed by the reading thread: ${keyHere}`);
      // No token value rides along on a keyed result.
      for (const { result } of taken) assert.ok(!("keyToken" in result || "refreshKeyToken" in result), dump);
    }
    const packed = pack(read);
    kept += packed.others.length;
    flat += packed.count - packed.others.length;
  }
  // Both ways were taken: the flat one for plain payloads, as they are for refusals and richer payloads.
  assert.ok(
    flat > 20 && kept > 20 && refreshKeyed > 10 && refusalsKeyed > 10,
    `${flat} flat, ${kept} kept, ${refreshKeyed} refresh, ${refusalsKeyed} refusals keyed`,
  );
});

test("a payload with a field the flat form does not know is carried as it is, not cut short", () => {
  const row = { file: "d.csv", rowNo: 1, line: 2 };
  const payload = {
    kind: "payload",
    keyToken: "AT",
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
  ] as UnkeyedRow[];
  const packed = pack(rows);
  assert.deepEqual(
    packed.others.map(([i]) => i),
    [0],
  );
  assert.deepStrictEqual(unpack(structuredClone(packed)), rows.map(keyRow));
  assert.equal((unpack(packed)[0]!.result as Payload).key, sha256("AT"));
});
