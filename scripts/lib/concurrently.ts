/** Runs `work(0 … calls-1)` with `concurrency` workers and returns the calls per second achieved. */
export async function callsPerSecond(
  calls: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) await work(next++);
    }),
  );
  return calls / ((performance.now() - started) / 1000);
}
