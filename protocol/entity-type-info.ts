/** One entity type as the admin API lists it (`GET /__mock/entities/types`): its states and actions. */
export interface EntityTypeInfo {
  type: string;
  title: string;
  states: Array<{ name: string; title: string; initial: boolean; final: boolean }>;
  actions: Array<{ name: string; title: string; actor: string; from: string[] | null; to: string[] }>;
}
