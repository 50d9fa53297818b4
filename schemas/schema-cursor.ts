import type { Catalog, Operation } from "./catalog.js";
import envelopes from "./common/envelopes.json" with { type: "json" };
import type { JsonSchema } from "./operation.js";

/**
 * A position in a schema while a payload is walked beside it: `$ref` followed (through the
 * catalog), `allOf`/`anyOf`/`oneOf`/`then`/`else` merged as a union. Used to find drift,
 * to annotate precision hazards and to give TOP XML its JSON shape.
 */
export interface SchemaCursor {
  /** Declared JSON types here (union over branches, inferred from `enum`/`const` when untyped); empty = unknown. */
  readonly types: ReadonlySet<string>;
  /** No branch documents members here (free-form or unknown): nothing below is drift. */
  readonly isOpen: boolean;
  /** Some branch says `additionalProperties: false`: ajv already reports extra members as errors. */
  readonly isClosed: boolean;
  /** Documented member names (for "did you mean" hints). */
  readonly propertyNames: readonly string[];
  /** The member's cursor; undefined when the member is not documented here. */
  property(name: string): SchemaCursor | undefined;
  item(index: number): SchemaCursor;
}

export const ENVELOPES_ID = envelopes.$id;

interface Node {
  schema: JsonSchema;
  base: string;
}

const documents = new WeakMap<Catalog, Map<string, unknown>>();

function getDocument(catalog: Catalog, url: string): unknown {
  let cache = documents.get(catalog);
  if (!cache) documents.set(catalog, (cache = new Map()));
  if (!cache.has(url)) cache.set(url, catalog.getSchema(url));
  return cache.get(url);
}

function resolveRef(catalog: Catalog, ref: string, base: string): Node | undefined {
  const href = new URL(ref, base).href;
  const hash = href.indexOf("#");
  const url = hash < 0 ? href : href.slice(0, hash);
  const pointer = hash < 0 ? "" : decodeURIComponent(href.slice(hash + 1));
  let target = getDocument(catalog, url);
  for (const part of pointer.split("/").slice(1)) {
    if (typeof target !== "object" || target === null) return undefined;
    target = (target as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return typeof target === "object" && target !== null ? { schema: target as JsonSchema, base: url } : undefined;
}

function flatten(catalog: Catalog, schema: unknown, base: string, out: Node[], seen: Set<unknown>): void {
  if (typeof schema !== "object" || schema === null || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as JsonSchema;
  const here = typeof s.$id === "string" ? new URL(s.$id, base).href.replace(/#.*$/, "") : base;
  out.push({ schema: s, base: here });
  if (typeof s.$ref === "string") {
    const target = resolveRef(catalog, s.$ref, here);
    if (!target) throw new Error(`Failed to resolve "${s.$ref}" from "${here}".`);
    flatten(catalog, target.schema, target.base, out, seen);
  }
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const members = s[key];
    if (Array.isArray(members)) for (const m of members) flatten(catalog, m, here, out, seen);
  }
  for (const key of ["then", "else"]) flatten(catalog, s[key], here, out, seen);
}

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function toTypes(nodes: readonly Node[]): Set<string> {
  const types = new Set<string>();
  for (const { schema } of nodes) {
    const t = schema.type;
    if (typeof t === "string") types.add(t);
    else if (Array.isArray(t)) for (const x of t) types.add(String(x));
    else if (Array.isArray(schema.enum)) for (const v of schema.enum) types.add(typeOfValue(v));
    else if ("const" in schema) types.add(typeOfValue(schema.const));
    if (schema.properties !== undefined && t === undefined) types.add("object");
  }
  return types;
}

function matchesPattern(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern, "u").test(name);
  } catch {
    return false;
  }
}

/** Names a cursor remembers the child cursor of (documented ones, and undocumented ones up to this many). */
const MAX_REMEMBERED_NAMES = 1024;

/**
 * Cursors are built once per set of schema nodes and remembered — a document walks the same
 * positions again and again (every exchange through the proxy, every answer checked): one cursor per
 * distinct set of nodes, found by the nodes' identities, so a recursive schema reuses its cursors
 * instead of building one per level; kept as long as the catalog and the schema objects live.
 */
const interned = new WeakMap<Catalog, WeakMap<object, Map<string, Cursor>>>();
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 0;

function toNodeKey(nodes: readonly Node[]): string {
  let key = "";
  for (const { schema, base } of nodes) {
    let id = schemaIds.get(schema);
    if (id === undefined) schemaIds.set(schema, (id = nextSchemaId++));
    key += `${id}@${base} `;
  }
  return key;
}

function toCursor(catalog: Catalog, nodes: Node[]): Cursor {
  let bySchema = interned.get(catalog);
  if (!bySchema) interned.set(catalog, (bySchema = new WeakMap()));
  const anchor = nodes[0]?.schema ?? catalog;
  let byKey = bySchema.get(anchor);
  if (!byKey) bySchema.set(anchor, (byKey = new Map()));
  const key = toNodeKey(nodes);
  let cursor = byKey.get(key);
  if (!cursor) byKey.set(key, (cursor = new Cursor(catalog, nodes)));
  return cursor;
}

class Cursor implements SchemaCursor {
  readonly types: ReadonlySet<string>;
  readonly isOpen: boolean;
  readonly isClosed: boolean;
  readonly propertyNames: readonly string[];
  /** Child cursors found so far, by member name (undefined: not documented here). */
  private readonly children = new Map<string, SchemaCursor | undefined>();
  /** Item cursors found so far: by position for tuple schemas, under -1 when every item shares one. */
  private readonly items = new Map<number, SchemaCursor>();
  private readonly isTuple: boolean;

  constructor(
    private readonly catalog: Catalog,
    private readonly nodes: readonly Node[],
  ) {
    this.types = toTypes(nodes);
    const documenting = nodes.filter(
      ({ schema }) => schema.properties !== undefined || schema.patternProperties !== undefined || schema.additionalProperties !== undefined,
    );
    this.isOpen = documenting.length === 0;
    this.isClosed = nodes.some(({ schema }) => schema.additionalProperties === false);
    this.propertyNames = [...new Set(nodes.flatMap(({ schema }) => Object.keys((schema.properties ?? {}) as object)))];
    this.isTuple = nodes.some(({ schema }) => Array.isArray(schema.items));
  }

  private cursorOf(children: Node[]): SchemaCursor {
    const out: Node[] = [];
    const seen = new Set<unknown>();
    for (const child of children) flatten(this.catalog, child.schema, child.base, out, seen);
    return toCursor(this.catalog, out);
  }

  property(name: string): SchemaCursor | undefined {
    if (this.children.has(name)) return this.children.get(name);
    const child = this.findProperty(name);
    if (this.children.size < MAX_REMEMBERED_NAMES) this.children.set(name, child);
    return child;
  }

  private findProperty(name: string): SchemaCursor | undefined {
    const found: Node[] = [];
    const extra: Node[] = [];
    let allowsAny = false;
    for (const { schema, base } of this.nodes) {
      const properties = schema.properties as Record<string, unknown> | undefined;
      if (properties && Object.hasOwn(properties, name)) found.push({ schema: properties[name] as JsonSchema, base });
      const patterns = (schema.patternProperties ?? {}) as Record<string, unknown>;
      for (const [pattern, sub] of Object.entries(patterns)) {
        if (matchesPattern(pattern, name)) found.push({ schema: sub as JsonSchema, base });
      }
      const additional = schema.additionalProperties;
      if (additional === true) allowsAny = true;
      else if (typeof additional === "object" && additional !== null) extra.push({ schema: additional as JsonSchema, base });
    }
    if (found.length > 0) return this.cursorOf(found);
    if (extra.length > 0) return this.cursorOf(extra);
    if (allowsAny || this.isOpen) return toOpenCursor(this.catalog);
    return undefined;
  }

  item(index: number): SchemaCursor {
    const key = this.isTuple ? index : -1;
    let cursor = this.items.get(key);
    if (cursor) return cursor;
    const found: Node[] = [];
    for (const { schema, base } of this.nodes) {
      const items = schema.items;
      if (Array.isArray(items)) {
        const sub = index < items.length ? items[index] : schema.additionalItems;
        if (typeof sub === "object" && sub !== null) found.push({ schema: sub as JsonSchema, base });
      } else if (typeof items === "object" && items !== null) {
        found.push({ schema: items as JsonSchema, base });
      }
    }
    cursor = this.cursorOf(found);
    if (this.items.size < MAX_REMEMBERED_NAMES) this.items.set(key, cursor);
    return cursor;
  }
}

/** A cursor that documents nothing: any member is accepted, nothing below is drift. */
function toOpenCursor(catalog: Catalog): SchemaCursor {
  return toCursor(catalog, []);
}

/** A cursor at `schema`, whose relative `$ref`s resolve against `base` (a schema file's `$id`). */
export function createSchemaCursor(catalog: Catalog, schema: JsonSchema, base: string): SchemaCursor {
  const nodes: Node[] = [];
  flatten(catalog, schema, base, nodes, new Set());
  return toCursor(catalog, nodes);
}

export type SchemaPart = "request" | "response" | "error";

/** The id of the error document schema an operation's API answers with. */
export function toErrorSchemaRef(operation: Operation): string {
  const name = operation.meta.api === "top" ? "TopErrorResponse" : "PandaponError";
  return `${ENVELOPES_ID}#/definitions/${name}`;
}

/** A cursor over an operation's request, whole response document (envelope included) or error document. */
export function toOperationCursor(catalog: Catalog, operation: Operation, part: SchemaPart): SchemaCursor | undefined {
  let parts = operationCursors.get(operation);
  if (!parts) operationCursors.set(operation, (parts = new Map()));
  if (!parts.has(part)) parts.set(part, findOperationCursor(catalog, operation, part));
  return parts.get(part);
}

/** An operation's three cursors, built on first use (the catalog an operation belongs to is the one it is asked with). */
const operationCursors = new WeakMap<Operation, Map<SchemaPart, SchemaCursor | undefined>>();

function findOperationCursor(catalog: Catalog, operation: Operation, part: SchemaPart): SchemaCursor | undefined {
  if (part === "request") return operation.request ? createSchemaCursor(catalog, operation.request, operation.id) : undefined;
  if (part === "response") {
    // The PandaPon envelope always has `data`; when the docs do not describe it, its content is unknown, not drift.
    const undescribedData = operation.meta.envelope === "pandapon" && operation.data === undefined;
    const schema = undescribedData ? { allOf: [operation.response, { properties: { data: {} } }] } : operation.response;
    return createSchemaCursor(catalog, schema, operation.id);
  }
  return createSchemaCursor(catalog, { $ref: toErrorSchemaRef(operation) }, operation.id);
}
