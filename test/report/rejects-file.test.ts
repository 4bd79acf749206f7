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
    { file: "=cmd|' /C calc'!A0.csv", rowNo: 1, line: 2, detail: "@SUM(1+1)", key: "abcdefghij" },
    "client_unknown",
  );
  rejects.add({ file: "+plus.csv", rowNo: 2, line: 3, detail: "-2+3", key: null }, "token_missing");
  rejects.add(
    { file: "plain.csv", rowNo: 3, line: 5, detail: 'a "quoted", detail\non two lines' },
    "token_missing",
  );
  rejects.add(
    { file: "old.csv", rowNo: 9, detail: "recorded by a ledger that kept no line" },
    "token_missing",
  );
  rejects.close();
  assert.equal(
    readFileSync(file, "utf8"),
    [
      "file,record,line,reason,detail,fingerprint",
      "'=cmd|' /C calc'!A0.csv,1,2,client_unknown,'@SUM(1+1),sha256:abcdefgh",
      "'+plus.csv,2,3,token_missing,'-2+3,",
      'plain.csv,3,5,token_missing,"a ""quoted"", detail\non two lines",',
      "old.csv,9,,token_missing,recorded by a ledger that kept no line,",
      "",
    ].join("\n"),
  );
});
