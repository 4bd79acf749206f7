/** Hashes remembered at most: a flood of random tokens keeps memory bounded (the oldest go first). */
const capacity = 200_000;

/**
 * Token hashes the legacy server called inactive (or whose answer cannot make a token), each remembered for `ttlMs`: a flood of random or dead
 * tokens costs the legacy server one look each, then nothing until the entry expires.
 */
export class NegativeCache {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  has(hash: string): boolean {
    const until = this.until.get(hash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(hash);
    return false;
  }

  add(hash: string): void {
    if (this.ttlMs <= 0) return;
    this.until.delete(hash);
    // A Map keeps insertion order: the first key is the oldest.
    if (this.until.size >= capacity) this.until.delete(this.until.keys().next().value!);
    this.until.set(hash, this.now() + this.ttlMs);
  }

  get size(): number {
    return this.until.size;
  }
}
