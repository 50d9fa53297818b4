import type { Faker } from "@faker-js/faker";
import { formatChinaTime, parseChinaTime } from "./china-time.js";
import type { GenerationContext } from "./generation-context.js";
import type { Kind } from "../../schemas/primary-kind.js";
import type { PatternFill } from "./fill-pattern.js";
import { compileDigitsNumber, compilePattern, toDecimalText, toDigitText, toDigitsOnlyWidth } from "./fill-pattern.js";
import { intBetween, pickOne } from "./random-picks.js";
import { readPath } from "./read-path.js";
import { readTable, type Row } from "./tables.js";
import { toPageCount, toPageValue } from "./page-arithmetic.js";
import { isUnsearchable } from "./search-keyword.js";
import { toWireText, toWireValue } from "../../protocol/wire-text.js";

/** Returned by a generator when the member is to be left out of its object. */
export const OMIT: unique symbol = Symbol("omit");

/** The object being generated, the table rows its members share (created when first needed), and the enclosing object's scope. */
export interface Scope {
  obj: Record<string, unknown>;
  rows: Map<string, Row> | undefined;
  parent?: Scope;
}

/** Reads a path from the object being generated; `../path` reads from the enclosing object. */
export function readScopePath(scope: Scope, path: string): unknown {
  return path.startsWith("../") ? (scope.parent ? readScopePath(scope.parent, path.slice(3)) : undefined) : readPath(scope.obj, path);
}

function rowsOf(scope: Scope): Map<string, Row> {
  scope.rows ??= new Map();
  return scope.rows;
}

export type ValueGen = (ctx: GenerationContext, scope: Scope) => unknown;

/** A list's `rows` option: the table rows its items show, those the request asks for (mock/generate/list-rows.ts). */
export interface ListRowsSpec {
  table: string;
  /** column → request path: rows whose column equals the request's value (no condition when the request has none). */
  where?: Record<string, string>;
  /** Request path of a search keyword: rows whose `title` contains it (ASCII letters in either case). */
  keyword?: string;
  /** The column holding an item's title: what the keyword is looked for in, and what made-up rows are given. */
  title?: string;
}

/** The options of an `x-mock` annotation (metaschema in schemas/common/keywords.json). */
export interface MockSpec {
  gen: string;
  pattern?: string;
  field?: string;
  fields?: string[];
  else?: string;
  values?: unknown[];
  value?: unknown;
  table?: string;
  column?: string;
  part?: string;
  min?: number;
  max?: number;
  lte?: string;
  p?: number;
  after?: string;
  daysAgo?: number;
  minMinutes?: number;
  maxMinutes?: number;
  format?: "datetime" | "epoch-ms" | "date";
  from?: string;
  nullRate?: number;
  /** `../`, `../../`…: drawn once in that enclosing object, and the same in every object below it (the SKUs of one item share its id and title). */
  once?: string;
  template?: string;
  daysAhead?: number;
  ascending?: string;
  row?: "random" | "index";
  uniqueBy?: string;
  countFrom?: string;
  mirror?: string;
  product?: string[];
  page?: { total: string; size: string; number: string };
  rows?: ListRowsSpec;
  keyword?: string;
}


/** Digits that fit a signed 64-bit integer (the APIs' Long ids): 1 to 18 digits, or 19 up to 2^63 − 1. */
export function isLongDigits(digits: string): boolean {
  return /^\d{1,19}$/.test(digits) && (digits.length < 19 || digits <= "9223372036854775807");
}

/** Digits as a JSON integer: a number when exact, a bigint beyond 2^53 (serialised digit for digit). */
export function toInteger(digits: string): number | bigint {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

export function toKind(value: string, kind: Kind): unknown {
  if (kind === "integer") return /^-?\d+$/.test(value) ? toInteger(value) : Number.parseInt(value, 10) || 0;
  if (kind === "number") return Number(value);
  return value;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** A generated value as text (numbers from the digit table: see toDigitText); nothing is "". */
function toText(value: unknown): string {
  return typeof value === "number" ? toDecimalText(value) : String(value ?? "");
}

function toTime(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return /^\d{13}$/.test(value) ? Number(value) : parseChinaTime(value);
  return undefined;
}

function formatTime(ms: number, kind: Kind, format: MockSpec["format"]): unknown {
  if (kind === "integer" || kind === "number") return ms;
  if (format === "epoch-ms") return String(ms);
  const text = formatChinaTime(ms);
  return format === "date" ? text.slice(0, 10) : text;
}

const MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"];
// Generators work in wire text (protocol/wire-text.ts): every text they start from is converted once, here.
const TITLE_PREFIX = toWireValue(["2025新款", "夏季", "ins风", "跨境专供", "工厂直销", "韩版", "加厚", "轻奢", "简约", "爆款"]);
const TITLE_FEATURES = toWireValue(["多色可选", "网红同款", "高品质", "热销款", "经典款", "新品", "耐用", "实用"]);
const TITLE_TRADE = toWireValue(["厂家直销", "一件代发", "批发", "现货速发", "跨境热卖", "源头工厂"]);
const SKU_COLORS = toWireValue(["黑色", "白色", "杏色", "雾霾蓝", "酒红色", "卡其色", "浅灰", "墨绿"]);
const SHOP_WORDS = toWireValue(["鑫源", "恒达", "华美", "优品", "佳诚", "盛世", "百汇", "金鼎", "瑞丰", "德润"]);
const SHOP_KINDS = toWireValue(["贸易有限公司", "服饰商行", "日用品厂", "电子商务有限公司", "工艺品厂"]);
const SHOP_CITIES = toWireValue(["义乌市", "广州市", "杭州", "深圳市", "泉州"]);
const [NUMBER_SIGN, BUILDING_SIGN, ROOM_SIGN, SKU_COLOR_LABEL] = ["号", "幢", "室", "颜色分类:"].map(toWireText);

/** A kind of product: its name, the materials it is made of, and the option its SKUs differ by (mock/tables/products.json). */
interface Product {
  noun: string;
  materials: string[];
  option: string;
  values: string[];
}
const PRODUCTS = readTable("products") as unknown as Product[];

/**
 * The title of an offer a search found that no table row is: the keyword (wire text) between a
 * title's prefix and its selling points, e.g. 夏季雨伞热销款一件代发; without a keyword, a product title.
 */
export function toSearchTitle(ctx: GenerationContext, keyword: string | undefined): string {
  if (keyword === undefined) {
    const product = pickOne(ctx, PRODUCTS);
    return pickOne(ctx, TITLE_PREFIX) + pickOne(ctx, product.materials) + product.noun;
  }
  return pickOne(ctx, TITLE_PREFIX) + keyword + pickOne(ctx, TITLE_FEATURES) + pickOne(ctx, TITLE_TRADE);
}

/** The product of the object being generated: drawn once, so its title and its SKU are of one product. */
function productOf(ctx: GenerationContext, scope: Scope): Product {
  let product = rowsOf(scope).get("product") as unknown as Product | undefined;
  if (!product) {
    product = pickOne(ctx, PRODUCTS);
    rowsOf(scope).set("product", product as unknown as Row);
  }
  return product;
}

interface Place {
  province: string;
  city: string;
  district: string;
  /** The administrative division code (行政区划代码). */
  areaCode: string;
  postcode: string;
  /** The city's telephone area code (长途区号), which its landlines start with. */
  phoneCode: string;
  streets: string[];
}
const ADDRESSES = readTable("addresses") as unknown as Place[];

function address(ctx: GenerationContext, scope: Scope): Row {
  let row = rowsOf(scope).get("address");
  if (!row) {
    const place = pickOne(ctx, ADDRESSES);
    let street = pickOne(ctx, place.streets) + toDecimalText(intBetween(ctx, 1, 999)) + NUMBER_SIGN;
    if (ctx.random() < 0.5) street += `${toDecimalText(intBetween(ctx, 1, 20))}${BUILDING_SIGN}${toDecimalText(intBetween(ctx, 101, 1808))}${ROOM_SIGN}`;
    const full = place.province + (place.city === place.province ? "" : place.city) + place.district + street;
    row = { province: place.province, city: place.city, district: place.district, areaCode: place.areaCode, postcode: place.postcode, phoneCode: place.phoneCode, street, full };
    rowsOf(scope).set("address", row);
  }
  return row;
}

const wireNames = new WeakMap<object, { last: string[]; first: string[] }>();

/** The locale's family and given names, as wire text (converted once per locale). */
function toWireNames(faker: Faker): { last: string[]; first: string[] } {
  const person = faker.rawDefinitions.person as { last_name: { generic: string[] }; first_name: { generic: string[] } };
  let names = wireNames.get(person);
  if (!names) {
    names = { last: toWireValue(person.last_name.generic), first: toWireValue(person.first_name.generic) };
    wireNames.set(person, names);
  }
  return names;
}

/** A copy the answer may own of a JSON value (answers are consumed when written); much cheaper than structuredClone. */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = copyJson((value as Record<string, unknown>)[key]);
    if (key === "__proto__") Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}

/** A generator of one fixed value (a schema's text, given as wire text). */
export function toConstant(text: unknown): ValueGen {
  const value = toWireValue(text);
  return value !== null && typeof value === "object" ? () => copyJson(value) : () => value;
}

/** Builds the value generator for one annotation. `kind` is the schema's primary type. */
export type GeneratorFactory = (spec: MockSpec, kind: Kind) => ValueGen;

export const GENERATORS: Readonly<Record<string, GeneratorFactory>> = {
  pattern: (spec, kind) => {
    const pattern = spec.pattern ?? "{d8}";
    const fill = compilePattern(pattern);
    // Digits only (the ids): straight to an integer, no check of the text needed; by their count,
    // a number (up to 15 digits, always exact) or a bigint (17 and more, never exact as a number).
    const digits = kind === "integer" ? toDigitsOnlyWidth(pattern) : undefined;
    if (digits) {
      if (digits.max <= 15) return compileDigitsNumber(pattern);
      if (digits.min >= 17 && digits.max <= 19) return (ctx) => BigInt(fill(ctx));
      return (ctx) => toInteger(fill(ctx));
    }
    return (ctx) => toKind(fill(ctx), kind);
  },
  digitsOf: (spec, kind) => {
    const fallback = compilePattern(spec.else ?? "{d12}");
    return (ctx, scope) => {
      const digits = toText(readScopePath(scope, spec.field ?? "")).replace(/\D/g, "");
      return toKind(isLongDigits(digits) ? digits : fallback(ctx), kind);
    };
  },
  pick: (spec) => {
    const values = toWireValue(spec.values ?? [null]);
    return (ctx) => pickOne(ctx, values);
  },
  const: (spec) => toConstant(spec.value),
  omit: () => () => OMIT,
  // The row: the object's own (drawn once), the one its list gives it (a list with `rows` of this
  // table), row i for item i (`row: "index"`) or a random one. A made-up row of a list holds only a
  // title: its other columns are filled by `else` (a pattern), or taken from a random row.
  table: (spec, kind) => {
    const name = spec.table ?? "";
    const column = spec.column ?? "";
    const rows = readTable(name);
    const fallback = spec.else !== undefined ? compilePattern(spec.else) : undefined;
    return (ctx, scope) => {
      let row = rowsOf(scope).get(name);
      if (!row) {
        const given = ctx.listRow;
        row = given !== undefined && given.table === name ? given.row : spec.row === "index" ? rows[Math.min(ctx.index ?? 0, rows.length - 1)]! : pickOne(ctx, rows);
        rowsOf(scope).set(name, row);
      }
      let v = row[column];
      if (v === undefined) v = fallback ? fallback(ctx) : pickOne(ctx, rows)[column];
      return typeof v === "string" ? toKind(v, kind) : v;
    };
  },
  address: (spec) => (ctx, scope) => address(ctx, scope)[spec.part ?? "full"],
  "address.full": () => (ctx, scope) => address(ctx, scope).full,
  fen: (spec, kind) => (ctx, scope) => {
    let max = spec.max ?? 100_000;
    const cap = spec.lte ? toNumber(readScopePath(scope, spec.lte)) : undefined;
    if (cap !== undefined) max = Math.min(max, cap);
    const min = Math.min(spec.min ?? 0, max);
    const fen = intBetween(ctx, min, max);
    return kind === "string" ? (fen / 100).toFixed(2) : fen;
  },
  int: (spec, kind) => (ctx) => {
    const n = intBetween(ctx, spec.min ?? 1, spec.max ?? 100);
    return kind === "string" ? toDecimalText(n) : n;
  },
  bool: (spec) => (ctx) => ctx.random() < (spec.p ?? 0.5),
  // Pages (mock/generate/page-arithmetic.ts): the number and size a request asks for (`from`, a whole
  // number ≥ 1, else `value`), the results of a search, and how many pages they fill.
  pageNumber: (spec) => {
    const fallback = toPageValue(spec.value) ?? 1;
    return (ctx) => (spec.from ? toPageValue(readPath(ctx.request, spec.from)) : undefined) ?? fallback;
  },
  pageSize: (spec) => {
    const fallback = toPageValue(spec.value) ?? 20;
    return (ctx) => (spec.from ? toPageValue(readPath(ctx.request, spec.from)) : undefined) ?? fallback;
  },
  searchTotal: (spec) => {
    const keyword = spec.keyword;
    return (ctx) => (keyword !== undefined && isUnsearchable(ctx.request, keyword) ? 0 : intBetween(ctx, spec.min ?? 0, spec.max ?? 200));
  },
  pageCount: (spec) => {
    const [total = "", size = ""] = spec.fields ?? [];
    return (_ctx, scope) => toPageCount(toNumber(readScopePath(scope, total)) ?? 0, toNumber(readScopePath(scope, size)) ?? 0);
  },
  datetime: (spec, kind) => (ctx, scope) => {
    const base = spec.after ? toTime(readScopePath(scope, spec.after)) : undefined;
    const ms =
      base !== undefined
        ? base + intBetween(ctx, (spec.minMinutes ?? 1) * 60, (spec.maxMinutes ?? 1440) * 60) * 1000
        : spec.daysAhead !== undefined
          ? ctx.refDateMs + intBetween(ctx, 3600, Math.max(3600, spec.daysAhead * 86_400)) * 1000
          : ctx.refDateMs - intBetween(ctx, 3600, Math.max(3600, (spec.daysAgo ?? 30) * 86_400)) * 1000;
    return formatTime(ms, kind, spec.format);
  },
  template: (spec, kind) => {
    const parts = (spec.template ?? "").split(/(\{[^{}]+\})/).map((part): ValueGen | PatternFill => {
      const ref = /^\{(request\.|@item\.)?([A-Za-z_][\w.[\]]*)\}$/.exec(part);
      if (!ref || /^(d|x)\d+$/.test(ref[2]!)) return compilePattern(part);
      const path = ref[2]!;
      if (ref[1] === "request.") return (ctx: GenerationContext) => readPath(ctx.request, path);
      if (ref[1] === "@item.") return (ctx: GenerationContext) => readPath(ctx.item, path);
      return (_ctx: GenerationContext, scope: Scope) => readScopePath(scope, path);
    });
    return (ctx, scope) => {
      let out = "";
      for (const part of parts) out += toText(part(ctx, scope));
      return toKind(out, kind);
    };
  },
  copy: (spec) => (_ctx, scope) => copyJson(readScopePath(scope, spec.field ?? "")) ?? OMIT,
  multiply: (spec, kind) => (_ctx, scope) => {
    const product = (spec.fields ?? []).reduce((acc, f) => acc * (toNumber(readScopePath(scope, f)) ?? 0), 1);
    return kind === "string" ? (product / 100).toFixed(2) : Math.round(product);
  },
  sum: (spec, kind) => (_ctx, scope) => {
    const values = (spec.fields ?? (spec.field ? [spec.field] : [])).flatMap((f) => {
      const v = readScopePath(scope, f);
      return Array.isArray(v) ? v : [v];
    });
    const product = spec.product;
    const total = values.reduce<number>(
      (acc, v) => acc + (product ? product.reduce((p, member) => p * (toNumber(readPath(v, member)) ?? 0), 1) : (toNumber(v) ?? 0)),
      0,
    );
    return kind === "string" ? (total / 100).toFixed(2) : Math.round(total);
  },
  "person.name": () => (ctx) => {
    const names = toWireNames(ctx.faker);
    return pickOne(ctx, names.last) + pickOne(ctx, names.first);
  },
  "phone.mobile": () => (ctx) => pickOne(ctx, MOBILE_PREFIXES) + toDigitText(intBetween(ctx, 0, 99_999_999), 8),
  // A landline of the city of the object's address (the one its address members show, drawn here if first).
  "phone.landline": () => {
    const digits = compilePattern("{d8}");
    return (ctx, scope) => `${address(ctx, scope).phoneCode}-${digits(ctx)}`;
  },
  "product.title": () => (ctx, scope) => {
    const product = productOf(ctx, scope);
    return pickOne(ctx, TITLE_PREFIX) + pickOne(ctx, product.materials) + product.noun;
  },
  "product.sku": () => (ctx, scope) => {
    const product = productOf(ctx, scope);
    return `${SKU_COLOR_LABEL}${pickOne(ctx, SKU_COLORS)};${product.option}:${pickOne(ctx, product.values)}`;
  },
  "image.url": () => compilePattern("https://cbu01.alicdn.com/img/ibank/O1CN01{x16}_!!{d10}-0-cib.jpg"),
  "login.buyer": () => compilePattern("tb{d10}"),
  "login.seller": () => (ctx) => `${pickOne(ctx, SHOP_CITIES)}${pickOne(ctx, SHOP_WORDS)}${pickOne(ctx, SHOP_KINDS)}`,
  hex32: () => compilePattern("{x32}"),
};

/** The members a list's `page` reads: its total, page size and page number. */
function toPagePaths(spec: MockSpec): string[] {
  return spec.page ? [spec.page.total, spec.page.size, spec.page.number] : [];
}

/** Members of the current object a spec reads, so they are generated first. */
export function toDependencies(spec: MockSpec): string[] {
  const fromTemplate = [...(spec.template ?? "").matchAll(/\{([A-Za-z_][\w.[\]]*)\}/g)]
    .map((m) => m[1]!)
    .filter((p) => !p.startsWith("request.") && !/^(d|x)\d+$/.test(p));
  const paths = [spec.lte, spec.after, spec.field, ...(spec.fields ?? []), ...fromTemplate].filter((p): p is string => !!p);
  if (spec.gen === "list") return toPagePaths(spec).filter((p) => !p.startsWith("../")).map((p) => p.split(/[.[]/)[0]!);
  return paths.filter((p) => !p.startsWith("../")).map((p) => p.split(/[.[]/)[0]!);
}

/** Members of the enclosing object a spec reads (`../member…`), so the enclosing object generates them first. */
export function toParentDependencies(spec: MockSpec): string[] {
  const paths = [spec.lte, spec.after, spec.field, ...(spec.fields ?? []), ...toPagePaths(spec)].filter((p): p is string => !!p && p.startsWith("../"));
  return paths.map((p) => p.slice(3).split(/[.[]/)[0]!);
}
