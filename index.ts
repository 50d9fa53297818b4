// pandapon-mock's public surface: explicit named exports only. Contract checks: "pandapon-mock/contracts".
export type { MockOptions, PandaponKey, TopApp, DeepPartial } from "./mock/options.js";
export { toMockOptions } from "./mock/options.js";
export type { MockApp } from "./mock/app.js";
export { createApp, getCore } from "./mock/app.js";
export type { RunningServer } from "./mock/start-server.js";
export type { StartMockOptions, StartedMock, MockEntities } from "./mock/start-mock.js";
export { startMock } from "./mock/start-mock.js";
export type { Rule, RuleInput, RuleMatch, RuleAnswer, Latency, FaultKind } from "./mock/control/rule-format.js";
export { RuleError } from "./mock/control/rule-format.js";
export type { RuleView } from "./mock/control/rule-book.js";
export { TOP_LIMIT_ERRORS } from "./mock/control/top-limit-errors.js";
export type { JournalEntry, JournalNote } from "./mock/exchange.js";
export type { JournalFilter } from "./mock/journal.js";
export { startServer } from "./mock/start-server.js";
export { PANDAPON_ERRORS } from "./protocol/pandapon-error-table.js";
export type { PandaponErrorName } from "./protocol/pandapon-error-table.js";
export { TOP_ERRORS } from "./protocol/top-error-table.js";
export type { Catalog, Operation, RouteMatch } from "./schemas/catalog.js";
export { getCatalog, loadCatalog } from "./schemas/catalog.js";
export type { OperationMeta, JsonSchema } from "./schemas/operation.js";
export { toTopResponseKey } from "./schemas/operation.js";
export type { Violation } from "./schemas/violations.js";
export type { AnswerFormat, EncodedAnswer, Producer } from "./mock/generate/create-producer.js";
export { createProducer } from "./mock/generate/create-producer.js";
export { toJsonText } from "./protocol/json-wire.js";
export { toTopXml } from "./protocol/top-xml.js";
export type { SignatureScheme, SignedValues, TopParams, TopSignMethod, Verification } from "./signing/index.js";
export {
  DEFAULT_SCHEME,
  toScheme,
  describeScheme,
  toStringToSign,
  signPandapon,
  signTop,
  toTopStringToSign,
  signCallback,
  verifyPandaponSignature,
  verifyTopSignature,
  verifyCallbackSignature,
  toTopTimestamp,
} from "./signing/index.js";
export { createPandaponClient } from "./client/create-pandapon-client.js";
export { createTopClient } from "./client/create-top-client.js";
export { ClientError } from "./client/client-error.js";
export type { AdminClient, AdminClientOptions, AdminClock, AdminEntity, AdminEntityPage, AdminEntityType } from "./client/create-admin-client.js";
export { AdminClientError, createAdminClient } from "./client/create-admin-client.js";
export type { EntityResult, EntityView, StateService, StateServiceOptions } from "./mock/state/create-state.js";
export { createState } from "./mock/state/create-state.js";
export type { OpenStateOptions, StateLocation } from "./mock/state/open-state.js";
export { openState } from "./mock/state/open-state.js";
export { DEFAULT_STATE_FILE } from "./mock/state/default-state-file.js";
export type { CallResult, CallOptions, TransportOptions } from "./client/call-result.js";
export type { CallbackMessage, CallbackVerification, CallbackMiddlewareOptions } from "./receiver/index.js";
export { verifyCallback, createCallbackMiddleware } from "./receiver/index.js";
export type { OperationTypes, OperationName } from "./generated/index.js";
export { DEMO_PANDAPON, DEMO_TOP } from "./protocol/demo.js";
