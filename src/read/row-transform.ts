import type { SourceRow } from "./types.js";

/**
 * Work done on every row where it is read (mapping it, say): `module` (a file URL) exports
 * `prepare(data)`, which returns the function applied to each row. On a reading thread `data` arrives by
 * structured clone (plain data, Maps, Sets, RegExps: no functions), so the same module serves both threads.
 */
export interface RowTransform {
  module: string;
  data: unknown;
}

/** The function a transform applies to each row. */
export async function loadTransform<T>(transform: RowTransform): Promise<(row: SourceRow) => T> {
  const { prepare } = (await import(transform.module)) as {
    prepare: (data: unknown) => (row: SourceRow) => T;
  };
  return prepare(transform.data);
}
