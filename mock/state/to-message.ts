import type { Row } from "../generate/tables.js";
import { createRandomizer, hashToSeed } from "../generate/randomizer.js";
import type { EmittedMessage } from "./apply-action.js";
import type { EntityRecord } from "./entity.js";
import type { ExpressionScope } from "./expression-scope.js";
import type { LifecyclePush } from "./lifecycle-model.js";

/**
 * The message a lifecycle's `push` makes of an entity as it stands (a push sent by hand): its body
 * read from the entity's fields, as a transition into its state would have read it.
 */
export function toMessageOf(entity: EntityRecord, push: LifecyclePush, now: number, seed: string | number): EmittedMessage {
  const scope: ExpressionScope = {
    fields: entity.fields,
    input: null,
    vars: { id: entity.id },
    item: null,
    before: entity.state,
    after: entity.state,
    now,
    timers: entity.timers,
    random: createRandomizer(hashToSeed(`${seed}|${entity.tenant}|${entity.type}|${entity.id}|message|${now}`)).next,
    rows: new Map<string, Row>(),
    kind: undefined,
  };
  return {
    messageType: push.messageType,
    platform: push.platform,
    assumed: push.assumed,
    body: push.body ? push.body(scope) : entity.fields,
    entity: { type: entity.type, id: entity.id },
    action: "by-hand",
    at: now,
  };
}
