import { keyResult, payloadKeys, type MapResult, type UnkeyedPayload } from "../map/rows.js";
import type { MappedRow, UnkeyedRow } from "./types.js";

/**
 * A batch of mapped rows as it crosses from the reading thread: the common payload as a flat list of
 * values (a structured clone writes every object's keys again, row after row: it was two thirds of the
 * cost of moving a mapped row), every other row as it is, with its place. Payloads cross unkeyed: the
 * receiving thread hashes their tokens (`unpack`), which also keeps two hashes per row out of the clone.
 */
export interface PackedRows {
  count: number;
  /** Keyed where it was packed: that thread had time to spare (see `pack`); `others` are MappedRows then. */
  keyed: boolean;
  files: string[];
  flat: unknown[];
  others: [number, UnkeyedRow | MappedRow][];
}

/** The request fields the flat form carries; a request with any other is sent as it is. */
const requestKeys = ["grantType", "clientId", "subject", "scopes", "accessToken", "refreshToken"] as const;
const known = {
  mapped: new Set(["row", "result", "now", "client"]),
  row: new Set(["file", "rowNo", "line"]),
  payload: new Set([
    "kind",
    "keyToken",
    "request",
    "probeToken",
    "accessExpiresAt",
    "refreshExpiresAt",
    "refreshOnly",
    "notCarried",
  ]),
  request: new Set<string>(requestKeys),
};
/** Values a flat row takes: 12 of the row and payload, then the request's. */
const head = 12;
const width = head + requestKeys.length;

/** True when every own key is one the flat form knows and none holds undefined (absent means absent). */
function only(value: object, keys: ReadonlySet<string>): boolean {
  for (const key in value)
    if (!keys.has(key) || (value as Record<string, unknown>)[key] === undefined) return false;
  return true;
}

function flattens(mapped: UnkeyedRow): mapped is UnkeyedRow & { result: UnkeyedPayload } {
  const { row, result } = mapped;
  return (
    result.kind === "payload" &&
    typeof row.line === "number" &&
    only(mapped, known.mapped) &&
    only(row, known.row) &&
    only(result, known.payload) &&
    only(result.request, known.request)
  );
}

/** A row as the other thread takes it: a payload keyed. */
export function keyRow(mapped: UnkeyedRow): MappedRow {
  return { ...mapped, result: keyResult(mapped.result) };
}

/**
 * `keyHere`: the packing thread keys the batch itself — it waited for the other to take its batches, so
 * the other is the one short of time (a rerun's ledger lookups); else the taking thread keys it (a dry
 * run, where the reading thread is the bound). Either way the same rule, `payloadKeys`, makes the keys.
 */
export function pack(rows: UnkeyedRow[], keyHere = false): PackedRows {
  const files: string[] = [];
  const flat: unknown[] = [];
  const others: [number, UnkeyedRow | MappedRow][] = [];
  for (const [i, mapped] of rows.entries()) {
    if (!flattens(mapped)) {
      others.push([i, keyHere ? keyRow(mapped) : mapped]);
      continue;
    }
    const { row, result: p, now, client } = mapped;
    let file = files.lastIndexOf(row.file);
    if (file === -1) file = files.push(row.file) - 1;
    const request = p.request as Record<string, unknown>;
    // The probe and the key token are the access token sent but for a refresh-only row: sent once.
    const probe = p.probeToken === p.request.accessToken ? 0 : p.probeToken;
    // Keyed here: the two keys; else the key token (0: the access token sent) for the other to hash.
    const keys = keyHere ? payloadKeys(p.keyToken, p.request.refreshToken) : undefined;
    const key = keys ? keys.key : p.keyToken === p.request.accessToken ? 0 : p.keyToken;
    const refreshKey = keys ? keys.refreshHash : 0;
    flat.push(file, row.rowNo, row.line, now, client, key, refreshKey, probe, p.notCarried);
    flat.push(p.accessExpiresAt, p.refreshExpiresAt, p.refreshOnly);
    // In requestKeys' order, by name: a keyed read of each was a third of packing a row.
    flat.push(request.grantType, request.clientId, request.subject, request.scopes);
    flat.push(request.accessToken, request.refreshToken);
  }
  return { count: rows.length, keyed: keyHere, files, flat, others };
}

export function unpack({ count, keyed, files, flat, others }: PackedRows): MappedRow[] {
  const rows: MappedRow[] = [];
  let f = 0;
  let o = 0;
  for (let i = 0; i < count; i++) {
    if (o < others.length && others[o]![0] === i) {
      const other = others[o++]![1];
      rows.push(keyed ? (other as MappedRow) : keyRow(other as UnkeyedRow));
      continue;
    }
    const v = flat;
    // Absent stays absent; by name, in requestKeys' order.
    const request: Record<string, unknown> = {};
    let value = v[f + head];
    if (value !== undefined) request.grantType = value;
    if ((value = v[f + head + 1]) !== undefined) request.clientId = value;
    if ((value = v[f + head + 2]) !== undefined) request.subject = value;
    if ((value = v[f + head + 3]) !== undefined) request.scopes = value;
    if ((value = v[f + head + 4]) !== undefined) request.accessToken = value;
    if ((value = v[f + head + 5]) !== undefined) request.refreshToken = value;
    const keys = keyed
      ? { key: v[f + 5] as string, refreshHash: v[f + 6] as string | null }
      : payloadKeys(
          (v[f + 5] === 0 ? request.accessToken : v[f + 5]) as string,
          request.refreshToken as string | undefined,
        );
    const result = {
      kind: "payload",
      key: keys.key,
      refreshHash: keys.refreshHash,
      request,
      probeToken: v[f + 7] === 0 ? request.accessToken : v[f + 7],
      accessExpiresAt: v[f + 9],
      refreshExpiresAt: v[f + 10],
      refreshOnly: v[f + 11],
      ...(v[f + 8] === undefined ? {} : { notCarried: v[f + 8] }),
    } as MapResult;
    const row = { file: files[v[f] as number]!, rowNo: v[f + 1] as number, line: v[f + 2] as number };
    rows.push({ row, result, now: v[f + 3] as number, client: v[f + 4] as string });
    f += width;
  }
  return rows;
}
