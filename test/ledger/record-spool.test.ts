import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { RecordSpool } from "../../src/ledger/record-spool.js";
import { tempDir } from "../helpers/paths.js";

test("records come back in the order put, from memory and past the limit from a file no one can see", (t) => {
  const scratch = tempDir(t);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  t.after(() => (before === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = before)));
  // 4-byte records, 12 bytes in memory: the first three records stay there, the rest go to the file.
  const spool = new RecordSpool(4, 12);
  const chunk = Buffer.alloc(4 * 5);
  let next = 0;
  for (const count of [2, 1, 5, 0, 3]) {
    for (let i = 0; i < count; i++) chunk.writeUInt32LE(next++, i * 4);
    spool.put(chunk, count * 4);
    chunk.fill(0xff); // the caller reuses its buffer: the spool kept its own copy
  }
  assert.deepEqual(readdirSync(scratch), [], "the file is unlinked as soon as it is open");
  const read = (): number[] => {
    const out: number[] = [];
    for (const { bytes, length } of spool.chunks())
      for (let at = 0; at < length; at += 4) out.push(bytes.readUInt32LE(at));
    return out;
  };
  const all = Array.from({ length: next }, (_, i) => i);
  assert.deepEqual(read(), all);
  assert.deepEqual(read(), all, "a second reading gives the same records");
  spool.close();
  spool.close();
});
