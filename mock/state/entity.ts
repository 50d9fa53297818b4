/** One history line: which action moved the entity, when (virtual-clock epoch ms), from which state to which. */
export interface EntityHistoryEntry { at: number; action: string; from: string | null; to: string }
/** A timeout action that falls due at `at` (virtual-clock epoch ms) unless the state changes first. */
export interface EntityTimer { action: string; at: number }
/** One entity as the state layer keeps it: a business object of one tenant, moved by its lifecycle. */
export interface EntityRecord {
  /** Lifecycle (entity type) name, e.g. "alibaba-refund". */
  type: string;
  /** The PandaPon access-key or TOP app_key that owns it; one tenant never sees another's entities. */
  tenant: string;
  /** The entity's id as text (19-digit ids exact). */
  id: string;
  /** Current lifecycle state, e.g. "waitselleragree". */
  state: string;
  /** The entity's fields, named as in the operation schemas' Data; JSON values, integers beyond 2^53 as bigint. */
  fields: Record<string, unknown>;
  history: EntityHistoryEntry[];
  timers: EntityTimer[];
  /** 1 after the first write; every write must name the version it read (optimistic concurrency). */
  version: number;
  createdAt: number;
  updatedAt: number;
}
