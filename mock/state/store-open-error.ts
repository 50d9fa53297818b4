/** Why a store could not be opened: the message says what failed, why, and what to do. */
export type StoreOpenErrorCode = "cannot-create-folder" | "cannot-open" | "in-use" | "not-a-store" | "newer-version" | "unreachable";

export class StoreOpenError extends Error {
  override name = "StoreOpenError";
  readonly code: StoreOpenErrorCode;
  /** The file, or the PostgreSQL host, port, database and schema (never a password). */
  readonly where: string;

  constructor(code: StoreOpenErrorCode, where: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.where = where;
  }
}
