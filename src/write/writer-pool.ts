import { Worker } from "node:worker_threads";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";
import type { AuthleteConnection } from "./authlete-client.js";
import type { AuthleteClock } from "./authlete-clock.js";
import {
  lostCall,
  type CallOrder,
  type FromWriterThread,
  type ToWriterThread,
  type WriterThreadInput,
} from "./pool-protocol.js";
import type { CallResult, TokenCalls } from "./token-calls.js";

interface Pending {
  resolve(result: CallResult<unknown>): void;
  thread: WriterThread;
  sentAt: number;
}

interface WriterThread {
  worker: Worker;
  /** Calls handed to it and not answered yet. */
  load: number;
  orders: CallOrder[];
  gone: boolean;
  booted(): void;
  failed(error: Error): void;
}

/**
 * The writer's calls on N threads, each with its own SDK client and keep-alive agent: the SDK's CPU
 * (request building, validation, parsing) leaves the main thread, which keeps the pacing, breaker, clock
 * and ledger, so a call's fate is decided in one place as before. Token values cross threads in memory only.
 * A thread that dies ends its calls as lost connections (in doubt: the next run introspects them) and
 * stops the run through `onFatal`. The threads start with the first call.
 */
/** The chaos knob of a writer thread's death (see WriterThreadInput.exitAfterCalls); unset in any real run. */
function chaosExit(): { exitAfterCalls?: number } {
  const after = Number(process.env.AUTHLETE_MIGRATE_CHAOS_WRITER_EXIT_AFTER);
  return Number.isSafeInteger(after) && after > 0 ? { exitAfterCalls: after } : {};
}

export function writerPool(
  authlete: AuthleteConnection,
  threads: number,
  clock: AuthleteClock | undefined,
  onFatal: (error: MigrateError) => void,
): TokenCalls {
  // The thread reads no clock of its own: it hands each answer's Date header back (see `observeDate` below).
  const { baseUrl, serviceId, bearer, attemptTimeoutMs, connections } = authlete.settings;
  const input: WriterThreadInput = {
    baseUrl,
    serviceId,
    bearer,
    attemptTimeoutMs,
    // Each thread's agent needs no more sockets than its share of the calls on the wire.
    connections: Math.max(1, Math.ceil(connections / threads)),
    ...chaosExit(),
  };
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let abandoned = false;
  const pool: WriterThread[] = [];
  const booting: Promise<void>[] = [];

  const settle = (id: number, result: CallResult<unknown>) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    call.thread.load--;
    call.resolve(result);
  };
  const lose = (thread: WriterThread, why: string) => {
    if (thread.gone) return;
    thread.gone = true;
    thread.failed(new MigrateError("writer_thread_failed", `a writer thread did not start: ${why}`));
    for (const [id, call] of pending) if (call.thread === thread) settle(id, lostCall("network"));
    if (!abandoned) onFatal(new MigrateError("writer_thread_failed", `a writer thread stopped: ${why}`));
  };

  let started = false;
  let allStarted: Promise<void> | undefined;
  /** Threads start with the first call: a rerun with nothing to send does not load the SDK N times. */
  const start = () => {
    if (started || abandoned) return;
    started = true;
    for (let i = 0; i < threads; i++) spawn();
  };
  const spawn = () => {
    const worker = new Worker(new URL("./writer-thread.js", import.meta.url), { workerData: input });
    const thread: WriterThread = {
      worker,
      load: 0,
      orders: [],
      gone: false,
      booted: () => {},
      failed: () => {},
    };
    const boot = new Promise<void>((resolve, reject) => {
      thread.booted = resolve;
      thread.failed = reject;
    });
    // Awaited through ready(); a thread closed before it started must not leave a rejection unhandled.
    boot.catch(() => {});
    booting.push(boot);
    worker.on("message", (message: FromWriterThread) => {
      if (message === "ready") return thread.booted();
      const receivedAt = clock?.hostNow();
      for (const { id, result, date } of message.answers) {
        const call = pending.get(id);
        // The answer was read between the order leaving and this message arriving: a wider, still true bound.
        if (call && clock && receivedAt !== undefined) clock.observeDate(date, call.sentAt, receivedAt);
        settle(id, result);
      }
    });
    // A thread's own error, shown bounded and escaped: it is not ours to trust to be short or plain.
    worker.on("error", (error) => lose(thread, printable(error.message)));
    worker.on("exit", (code) => lose(thread, `exit code ${code}`));
    pool.push(thread);
  };

  const send = (thread: WriterThread) => {
    const message: ToWriterThread = { calls: thread.orders };
    thread.orders = [];
    thread.worker.postMessage(message);
  };

  return {
    call(name, request) {
      start();
      const live = pool.filter((t) => !t.gone);
      if (abandoned || live.length === 0) return Promise.resolve(lostCall("timeout"));
      // The least loaded thread; orders made in the same turn leave in one message.
      const thread = live.reduce((a, b) => (b.load < a.load ? b : a));
      const id = nextId++;
      thread.load++;
      thread.orders.push({ id, name, request });
      if (thread.orders.length === 1) queueMicrotask(() => send(thread));
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as Pending["resolve"], thread, sentAt: clock?.hostNow() ?? 0 });
      });
    },
    ready() {
      start();
      return (allStarted ??= Promise.all(booting).then(() => {}));
    },
    abandon() {
      abandoned = true;
      for (const thread of pool)
        if (!thread.gone) thread.worker.postMessage("abandon" satisfies ToWriterThread);
      for (const id of [...pending.keys()]) settle(id, lostCall("timeout"));
    },
    async close() {
      abandoned = true;
      await Promise.all(pool.map((t) => t.worker.terminate()));
      await authlete.close();
    },
  };
}
