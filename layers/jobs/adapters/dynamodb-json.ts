import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { ExportedValue } from "../domain/data-export";

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/**
 * An SDK attribute as an export line writes it. The SDK holds binaries as `Uint8Array`, which
 * `JSON.stringify` would turn into `{"0":…}`; here they become base64, as DynamoDB's export does.
 */
export function toExported(value: AttributeValue): ExportedValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toExported) };
  if (value.M !== undefined) return { M: toExportedItem(value.M) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: true };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new Error(`an attribute of no DynamoDB type: ${JSON.stringify(Object.keys(value))}`);
}

export const toExportedItem = (item: Record<string, AttributeValue>): Record<string, ExportedValue> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toExported(value)]));

/** An export line's attribute back as the SDK writes it. */
export function fromExported(value: ExportedValue): AttributeValue {
  if ("B" in value) return { B: Buffer.from(value.B, "base64") };
  if ("BS" in value) return { BS: value.BS.map((b) => Buffer.from(b, "base64")) };
  if ("L" in value) return { L: value.L.map(fromExported) };
  if ("M" in value) return { M: fromExportedItem(value.M) };
  return value;
}

export const fromExportedItem = (item: Record<string, ExportedValue>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromExported(value)]));
