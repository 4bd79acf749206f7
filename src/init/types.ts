import type { ColumnKind } from "./column-evidence.js";

export type { ColumnKind };

/** A proposed mapping: the object to write, how it was found, and what the user must still decide. */
export interface Proposal {
  mapping: Record<string, unknown>;
  preset?: string;
  /** Each mapping column, the dump's column it reads, and for times what the values look like. */
  columns: { column: string; path: string; kind?: ColumnKind }[];
  /** Source columns the mapping ignores on purpose (nothing in them decides a token's life). */
  ignored: string[];
  /** Source columns left unaccounted until the user decides (they may say a token is dead). */
  undecided: string[];
  /** The column holding the legacy client ID, if one was found. */
  clientColumn?: string;
  /** The column holding the subject, if one was found (a client none of whose rows has one is M2M). */
  subjectColumn?: string;
  /** No column holds the grant type: clients.csv must give it per client. */
  grantTypePerClient: boolean;
  toDecide: string[];
}
