// The reading thread: parses the sources and posts their rows in batches, each row passed through the
// caller's transform, so parsing and that work run on their own core (see read/in-worker.ts).
import { parentPort, workerData } from "node:worker_threads";
import { MigrateError } from "../shared/errors.js";
import { readRowBatches } from "./index.js";
import { loadTransform } from "./row-transform.js";
import type { ReadOptions } from "./types.js";
import { batchRows, maxBatchesAhead, type FromReader, type ReaderInput } from "./worker-protocol.js";

const port = parentPort!;
const { files, transform, ...settings } = workerData as ReaderInput;
// The caller's work on each row (mapping it, say), done here so that its thread only takes the results.
const module = await loadTransform(transform);
const apply = module.prepare(transform.data);
let credit = maxBatchesAhead;
let wake: (() => void) | undefined;
port.on("message", () => {
  credit++;
  wake?.();
});

const post = (message: FromReader) => port.postMessage(message);
let batch: unknown[] = [];

async function flush(): Promise<void> {
  if (batch.length === 0) return;
  // No credit: the caller has not taken the batches before this one, so this thread has time to spare.
  const ahead = credit === 0;
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  post({ kind: "rows", rows: module.pack ? module.pack(batch, ahead) : batch });
  batch = [];
}

try {
  let headers: { file: string; columns: string[]; keysOnly?: boolean }[] = [];
  const options: ReadOptions = {
    ...settings,
    onHeader: (file, columns, keysOnly) => headers.push({ file, columns, keysOnly }),
  };
  for await (const rows of readRowBatches(files, options)) {
    if (headers.length > 0) {
      // The header goes before the file's first row, so the main thread can refuse it before mapping any.
      await flush();
      for (const header of headers) post({ kind: "header", ...header });
      headers = [];
    }
    for (const row of rows) {
      batch.push(apply(row));
      if (batch.length >= batchRows) await flush();
    }
  }
  await flush();
  for (const header of headers) post({ kind: "header", ...header });
  post({ kind: "end" });
} catch (error) {
  await flush();
  post({
    kind: "error",
    error:
      error instanceof MigrateError
        ? { code: error.code, message: error.message, file: error.file, row: error.row, column: error.column }
        : { message: (error as Error).message },
  });
}
