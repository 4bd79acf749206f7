import type { SourceRow } from "./types.js";

/**
 * Work done on every row where it is read (mapping it, say): `module` (a file URL) exports
 * `prepare(data)`, which returns the function applied to each row, and may export `pack` and `unpack`,
 * which carry a batch of its results across threads more cheaply than a structured clone of each. On a
 * reading thread `data` arrives by structured clone (plain data, Maps, Sets, RegExps: no functions).
 */
export interface RowTransform {
  module: string;
  data: unknown;
}

/**
 * What a transform's module exports. `T` is what the caller's thread takes: `take` makes it of one result
 * of `prepare`'s function, `unpack` of a packed batch of them; a module without them returns `T` itself.
 * Work a result needs but the reading thread need not do (hashing, say) can wait for them.
 */
export interface TransformModule<T> {
  prepare(data: unknown): (row: SourceRow) => unknown;
  take?(item: unknown): T;
  /** `spare`: the reading thread has time to spare (it waited for the caller): it may do more here. */
  pack?(items: unknown[], spare: boolean): unknown;
  unpack?(packed: unknown): T[];
}

export async function loadTransform<T>(transform: RowTransform): Promise<TransformModule<T>> {
  return (await import(transform.module)) as TransformModule<T>;
}
