/** A clock that moves only when something sleeps on it: pacing asserted on its own records, not wall time. */
export class VirtualClock {
  t = 0;
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.t += Math.max(ms, 0);
    await Promise.resolve();
  };
}
