// Baselines for JSON dumps, each the plain way to read one: a JSON array through stream-json's StreamArray
// (the streaming parser the reader uses), NDJSON through readline and JSON.parse. Run as its own process.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import StreamArray from "stream-json/streamers/StreamArray.js";

const [format, file] = process.argv.slice(2) as ["json" | "ndjson", string];
let rows = 0;
const started = performance.now();
const input = createReadStream(file, { highWaterMark: 1 << 20 });
if (format === "json")
  for await (const element of input.pipe(StreamArray.withParser())) {
    void element;
    rows++;
  }
else
  for await (const line of createInterface({ input, crlfDelay: Infinity }))
    if (line !== "") {
      void JSON.parse(line);
      rows++;
    }
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000 }));
