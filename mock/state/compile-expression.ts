import { readPath } from "../generate/read-path.js";
import type { Kind } from "../../schemas/primary-kind.js";
import { isLongDigits, toInteger } from "../generate/value-generators.js";
import { compareValues, isEqual, isSet, isTruthy, toAmount, toText } from "./compare-values.js";
import type { Evaluate, ExpressionScope } from "./expression-scope.js";
import { readTime, toTimeValue, type TimeFormat } from "./entity-time.js";
import { compileGenerate } from "./generate-value.js";
import { copyPlain } from "./copy-plain.js";
import { compileMembers } from "./compile-setters.js";
import { findRows } from "./read-plain-table.js";
import { readJsonText, writeJsonText } from "./read-json-text.js";

type Node = Record<string, unknown>;
type Compile = (node: unknown, at: string) => Evaluate;
type OperatorCompiler = (node: Node, compile: Compile, at: string) => Evaluate;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const orNull = (value: unknown): unknown => (value === undefined ? null : value);
const timeOf = (ms: number | undefined, format: TimeFormat) => (ms === undefined ? null : toTimeValue(ms, format));

/** Compiles each item of an operand list. */
function compileAll(node: unknown, compile: Compile, at: string, count?: number): Evaluate[] {
  if (!Array.isArray(node) || (count !== undefined && node.length !== count)) {
    throw new Error(`Failed to read lifecycle expression at ${at}: expected a list of ${count ?? "any number of"} expressions.`);
  }
  return node.map((item, i) => compile(item, `${at}[${i}]`));
}

function pair(key: string, test: (a: unknown, b: unknown) => boolean): OperatorCompiler {
  return (node, compile, at) => {
    const [a, b] = compileAll(node[key], compile, `${at}.${key}`, 2);
    return (s) => test(a!(s), b!(s));
  };
}

function unary(key: string, apply: (value: unknown) => unknown): OperatorCompiler {
  return (node, compile, at) => {
    const operand = compile(node[key], `${at}.${key}`);
    return (s) => apply(operand(s));
  };
}

/** An operator over a list: its operand is one expression whose value is the list (a list of expressions, or a map…). */
function list(key: string, apply: (values: unknown[]) => unknown): OperatorCompiler {
  return (node, compile, at) => {
    const operand = compile(node[key], `${at}.${key}`);
    return (s) => apply(asList(operand(s)));
  };
}

function ordered(values: unknown[]): boolean {
  const set = values.filter(isSet);
  return set.every((v, i) => i === 0 || (compareValues(set[i - 1], v) ?? 1) <= 0);
}

function ordering(test: (order: number) => boolean) {
  return (a: unknown, b: unknown) => {
    const order = compareValues(a, b);
    return order !== undefined && test(order);
  };
}

function amounts(values: unknown[]): number[] {
  return values.map((v) => toAmount(v) ?? 0);
}

function compileWhere(node: unknown, compile: Compile, at: string): Array<[string, Evaluate]> {
  return Object.entries((node ?? {}) as Node).map(([column, value]) => [column, compile(value, `${at}.where.${column}`)]);
}

/** Each item of a list evaluated with `item` set to it, and rows of its own (each item's generated values share an address or a product, not the list's). */
function overItems(items: unknown[], s: ExpressionScope, each: (s: ExpressionScope) => void): void {
  const [outer, outerRows] = [s.item, s.rows];
  for (const item of items) {
    s.item = item;
    s.rows = new Map();
    each(s);
  }
  [s.item, s.rows] = [outer, outerRows];
}

/** Behaviour as data: each operator key and how it compiles (the language is documented in lifecycle.schema.json). */
const OPERATORS: Readonly<Record<string, OperatorCompiler>> = {
  const: (node) => {
    const value = node.const;
    return value !== null && typeof value === "object" ? () => copyPlain(value) : () => value;
  },
  field: (node) => (s) => orNull(readPath(s.fields, String(node.field))),
  input: (node) => (s) => orNull(readPath(s.input, String(node.input))),
  var: (node) => (s) => orNull(readPath(s.vars, String(node.var))),
  item: (node) => (node.item === "" ? (s) => orNull(s.item) : (s) => orNull(readPath(s.item, String(node.item)))),
  get: (node, compile, at) => {
    const value = compile(node.get, `${at}.get`);
    return (s) => orNull(readPath(value(s), String(node.path)));
  },
  state: (node) => (node.state === "before" ? (s) => s.before : (s) => s.after),
  now: (node) => (s) => toTimeValue(s.now, node.now as TimeFormat),
  deadline: (node) => (s) => timeOf(s.timers.length > 0 ? Math.min(...s.timers.map((t) => t.at)) : undefined, node.deadline as TimeFormat),
  time: (node, compile, at) => {
    const value = compile(node.time, `${at}.time`);
    const add = Number(node.add ?? 0) * 1000;
    return (s) => {
      const ms = readTime(value(s));
      return timeOf(ms === undefined ? undefined : ms + add, node.format as TimeFormat);
    };
  },
  generate: (node, _compile, at) => compileGenerate(node.generate, node.as as Kind | undefined, at),
  pickRow: (node, compile, at) => {
    const where = compileWhere(node.where, compile, at);
    return (s) => {
      const rows = findRows(String(node.pickRow), where.map(([column, value]) => [column, value(s)]));
      return rows.length === 0 ? null : copyPlain(rows[Math.floor(s.random() * rows.length)]);
    };
  },
  rows: (node, compile, at) => {
    const where = compileWhere(node.where, compile, at);
    return (s) => copyPlain(findRows(String(node.rows), where.map(([column, value]) => [column, value(s)])));
  },
  pick: (node, compile, at) => {
    const items = compile(node.pick, `${at}.pick`);
    return (s) => {
      const list = asList(items(s));
      return list.length === 0 ? null : orNull(list[Math.floor(s.random() * list.length)]);
    };
  },
  chance: (node) => (s) => s.random() < Number(node.chance),
  lookup: (node, compile, at) => {
    const where = compileWhere(node.where, compile, at);
    return (s) => orNull(findRows(String(node.lookup), where.map(([column, value]) => [column, value(s)]))[0]?.[String(node.column)]);
  },
  sum: list("sum", (values) => amounts(values).reduce((a, b) => a + b, 0)),
  product: list("product", (values) => amounts(values).reduce((a, b) => a * b, 1)),
  diff: (node, compile, at) => {
    const [a, b] = compileAll(node.diff, compile, `${at}.diff`, 2);
    return (s) => (toAmount(a!(s)) ?? 0) - (toAmount(b!(s)) ?? 0);
  },
  min: list("min", (values) => (values.some(isSet) ? Math.min(...amounts(values.filter(isSet))) : null)),
  max: list("max", (values) => (values.some(isSet) ? Math.max(...amounts(values.filter(isSet))) : null)),
  concat: list("concat", (values) => values.map(toText).join("")),
  slice: (node, compile, at) => {
    const [text, start, end] = node.slice as [unknown, number, number];
    const value = compile(text, `${at}.slice[0]`);
    return (s) => {
      const v = value(s);
      return isSet(v) ? toText(v).slice(start, end) : null;
    };
  },
  split: (node, compile, at) => {
    const [text, separator, index] = node.split as [unknown, string, number];
    const value = compile(text, `${at}.split[0]`);
    return (s) => {
      const v = value(s);
      return isSet(v) ? orNull(toText(v).split(separator)[index]) : null;
    };
  },
  digits: unary("digits", (value) => {
    const digits = toText(value).replace(/\D/g, "");
    return isLongDigits(digits) ? toInteger(digits) : null;
  }),
  json: unary("json", (value) => (isSet(value) ? writeJsonText(value) : null)),
  parse: unary("parse", (value) => readJsonText(value) ?? null),
  keys: unary("keys", (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [])),
  length: unary("length", (value) => (Array.isArray(value) || typeof value === "string" ? value.length : 0)),
  map: (node, compile, at) => {
    const items = compile(node.map, `${at}.map`);
    const to = compile(node.to, `${at}.to`);
    return (s) => {
      const out: unknown[] = [];
      overItems(asList(items(s)), s, (inner) => out.push(orNull(to(inner))));
      return out;
    };
  },
  filter: (node, compile, at) => {
    const items = compile(node.filter, `${at}.filter`);
    const test = compile(node.where, `${at}.where`);
    return (s) => {
      const out: unknown[] = [];
      const list = asList(items(s));
      overItems(list, s, (inner) => {
        if (isTruthy(test(inner))) out.push(inner.item);
      });
      return out;
    };
  },
  object: (node, compile, at) => {
    const items = compile(node.object, `${at}.object`);
    const key = compile(node.key, `${at}.key`);
    const value = compile(node.value, `${at}.value`);
    return (s) => {
      // Members go into an object without prototype (its own dictionary; "__proto__" is a member like
      // any other), given Object's prototype at the end: keys made from data (sub-order ids) are new
      // every time, and a plain {} makes a hidden class for each new key, several µs each.
      const out: Record<string, unknown> = Object.create(null);
      overItems(asList(items(s)), s, (inner) => {
        out[toText(key(inner))] = orNull(value(inner));
      });
      return Object.setPrototypeOf(out, Object.prototype);
    };
  },
  make: (node, compile, at) => compileMembers(Object.entries(node.make as Node).map(([name, value]): [string, Evaluate] => [name, compile(value, `${at}.make.${name}`)])),
  flat: list("flat", (values) => values.flatMap((v) => (Array.isArray(v) ? v : isSet(v) ? [v] : []))),
  merge: list("merge", (values) => Object.assign({}, ...values.filter((v) => v !== null && typeof v === "object" && !Array.isArray(v)))),
  if: (node, compile, at) => {
    const test = compile(node.if, `${at}.if`);
    const then = compile(node.then, `${at}.then`);
    const otherwise = compile(node.else, `${at}.else`);
    return (s) => (isTruthy(test(s)) ? then(s) : otherwise(s));
  },
  eq: pair("eq", isEqual),
  ne: pair("ne", (a, b) => !isEqual(a, b)),
  lt: pair("lt", ordering((o) => o < 0)),
  lte: pair("lte", ordering((o) => o <= 0)),
  gt: pair("gt", ordering((o) => o > 0)),
  gte: pair("gte", ordering((o) => o >= 0)),
  in: pair("in", (a, b) => asList(b).some((v) => isEqual(a, v))),
  and: list("and", (values) => values.every(isTruthy)),
  or: list("or", (values) => values.some(isTruthy)),
  not: unary("not", (value) => !isTruthy(value)),
  implies: pair("implies", (a, b) => !isTruthy(a) || isTruthy(b)),
  iff: pair("iff", (a, b) => isTruthy(a) === isTruthy(b)),
  isSet: unary("isSet", isSet),
  inState: (node) => {
    const states = new Set(asList(node.inState).map(String));
    return (s) => s.after !== null && states.has(s.after);
  },
  ordered: list("ordered", ordered),
  subset: pair("subset", (a, b) => {
    const within = new Set(asList(b).map(toText));
    return asList(a).every((v) => within.has(toText(v)));
  }),
  includes: pair("includes", (a, b) => isSet(a) && isSet(b) && toText(a).includes(toText(b))),
};

/**
 * Compiles a lifecycle expression once into a function of its scope (the language is documented in
 * schemas/lifecycles/lifecycle.schema.json). `at` names where it sits, for the error of a malformed one.
 */
export function compileExpression(node: unknown, at: string): Evaluate {
  if (node === null || typeof node !== "object") return () => node;
  if (Array.isArray(node)) {
    const items = compileAll(node, compileExpression, at);
    return (s) => items.map((item) => item(s));
  }
  const keys = Object.keys(node).filter((key) => key in OPERATORS);
  if (keys.length !== 1) throw new Error(`Failed to read lifecycle expression at ${at}: expected one operator, found ${keys.length === 0 ? "none" : keys.join(", ")} in ${JSON.stringify(node)}.`);
  const key = keys[0]!;
  return OPERATORS[key]!(node as Node, compileExpression, at);
}
