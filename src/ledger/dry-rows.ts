import { RecordSpool } from "./record-spool.js";

/**
 * A dry run's rows as fixed-size records, appended in order and read back once at the end: in memory up
 * to 4 MiB (~37,000 rows), past it in a temp file (record-spool.ts). It replaced a SQLite temp table:
 * binding ten values a row was a fifth of a dry run's main thread, and a row here is a few typed-array
 * stores. It holds ledger keys (hashes), never a token value.
 *
 * Layout of a record (little-endian, 112 bytes, 8-aligned):
 * access key 0–42, its length 43 (0: none) · refresh key 44–86, its length 87 · line f64 88 ·
 * file u32 96 · client u32 100 (0: none, else index + 1) · bucket i32 104 · reason u16 108 (0: none,
 * else index + 1) · state u8 110.
 */
const recordSize = 112;
/** The longest key a record holds: a base64url SHA-256 (every ledger key) is 43 characters. */
const keyBytes = 43;
const noBucket = -0x80000000;
/** Records a chunk takes: about 224 KiB. */
const recordsPerWrite = 2048;
const memoryLimit = 4 << 20;

export interface DryRow {
  access: string | null;
  refresh: string | null;
  file: number;
  line: number;
  state: string;
  reason: string | null;
  bucket: number | null;
  client: string | null;
}

/** Strings stored as small numbers (states, reasons, clients), in the order first met. */
class Interned {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) this.index.set(value, (i = this.values.push(value) - 1));
    return i;
  }
}

/** Where a record lies in a chunk, and its views (shared by every record of the chunk). */
export interface RecordView {
  readonly bytes: Buffer;
  readonly at: number;
}

export class DryRows {
  private readonly spool = new RecordSpool(recordSize, memoryLimit);
  private readonly bytes = Buffer.alloc(recordSize * recordsPerWrite);
  private readonly f64 = new Float64Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 8);
  private readonly u32 = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 4);
  private readonly i32 = new Int32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 4);
  private readonly u16 = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 2);
  private held = 0;
  /** Records appended so far: the next record's sequence number. */
  count = 0;
  private readonly states = new Interned();
  private readonly reasons = new Interned();
  private readonly clients = new Interned();

  /** Appends a row; returns the offset of its record in `bytes` until the next append flushes. */
  append(
    access: string | null,
    refresh: string | null,
    file: number,
    line: number,
    state: string,
    reason: string | null,
    bucket: number | null,
    client: string | null,
  ): number {
    if (this.held === recordsPerWrite) this.flush();
    const at = this.held++ * recordSize;
    this.count++;
    this.key(at, access);
    this.key(at + refreshSlot, refresh);
    this.f64[(at + 88) / 8] = line;
    this.u32[(at + 96) / 4] = file;
    this.u32[(at + 100) / 4] = client === null ? 0 : this.clients.of(client) + 1;
    this.i32[(at + 104) / 4] = bucket ?? noBucket;
    this.u16[(at + 108) / 2] = reason === null ? 0 : this.reasons.of(reason) + 1;
    this.bytes[at + 110] = this.states.of(state);
    return at;
  }

  /** `slotHash` of a key slot of the record just appended at `at` (before the next append). */
  keyHash(at: number): number {
    return slotHash(this.bytes, at);
  }

  private key(at: number, key: string | null): void {
    if (key === null) return void (this.bytes[at + keyBytes] = 0);
    if (key.length > keyBytes || key.length === 0)
      throw new Error(`a ledger key of ${key.length} characters`);
    this.bytes.write(key, at, keyBytes, "latin1");
    // A short key (tests only) is padded with zeros: every byte of the slot is then the key's.
    if (key.length < keyBytes) this.bytes.fill(0, at + key.length, at + keyBytes);
    this.bytes[at + keyBytes] = key.length;
  }

  flush(): void {
    this.spool.put(this.bytes, this.held * recordSize);
    this.held = 0;
  }

  /** Reads every record in order; `visit` returning false stops the scan. */
  scan(visit: (view: RecordView, seq: number) => boolean | void): void {
    this.flush();
    let seq = 0;
    for (const { bytes, length } of this.spool.chunks())
      for (let at = 0; at < length; at += recordSize, seq++) if (visit({ bytes, at }, seq) === false) return;
  }

  /** A record read back as values. */
  row({ bytes, at }: RecordView): DryRow {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, recordSize);
    const client = view.getUint32(100, true);
    const bucket = view.getInt32(104, true);
    const reason = view.getUint16(108, true);
    return {
      access: keyAt(bytes, at),
      refresh: keyAt(bytes, at + refreshSlot),
      line: view.getFloat64(88, true),
      file: view.getUint32(96, true),
      client: client === 0 ? null : this.clients.values[client - 1]!,
      bucket: bucket === noBucket ? null : bucket,
      reason: reason === 0 ? null : this.reasons.values[reason - 1]!,
      state: this.states.values[bytes[at + 110]!]!,
    };
  }

  /** The reason code a record holds (0: none), and the code of a reason (undefined: no record has it). */
  reasonCode({ bytes, at }: RecordView): number {
    return bytes.readUInt16LE(at + 108);
  }
  codeOf(reason: string): number | undefined {
    const i = this.reasons.values.indexOf(reason);
    return i < 0 ? undefined : i + 1;
  }

  /** Frees the records; a second call does nothing. */
  close(): void {
    this.spool.close();
  }
}

/**
 * 32 mixed bits of the key in the slot at `at` (its first sixteen bytes): the same bits when the record
 * is written and when it is read back, whatever the key's alphabet.
 */
export function slotHash(bytes: Buffer, at: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i += 4) h = Math.imul(h ^ bytes.readInt32LE(at + i), 0x9e3779b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Where a record's refresh key slot starts. */
export const refreshSlot = 44;

/** True when the slot at `at` holds a key. */
export const hasKey = (bytes: Buffer, at: number) => bytes[at + keyBytes] !== 0;

/** The key in the slot at `at`, or null. */
export function keyAt(bytes: Buffer, at: number): string | null {
  const length = bytes[at + keyBytes]!;
  return length === 0 ? null : bytes.toString("latin1", at, at + length);
}
