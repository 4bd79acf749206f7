/**
 * A blocked Bloom filter over ledger keys (base64url SHA-256): "certainly not seen before" for almost
 * every row, in bounded memory, so a dry run only has to check the few keys it may have seen. About 16
 * bits a key, in 512-bit blocks with 4 probes inside one block (a key costs one cache miss), from
 * 128 KiB up to 16 MiB: under 1 % false "maybe" up to 4 million rows, ~4 % at 10 million; a false
 * "maybe" costs time at the end of the run, never a wrong answer.
 */
export class SeenFilter {
  private readonly words: Int32Array;
  private readonly blockMask: number;

  constructor(expectedKeys: number) {
    const wanted = Math.max(1, expectedKeys) * 16;
    const bits = 2 ** Math.min(27, Math.max(20, Math.ceil(Math.log2(wanted))));
    this.words = new Int32Array(bits / 32);
    this.blockMask = bits / 512 - 1;
  }

  /** Adds the key; true when it may have been added before (false means certainly not). */
  testAndAdd(key: string): boolean {
    // The key is uniformly random already: up to 19 bits pick the block, 9 bits each place a probe in it.
    const block = (bits(key, 0) & this.blockMask) << 4;
    let seen = true;
    for (let probe = 1; probe <= 4; probe++) {
      const at = bits(key, probe * 2) & 0x1ff;
      const word = block | (at >>> 5);
      const mask = 1 << (at & 31);
      if ((this.words[word]! & mask) === 0) {
        seen = false;
        this.words[word]! |= mask;
      }
    }
    return seen;
  }
}

/** 24 bits of the key from four base64url characters starting at `from`. */
function bits(key: string, from: number): number {
  return (
    (sextet(key.charCodeAt(from)) << 18) |
    (sextet(key.charCodeAt(from + 1)) << 12) |
    (sextet(key.charCodeAt(from + 2)) << 6) |
    sextet(key.charCodeAt(from + 3))
  );
}

/** The 6-bit value of a base64url character. */
function sextet(code: number): number {
  if (code >= 97) return code - 71; // a-z: 26..51
  if (code >= 65) return code - 65; // A-Z: 0..25
  if (code >= 48) return code + 4; // 0-9: 52..61
  return code === 45 ? 62 : 63; // - and _
}
