import type { Catalog } from "../../schemas/catalog.js";
import type { StateService, StateServiceOptions } from "./create-state.js";
import { createState } from "./create-state.js";
import type { StoreLimits } from "./store.js";

/** "memory": a state that ends with the process; else the SQLite state file. */
export type StateLocation = "memory" | { file: string };

export interface OpenStateOptions extends Omit<StateServiceOptions, "store"> {
  location: StateLocation;
  catalog?: Catalog;
  limits?: Partial<StoreLimits>;
}

/**
 * The state service over an embedded SQLite store (a file held by this process alone, or memory).
 * better-sqlite3 is loaded here, on first use, so a stateless mock never loads it. Throws
 * StoreOpenError when the file cannot be used (another process holds it, it is not a store).
 */
export async function openState(options: OpenStateOptions): Promise<StateService> {
  const { createSqliteStore } = await import("./sqlite-store.js");
  const { location, limits, ...rest } = options;
  // The file is held by this process alone: another mock holding it is refused after half a second,
  // not after the 5 s a shared file's writers wait for each other.
  const store = createSqliteStore({ file: location === "memory" ? ":memory:" : location.file, limits, busyTimeoutMs: 500 });
  try {
    return await createState({ ...rest, store });
  } catch (error) {
    await store.close();
    throw error;
  }
}
