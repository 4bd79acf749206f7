// Baseline: raw csv-parse (object mode, header row) over a file, counting records. Run as its own process.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";

const file = process.argv[2]!;
let rows = 0;
const started = performance.now();
for await (const record of createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
  parse({ columns: true }),
)) {
  void record;
  rows++;
}
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 }));
