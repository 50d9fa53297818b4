import { toTopResponseKey } from "../../schemas/operation.js";
import { readPath } from "../generate/read-path.js";
import { readJsonExactly } from "../read-json.js";
import { isEntityId } from "../state/apply-action.js";
import type { StateService } from "../state/create-state.js";
import type { EntityRecord } from "../state/entity.js";
import type { Lifecycle } from "../state/lifecycle.js";
import { readRequestId } from "../state/operation-wiring.js";
import { setPath } from "../state/set-path.js";
import type { Recording } from "./recording.js";

/** The tenant recorded exchanges belong to once replayed (recordings mask the caller's key): the mock's first PandaPon key and TOP app. */
export interface SeedTenants {
  pandapon: string;
  top: string;
}

/** What seeding did: the recordings that became stored entities (replay leaves them to the state), and why others did not. */
export interface SeedOutcome {
  seeded: Recording[];
  skipped: Array<{ recording: Recording; reason: string }>;
}

function parseJson(text: string): unknown {
  try {
    return readJsonExactly(text);
  } catch {
    return undefined;
  }
}

/** The entity a recorded answer of a view shows, as a record in the state its state field names; else why not. */
function toSeedRecord(recording: Recording, lifecycle: Lifecycle, view: Lifecycle["views"][number], tenant: string, now: number): EntityRecord | string {
  if (recording.answer.status !== 200) return `answered HTTP ${recording.answer.status}`;
  if (recording.request.format !== "json") return "answered XML (only JSON answers seed entities)";
  if (!lifecycle.stateField) return `a ${lifecycle.type} shows no state field, so the state it was in is unknown`;
  const id = readRequestId(view.id, parseJson(recording.request.business), now);
  if (id === undefined || !isEntityId(lifecycle, id)) return "its request names no entity id";
  const body = parseJson(recording.answer.body) as Record<string, unknown> | undefined;
  const data = recording.api === "top" ? body?.[toTopResponseKey(recording.operation)] : body?.data;
  const entity = view.at ? readPath(data, view.at) : data;
  if (entity === null || typeof entity !== "object") return "its answer shows no entity";
  const shown = readPath(entity, lifecycle.stateField);
  const state = [...lifecycle.states.values()].find((s) => String(s.value) === String(shown));
  if (!state) return `its ${lifecycle.stateField} ${JSON.stringify(String(shown))} is not a state of ${lifecycle.type}`;
  const fields: Record<string, unknown> = {};
  for (const field of lifecycle.owned) {
    const value = readPath(entity, field);
    if (value !== undefined) setPath(fields, field, value);
  }
  return { type: lifecycle.type, tenant, id, state: state.name, fields, history: [], timers: [], version: 0, createdAt: now, updatedAt: now };
}

/**
 * Seeds the entity store from recorded answers of the operations that show entities (JSON answers of
 * lifecycles with a state field): each becomes a stored entity of the mock's first key (or app), in
 * the state its recorded answer shows, holding the fields the lifecycle owns as recorded — the
 * entity later reads and writes act on. An entity already stored is left as it is. No timer runs
 * until an action moves it.
 */
export async function seedStateFromRecordings(state: StateService, lifecycles: Iterable<Lifecycle>, recordings: readonly Recording[], tenants: SeedTenants): Promise<SeedOutcome> {
  const views = [...lifecycles].flatMap((lifecycle) => lifecycle.views.map((view) => ({ lifecycle, view })));
  const outcome: SeedOutcome = { seeded: [], skipped: [] };
  const now = state.clock.now();
  for (const recording of recordings) {
    const found = views.find((v) => v.view.operation.meta.name === recording.operation);
    if (!found) continue;
    const record = toSeedRecord(recording, found.lifecycle, found.view, recording.api === "top" ? tenants.top : tenants.pandapon, now);
    if (typeof record === "string") {
      outcome.skipped.push({ recording, reason: record });
      continue;
    }
    if (await state.store.get(record.tenant, record.type, record.id)) {
      outcome.seeded.push(recording);
      continue;
    }
    const written = await state.store.put(record, 0);
    if (written.ok) outcome.seeded.push(recording);
    else outcome.skipped.push({ recording, reason: written.reason === "conflict" ? "written by another mock meanwhile" : written.message });
  }
  return outcome;
}
