import type { TokenCalls } from "./token-calls.js";

/**
 * The calls made on this thread until `after` of them have been made, then on the writer threads: a short
 * run never pays the threads' start-up (each loads the SDK and opens its own connection: 0.1–0.15 s of
 * CPU from the bundle, measured on the demo with --writers 1 vs 0), a long one moves its SDK work off the
 * main thread once it has shown that it is long. Calls go on here while the threads start, so the
 * hand-over never stalls the run.
 */
export function threadsAfter(here: TokenCalls, startThreads: () => TokenCalls, after: number): TokenCalls {
  let made = 0;
  let threads: TokenCalls | undefined;
  let booted = false;
  return {
    call(name, request) {
      if (booted) return threads!.call(name, request);
      if (++made > after && !threads) {
        threads = startThreads();
        // A thread that cannot start stops the run through the pool's own fatal path.
        threads.ready().then(
          () => (booted = true),
          () => {},
        );
      }
      return here.call(name, request);
    },
    ready: () => Promise.resolve(),
    abandon() {
      here.abandon();
      threads?.abandon();
    },
    // One connection under both: the pool's close ends the threads and then the connection.
    close: () => (threads ?? here).close(),
  };
}
