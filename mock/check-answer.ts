import { parseTopXml } from "../checks/parse-top-xml.js";
import type { Catalog, Operation } from "../schemas/catalog.js";
import { toOperationCursor } from "../schemas/schema-cursor.js";
import type { Violation } from "../schemas/violations.js";
import { fromWireText } from "../protocol/wire-text.js";
import type { AnswerFormat } from "./generate/create-producer.js";

/**
 * The violations of a success body (wire text, exactly as it will be sent) against its operation's
 * response schema: JSON parsed as is, TOP XML read back into its JSON shape by the same reader the
 * contract checks use (leaves typed by the schema).
 */
export function checkAnswer(catalog: Catalog, operation: Operation, format: AnswerFormat, body: string): Violation[] {
  const text = fromWireText(body);
  if (format === "json") return operation.checkResponse(JSON.parse(text));
  const shape = toOperationCursor(catalog, operation, "response");
  const parsed = parseTopXml(text, { shape: () => shape });
  if (!parsed.ok) return [{ path: "", rule: "parse", severity: "error", message: parsed.message }];
  return operation.checkResponse(parsed.value);
}
