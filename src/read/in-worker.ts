import { Worker } from "node:worker_threads";
import { MigrateError } from "../shared/errors.js";
import type { ReadOptions } from "./types.js";
import { loadTransform, type RowTransform } from "./row-transform.js";
import type { FromReader, ReaderInput } from "./worker-protocol.js";

/**
 * The rows of `readRows` with `transform` applied to each on a thread of their own (mapping them, say):
 * in the same order, with the same errors, headers handed over before their file's rows, while the
 * caller's thread is free to record them. Stopping early ends the thread. In the batches they crossed
 * in: a layer of async iteration per row cost the caller's thread ~0.5 µs a row, per layer.
 */
export async function* transformedInWorker<T>(
  files: readonly string[],
  options: ReadOptions,
  transform: RowTransform,
): AsyncGenerator<T[]> {
  const { format, delimiter, maxRecordBytes, maxDepth, maxGzipRatio, announceKeys } = options;
  // Settings only: the callbacks and the stop signal stay on this thread.
  const input: ReaderInput = {
    files,
    transform,
    format,
    delimiter,
    maxRecordBytes,
    maxDepth,
    maxGzipRatio,
    announceKeys,
  };
  const { unpack, take } = await loadTransform<T>(transform);
  const worker = new Worker(new URL("./worker-thread.js", import.meta.url), {
    workerData: input,
    // A parser makes short-lived garbage: a bounded young generation keeps the thread's memory flat (8 MB
    // had its scavenges take a sixth of its time; 32 MB costs a few MB of peak memory).
    resourceLimits: { maxYoungGenerationSizeMb: 32 },
  });
  const inbox: FromReader[] = [];
  let failure: Error | undefined;
  let arrived: (() => void) | undefined;
  const wake = () => {
    arrived?.();
    arrived = undefined;
  };
  worker.on("message", (message: FromReader) => {
    inbox.push(message);
    wake();
  });
  worker.on("error", (error) => {
    failure = error;
    wake();
  });
  worker.on("exit", (code) => {
    if (code !== 0) failure ??= new Error(`the reading thread stopped with exit code ${code}`);
    wake();
  });
  // A stop ends reading at once, even while the thread parses a long stretch that yields no row.
  options.end?.addEventListener("abort", wake, { once: true });
  try {
    for (;;) {
      if (options.end?.aborted) return;
      const message = inbox.shift();
      if (!message) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (arrived = resolve));
        continue;
      }
      if (message.kind === "end") return;
      if (message.kind === "error") {
        const { code, message: text, ...context } = message.error;
        throw code ? new MigrateError(code, text, context) : new Error(text);
      }
      if (message.kind === "header") options.onHeader?.(message.file, message.columns, message.keysOnly);
      else {
        worker.postMessage("more");
        if (unpack) yield unpack(message.rows);
        else yield take ? (message.rows as unknown[]).map(take) : (message.rows as T[]);
      }
    }
  } finally {
    options.end?.removeEventListener("abort", wake);
    await worker.terminate();
  }
}
