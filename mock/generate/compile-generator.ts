import type { Catalog, Operation } from "../../schemas/catalog.js";
import type { JsonSchema } from "../../schemas/operation.js";
import type { Kind } from "../../schemas/primary-kind.js";
import { primaryKind } from "../../schemas/primary-kind.js";
import type { GenerationContext } from "./generation-context.js";
import type { MockSpec, Scope, ValueGen } from "./value-generators.js";
import { compilePattern } from "./fill-pattern.js";
import { intBetween, pickOne } from "./random-picks.js";
import { readPath } from "./read-path.js";
import { toWireText, toWireValue } from "../../protocol/wire-text.js";
import { GENERATORS, OMIT, isLongDigits, readScopePath, toConstant, toDependencies, toKind, toParentDependencies } from "./value-generators.js";
import { compileListRows } from "./list-rows.js";
import { toPageItemCount } from "./page-arithmetic.js";

/** What compiling one operation's schema shares: where refs resolve, and what is compiled already. */
interface Compiler {
  catalog: Catalog;
  operation: Operation;
  compiled: WeakMap<JsonSchema, ValueGen>;
  /** For a compiled object: the members of ITS enclosing object that its members read through `../`. */
  parentNeeds: WeakMap<ValueGen, string[]>;
  /** Dotted paths of members not generated (unless a generated sibling reads them). */
  leaveOut: ReadonlySet<string>;
  /** The paths of the objects holding them ("" the root): compiled for their place, not shared. */
  holders: ReadonlySet<string>;
}

/** The paths of the objects on the way to each path ("" the root). */
function toHolders(paths: Iterable<string>): Set<string> {
  const holders = new Set<string>();
  for (const path of paths) {
    const segments = path.split(".");
    for (let i = 0; i < segments.length; i++) holders.add(segments.slice(0, i).join("."));
  }
  return holders;
}

/**
 * Compiles a schema into a generator once: `x-mock` annotations pick named generators, other
 * members get a default by type, enum or name. Objects generate members in dependency order
 * (for lte, after, copy, multiply, sum) and emit them in the documented order. `leaveOut`: dotted
 * paths of object members (outside lists) left undefined, for a caller that sets them itself (a
 * view of an entity), unless a generated member reads them; their place in the order is kept.
 */
export function compileGenerator(catalog: Catalog, operation: Operation, schema: JsonSchema, leaveOut: ReadonlySet<string> = new Set()): (ctx: GenerationContext) => unknown {
  const c: Compiler = { catalog, operation, compiled: new WeakMap(), parentNeeds: new WeakMap(), leaveOut, holders: toHolders(leaveOut) };
  const root = compileNode(c, schema, "", operation.id, "");
  const rootScope: Scope = { obj: {}, rows: undefined };
  return (ctx) => {
    const value = root(ctx, rootScope);
    return value === OMIT ? undefined : value;
  };
}

/** `path`: where the node sits (dotted, "" the root; undefined within a list), for `leaveOut`. */
function compileNode(c: Compiler, input: JsonSchema, name: string, base: string, path?: string): ValueGen {
  const resolved = c.catalog.resolveRef(input, base);
  const schema = resolved.schema;
  // An object holding members left out is compiled for its place: the same schema elsewhere generates them.
  const shared = !input["x-mock"] && !(path !== undefined && c.holders.has(path));
  const cached = c.compiled.get(schema);
  if (cached && shared) return cached;
  const bare = compileBare(c, schema, input, name, resolved.base, shared ? undefined : path);
  const gen = withOptions(bare, toSpec(input["x-mock"] ?? schema["x-mock"]), schema);
  if (gen !== bare && c.parentNeeds.has(bare)) c.parentNeeds.set(gen, c.parentNeeds.get(bare)!);
  if (shared) c.compiled.set(schema, gen);
  return gen;
}

function compileBare(c: Compiler, schema: JsonSchema, input: JsonSchema, name: string, base: string, path?: string): ValueGen {
  const spec = toSpec(input["x-mock"] ?? schema["x-mock"]);
  const kind = primaryKind(schema);
  if (spec && spec.gen !== "list") {
    const factory = GENERATORS[spec.gen];
    if (!factory) throw new Error(`Failed to compile x-mock in "${c.operation.file}": unknown generator "${spec.gen}".`);
    return factory(spec, kind);
  }
  if ("const" in schema) return toConstant(schema.const);
  const values = toWireValue((schema.enum as unknown[] | undefined)?.filter((v) => v !== null));
  if (values && values.length > 0) return (ctx) => pickOne(ctx, values);
  if (Array.isArray(schema.allOf)) return compileObject(c, { properties: mergeProperties(c, schema.allOf as JsonSchema[], base) }, base, path);
  switch (kind) {
    case "object":
      return compileObject(c, schema, base, path);
    case "array":
      return compileArray(c, schema, spec, base);
    default:
      return defaultScalar(schema, kind, name);
  }
}

function mergeProperties(c: Compiler, parts: JsonSchema[], base: string): Record<string, JsonSchema> {
  return Object.assign({}, ...parts.map((p) => c.catalog.resolveRef(p, base).schema.properties ?? {}));
}

/** `path`: where the object sits when members below it may be left out (see compileGenerator). */
function compileObject(c: Compiler, schema: JsonSchema, base: string, path?: string): ValueGen {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const declared = Object.keys(properties);
  const members = declared.map((key) => {
    const spec = toSpec(properties[key]!["x-mock"]);
    const gen = compileNode(c, properties[key]!, key, base, path === undefined ? undefined : path === "" ? key : `${path}.${key}`);
    const own = spec ? toDependencies(spec) : [];
    return { key, gen, spec, deps: [...own, ...(c.parentNeeds.get(gen) ?? [])].filter((d) => d !== key && d in properties) };
  });
  const needsOfParent = members.flatMap((m) => (m.spec ? toParentDependencies(m.spec) : []));
  const kept = path === undefined ? members : toKeptMembers(members, (key) => c.leaveOut.has(path === "" ? key : `${path}.${key}`));
  const ordered = toGenerationOrder(kept, c.operation.file);
  const generate = toObjectGenerator(declared, ordered);
  if (needsOfParent.length > 0) c.parentNeeds.set(generate, needsOfParent);
  return generate;
}

/** The members generated: all but those left out, except those a generated member reads (and so on). */
function toKeptMembers<T extends { key: string; deps: string[] }>(members: T[], isLeftOut: (key: string) => boolean): T[] {
  const kept = new Set(members.filter((m) => !isLeftOut(m.key)).map((m) => m.key));
  const byKey = new Map(members.map((m) => [m.key, m]));
  const keep = (key: string) => {
    if (kept.has(key)) return;
    kept.add(key);
    for (const d of byKey.get(key)!.deps) keep(d);
  };
  for (const key of [...kept]) for (const d of byKey.get(key)!.deps) keep(d);
  return members.filter((m) => kept.has(m.key));
}

/**
 * The generator of one object, written as its own function: a fixed-shape literal in documented
 * order, then one call and one named store per member in generation order. Each call site sees
 * one generator (a shared loop would see them all), which is what lets V8 make it fast.
 */
function toObjectGenerator(declared: string[], ordered: { key: string; gen: ValueGen }[]): ValueGen {
  const literalKey = (k: string) => (k === "__proto__" ? `[${JSON.stringify(k)}]` : JSON.stringify(k));
  const source = [
    ...ordered.map((_, i) => `const g${i} = gens[${i}];`),
    "return function generateObject(ctx, parent) {",
    `  const obj = {${declared.map((k) => `${literalKey(k)}: undefined`).join(", ")}};`,
    "  const scope = { obj, rows: undefined, parent };",
    "  let v;",
    ...ordered.map((m, i) => `  v = g${i}(ctx, scope); if (v !== OMIT) obj[${JSON.stringify(m.key)}] = v;`),
    "  return obj;",
    "};",
  ].join("\n");
  return new Function("gens", "OMIT", source)(ordered.map((m) => m.gen), OMIT) as ValueGen;
}

function compileArray(c: Compiler, schema: JsonSchema, spec: MockSpec | undefined, base: string): ValueGen {
  const items = compileNode(c, (schema.items ?? {}) as JsonSchema, "", base);
  const minItems = Number(schema.minItems ?? 0);
  const maxItems = Number(schema.maxItems ?? Infinity);
  const lo = Math.max(spec?.min ?? 1, minItems);
  const hi = Math.min(spec?.max ?? 3, maxItems);
  const clamp = (n: number) => Math.min(Math.max(n, minItems), maxItems, 200);
  const ascending = spec?.ascending;
  if (spec?.page || spec?.rows) return compileShownList(c, items, spec, minItems, maxItems);
  return (ctx, scope) => {
    const mirrored = spec?.mirror ? readPath(ctx.request, spec.mirror) : undefined;
    const asked = spec?.countFrom ? readPath(ctx.request, spec.countFrom) : undefined;
    const count = Array.isArray(mirrored)
      ? clamp(mirrored.length)
      : Array.isArray(asked)
        ? clamp(asked.length)
        : typeof asked === "number" || (typeof asked === "string" && /^\d+$/.test(asked))
          ? clamp(Number(asked))
          : intBetween(ctx, lo, Math.max(lo, hi));
    const out: unknown[] = [];
    const seen = new Set<unknown>();
    const outer = ctx.item;
    const outerIndex = ctx.index;
    for (let i = 0, tries = 0; out.length < count && tries < count * 4; tries++) {
      if (Array.isArray(mirrored)) ctx.item = mirrored[i];
      ctx.index = i;
      const v = items(ctx, scope);
      if (v === OMIT) continue;
      if (spec?.uniqueBy) {
        const key = readPath(v, spec.uniqueBy);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      out.push(v);
      i += 1;
    }
    ctx.item = outer;
    ctx.index = outerIndex;
    if (ascending) putInOrder(out, ascending);
    return out;
  };
}

/**
 * A list that shows a page of results (`page`: as many items as the page holds, see
 * page-arithmetic.ts) and/or rows of a table (`rows`: item i shows the i-th row the request asks
 * for, counted over all pages, see list-rows.ts).
 */
function compileShownList(c: Compiler, items: ValueGen, spec: MockSpec, minItems: number, maxItems: number): ValueGen {
  const page = spec.page;
  const rows = spec.rows ? compileListRows(spec.rows, c.operation.file) : undefined;
  const table = spec.rows?.table ?? "";
  const lo = Math.max(spec.min ?? 1, minItems);
  const hi = Math.min(spec.max ?? 3, maxItems);
  const readCount = (scope: Scope, path: string) => Number(readScopePath(scope, path) ?? 0);
  return (ctx, scope) => {
    let first = 0;
    let count: number;
    if (page) {
      const size = readCount(scope, page.size);
      const number = readCount(scope, page.number);
      count = Math.min(toPageItemCount(readCount(scope, page.total), size, number), maxItems);
      if (count > 0) first = (number - 1) * size;
    } else {
      count = intBetween(ctx, lo, Math.max(lo, hi));
    }
    const rowAt = rows ? rows(ctx) : undefined;
    const out: unknown[] = new Array(count);
    const outerIndex = ctx.index;
    const outerRow = ctx.listRow;
    for (let i = 0; i < count; i++) {
      ctx.index = i;
      if (rowAt) ctx.listRow = { table, row: rowAt(first + i) };
      out[i] = items(ctx, scope);
    }
    ctx.index = outerIndex;
    ctx.listRow = outerRow;
    return out;
  };
}

/** Puts the items' values of one member in ascending order along the list, leaving the rest in place. */
function putInOrder(items: unknown[], member: string): void {
  const holders = items.filter(
    (item): item is Record<string, unknown> => item !== null && typeof item === "object" && (item as Record<string, unknown>)[member] !== undefined,
  );
  const values = holders.map((h) => h[member] as string | number).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  holders.forEach((h, i) => {
    h[member] = values[i];
  });
}

function toSpec(value: unknown): MockSpec | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? { gen: value } : (value as MockSpec);
}

function allowsNull(schema: JsonSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes("null") || (Array.isArray(schema.enum) && schema.enum.includes(null));
}

/** Generators that read their `from` themselves (a page number or size the request may give, or not usefully). */
const READS_FROM: ReadonlySet<string> = new Set(["pageNumber", "pageSize"]);

/** Keys of `once` values in the rows of the object that holds them, one per annotation. */
let onceKeys = 0;

/** `from` echoes the request; `once` shares one draw below an enclosing object; `nullRate` yields null (or leaves the member out where null is not allowed). */
function withOptions(gen: ValueGen, spec: MockSpec | undefined, schema: JsonSchema): ValueGen {
  let out = gen;
  if (spec?.from && !READS_FROM.has(spec.gen)) {
    const path = spec.from;
    const kind = primaryKind(schema);
    const generate = out;
    const fromItem = path.startsWith("@item.") ? path.slice(6) : undefined;
    out = (ctx, scope) => {
      const v = fromItem ? readPath(ctx.item, fromItem) : readPath(ctx.request, path);
      if (v === undefined || v === null || v === "") return generate(ctx, scope);
      if (kind === "string") return typeof v === "string" ? v : String(v);
      // A request value echoed into a number member only when it is one the schema allows (an id that fits a Long).
      if (typeof v === "string") return (kind === "integer" ? isLongDigits(v) : /^-?\d+(\.\d+)?$/.test(v) && v.length < 20) ? toKind(v, kind) : generate(ctx, scope);
      return v;
    };
  }
  if (spec?.once) {
    const levels = spec.once.split("../").length - 1;
    const key = `once:${onceKeys++}`;
    const generate = out;
    out = (ctx, scope) => {
      let holder = scope;
      for (let i = 0; i < levels && holder.parent; i++) holder = holder.parent;
      holder.rows ??= new Map();
      if (holder.rows.has(key)) return holder.rows.get(key);
      const v = generate(ctx, scope);
      holder.rows.set(key, v as never);
      return v;
    };
  }
  if (spec?.nullRate) {
    const rate = spec.nullRate;
    const empty = allowsNull(schema) ? null : OMIT;
    const generate = out;
    out = (ctx, scope) => (ctx.random() < rate ? empty : generate(ctx, scope));
  }
  return out;
}

/** Orders members so each comes after the siblings it reads; throws on a cycle. */
function toGenerationOrder<T extends { key: string; deps: string[] }>(members: T[], file: string): T[] {
  const byKey = new Map(members.map((m) => [m.key, m]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: T[] = [];
  const visit = (m: T) => {
    if (done.has(m.key)) return;
    if (visiting.has(m.key)) throw new Error(`Failed to compile x-mock in "${file}": members depend on each other in a cycle at "${m.key}".`);
    visiting.add(m.key);
    for (const d of m.deps) visit(byKey.get(d)!);
    visiting.delete(m.key);
    done.add(m.key);
    order.push(m);
  };
  members.forEach(visit);
  return order;
}

/** Defaults for members without x-mock: respect the schema's limits, guess realism from the name. */
function defaultScalar(schema: JsonSchema, kind: Kind, name: string): ValueGen {
  const lower = name.toLowerCase();
  if (kind === "boolean") return (ctx) => ctx.random() < 0.5;
  if (kind === "null") return () => null;
  if (kind === "integer" || kind === "number") {
    const min = Number(schema.minimum ?? (/(count|quantity|amount|num)$/.test(lower) ? 1 : 0));
    const max = Number(schema.maximum ?? (/(price|fee|payment|amount|total)/.test(lower) ? 50_000 : /(id)$/.test(lower) ? 999_999_999 : 100));
    return (ctx) => intBetween(ctx, min, max);
  }
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Number(schema.maxLength ?? 64);
  const prefix = typeof schema.pattern === "string" ? /^\^([A-Za-z0-9_-]*)/.exec(schema.pattern)?.[1] ?? "" : "";
  let base: ValueGen;
  if (/(time|date)$|^gmt/.test(lower)) base = GENERATORS.datetime!({ gen: "datetime" }, "string");
  else if (/(url|pic|image|img)$/.test(lower)) base = GENERATORS["image.url"]!({ gen: "image.url" }, "string");
  else if (/(mobile|phone)$/.test(lower)) base = GENERATORS["phone.mobile"]!({ gen: "phone.mobile" }, "string");
  else if (/id$/.test(lower)) base = compilePattern("{d12}");
  else base = (ctx) => pickOne(ctx, ["示例", "正常", "已处理", "测试数据", "默认"]);
  // The lengths are in characters: they are measured before the text becomes wire text.
  return (ctx, scope) => {
    let s = prefix + String(base(ctx, scope));
    if (s.length < minLength) s = s.padEnd(minLength, "0");
    return toWireText(s.length > maxLength ? s.slice(0, maxLength) : s);
  };
}
