/** Run-level failures. Row-level problems are values (see ReasonCode), never thrown. */
export type MigrateErrorCode =
  | "usage"
  | "config_invalid"
  | "mapping_invalid"
  | "source_invalid"
  | "ledger_invalid"
  | "ledger_locked"
  | "ledger_write_failed"
  | "report_write_failed"
  | "issuer_failed"
  | "authentication_failed"
  | "service_unreachable"
  | "clock_skew"
  | "cutover_refused"
  | "deletions_refused"
  | "writer_thread_failed"
  | "interrupted";

/** Exit code of a run-level failure: 2 before any row is processed, 3 once a run is aborted. */
const exitCodes: Record<MigrateErrorCode, 2 | 3> = {
  usage: 2,
  config_invalid: 2,
  mapping_invalid: 2,
  source_invalid: 2,
  ledger_invalid: 2,
  ledger_locked: 2,
  ledger_write_failed: 3,
  report_write_failed: 3,
  issuer_failed: 2,
  authentication_failed: 3,
  service_unreachable: 3,
  clock_skew: 2,
  cutover_refused: 2,
  deletions_refused: 3,
  writer_thread_failed: 3,
  interrupted: 3,
};

export interface MigrateErrorContext {
  file?: string;
  row?: number;
  column?: string;
  option?: string;
  /** The bad field of a settings file, as a path: `properties[0].key`. */
  field?: string;
  status?: number;
  resultCode?: string;
  cause?: unknown;
}

/** The one error class of the project: a stable code, where it happened, and the original cause. */
export class MigrateError extends Error {
  readonly code: MigrateErrorCode;
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  readonly option?: string;
  readonly field?: string;
  readonly status?: number;
  readonly resultCode?: string;

  constructor(code: MigrateErrorCode, message: string, context: MigrateErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = "MigrateError";
    this.code = code;
    this.file = context.file;
    this.row = context.row;
    this.column = context.column;
    this.option = context.option;
    this.field = context.field;
    this.status = context.status;
    this.resultCode = context.resultCode;
  }

  get exitCode(): 2 | 3 {
    return exitCodes[this.code];
  }
}
