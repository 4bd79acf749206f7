import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RejectsFile } from "../../src/report/index.js";
import { tempDir } from "../helpers/paths.js";

test("a rejects.csv cell that a spreadsheet would run as a formula is written as text", (t) => {
  const file = join(tempDir(t), "rejects.csv");
  const rejects = new RejectsFile(file);
  rejects.add(
    { file: "=cmd|' /C calc'!A0.csv", line: 2, detail: "@SUM(1+1)", key: "abcdefghij" },
    "client_unknown",
  );
  rejects.add({ file: "+plus.csv", line: 3, detail: "-2+3", key: null }, "token_missing");
  rejects.add({ file: "plain.csv", line: 4, detail: 'a "quoted", detail' }, "token_missing");
  rejects.close();
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.deepEqual(lines, [
    "file,row,reason,detail,fingerprint",
    "'=cmd|' /C calc'!A0.csv,2,client_unknown,'@SUM(1+1),sha256:abcdefgh",
    "'+plus.csv,3,token_missing,'-2+3,",
    'plain.csv,4,token_missing,"a ""quoted"", detail",',
  ]);
});
