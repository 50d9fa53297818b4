import type { PandaponErrorName } from "../../protocol/pandapon-error-table.js";
import { PANDAPON_ERRORS } from "../../protocol/pandapon-error-table.js";
import { MESSAGE_LIMIT, toCappedText } from "../../protocol/capped-text.js";
import type { MockCore } from "../create-core.js";
import type { MockResponse } from "../exchange.js";
import { JSON_TYPE } from "../exchange.js";
import { writePandaponError } from "./write-pandapon-envelope.js";

/**
 * The one place PandaPon errors are answered (with the note the HTTP edge journals): the envelope with data null, status
 * and code from the table (or the configured override), the message capped.
 */
export function answerPandaponError(core: MockCore, name: PandaponErrorName, operation: string, message: string): MockResponse {
  const entry = PANDAPON_ERRORS[name];
  const override = core.options.pandapon.errors[name];
  const status = override?.status ?? entry.status;
  const code = override?.code ?? entry.code;
  const msg = toCappedText(message, MESSAGE_LIMIT);
  return { status, contentType: JSON_TYPE, body: writePandaponError(code, msg), note: { api: "pandapon", operation, status, code, message: msg } };
}
