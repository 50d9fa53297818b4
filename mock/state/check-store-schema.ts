import type { Row } from "./store-flows.js";
import { STORE_APP, STORE_SCHEMA_VERSION } from "./store-sql.js";
import type { StoreOpenErrorCode } from "./store-open-error.js";

/** Why a database cannot be used as a store; `problem` finishes a sentence "…it <problem>". */
export interface StoreSchemaProblem {
  code: StoreOpenErrorCode;
  problem: string;
}

export const NOT_A_STORE: StoreSchemaProblem = { code: "not-a-store", problem: "holds tables but is not a pandapon-mock state store" };

/**
 * Why the `store_schema` rows of an existing database do not make it a store this version reads,
 * or the layout version it holds (an earlier one is migrated when opened: toStoreMigrations).
 */
export function checkStoreSchema(rows: Row[]): StoreSchemaProblem | number {
  const row = rows[0];
  if (rows.length !== 1 || row === undefined || row.app !== STORE_APP) return NOT_A_STORE;
  const version = Number(row.version);
  if (version > STORE_SCHEMA_VERSION) {
    return { code: "newer-version", problem: `was written by a newer pandapon-mock (store layout ${version}; this one reads up to ${STORE_SCHEMA_VERSION})` };
  }
  return version;
}
