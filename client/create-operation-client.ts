import type { Api } from "../schemas/operation.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import type { CallResult, OperationClient, OperationTypeMap, SentRequest, TransportOptions } from "./call-result.js";
import { sendRequest, toTransportOptions } from "./send-request.js";
import { toCallResult } from "./to-call-result.js";

/**
 * A client of one API: `call` finds the operation by name (one of this API's), builds the signed
 * request afresh for every attempt, sends it and reads the answer by the operation's schema.
 */
export function createOperationClient<Types extends OperationTypeMap>(
  catalog: Catalog,
  options: TransportOptions,
  client: { api: Api; calls: string },
  build: (operation: Operation, payload: unknown) => SentRequest,
): OperationClient<Types> {
  return {
    async call(name, payload, callOptions = {}) {
      const operation = catalog.find(name);
      if (!operation) throw new Error(`Unknown operation "${name}". Run \`pandapon-mock operations\` to list them.`);
      if (operation.meta.api !== client.api) {
        throw new Error(`"${name}" is a ${operation.meta.api} operation; the ${client.calls} only.`);
      }
      const answer = await sendRequest(() => build(operation, payload), {
        ...toTransportOptions(options),
        timeoutMs: callOptions.timeoutMs ?? options.timeoutMs,
        signal: callOptions.signal,
      });
      return toCallResult(catalog, operation, answer, options.bigIntegers) as CallResult<never>;
    },
  };
}
