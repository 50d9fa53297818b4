import type { ValidateFunction } from "ajv";
import { Ajv } from "ajv";
import callbackMessage from "./common/callback-message.json" with { type: "json" };
import envelopes from "./common/envelopes.json" with { type: "json" };
import keywords from "./common/keywords.json" with { type: "json" };
import type { JsonSchema } from "./operation.js";

/**
 * A strict ajv with the x-* keywords registered; `coerceTypes` for query and form parameters.
 * Without `validateSchema` the keywords carry no metaschema (compiling those is a tenth of a cold
 * start): the schema store checks annotations itself, file by file, when a file is first used.
 */
export function createAjv(options: { coerceTypes?: boolean; validateSchema?: boolean } = {}): Ajv {
  const validateSchema = options.validateSchema ?? true;
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true, coerceTypes: options.coerceTypes ?? false, validateSchema });
  for (const [keyword, metaSchema] of Object.entries(keywords.definitions)) {
    ajv.addKeyword({ keyword, ...(validateSchema ? { metaSchema } : {}), schemaType: keyword === "x-mock" ? ["string", "object"] : undefined });
  }
  ajv.addSchema(envelopes as JsonSchema);
  ajv.addSchema(callbackMessage as JsonSchema);
  return ajv;
}

/** Where `x-assumed` may stand: an operation's Data, the one part whose differences verify reports as assumed. */
const ASSUMED_AT = "/definitions/Data";

/** Checks every x-* annotation in a schema file against its metaschema (common/keywords.json), and where x-assumed stands. */
function createAnnotationChecker(ajv: Ajv): (schema: JsonSchema) => string[] {
  let validators: Map<string, ValidateFunction> | undefined;
  return (schema) => {
    validators ??= new Map(Object.entries(keywords.definitions).map(([keyword, meta]) => [keyword, ajv.compile(meta as JsonSchema)]));
    const compiled = validators;
    const problems: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      for (const [key, value] of Object.entries(node)) {
        const validate = compiled.get(key);
        if (validate && !validate(value)) problems.push(`${path}/${key} ${ajv.errorsText(validate.errors, { dataVar: key })}`);
        else if (key === "x-assumed" && path !== ASSUMED_AT) problems.push(`${path}/${key} belongs on ${ASSUMED_AT} (the answer's shape), nowhere else`);
        else if (!key.startsWith("x-") || key === "x-operation") visit(value, `${path}/${key}`);
      }
    };
    visit(schema, "");
    return problems;
  };
}

/** The loaded schema files and their validators: everything compiled or checked only when first used. */
export interface SchemaStore {
  readonly ajv: Ajv;
  /** Adds a derived schema (e.g. an operation's whole response) under its own `$id`. */
  add(schema: JsonSchema): void;
  /** Checks a file (by `$id`) against the metaschema and its x-* annotations, once; throws naming the file. */
  checkFile(id: string): void;
  checkAllFiles(): void;
  /** The compiled validator of a schema reference (`<$id>#/definitions/X`), once. */
  getValidator(ref: string, options?: { coerce?: boolean }): ValidateFunction;
  /** The schema at an absolute reference (a file's `$id`, or `<$id>#/pointer`); undefined when there is none. */
  getSchema(ref: string): JsonSchema | undefined;
  /** Resolves `$ref`s against the file each sits in; returns the target and its file's `$id`. */
  resolveRef(schema: JsonSchema, base: string): { schema: JsonSchema; base: string };
}

/**
 * Validators are compiled the first time something needs them, not all at start: that is most of a
 * cold start's schema work. Files are checked against the metaschema (x-* keywords included) when
 * first used, unless `checkOnFirstUse` is false: the package's own files, which its tests check
 * (test/catalog.test.ts) — compiling the metaschemas was a sixth of a cold start.
 */
export function createSchemaStore(files: ReadonlyArray<[string, JsonSchema]>, options: { checkOnFirstUse: boolean } = { checkOnFirstUse: true }): SchemaStore {
  const ajv = createAjv({ validateSchema: false });
  const fileById = new Map(files.map(([file, schema]) => [String(schema.$id), [file, schema] as const]));
  for (const [, schema] of files) ajv.addSchema(schema);
  const checked = new Set<string>();
  const checkAnnotations = createAnnotationChecker(ajv);
  // Query and form parameters arrive as text: their validators coerce. Built when first needed.
  let coercing: Ajv | undefined;
  const validators = new Map<string, ValidateFunction>();

  const checkFile = (id: string): void => {
    if (checked.has(id)) return;
    const entry = fileById.get(id);
    if (entry) {
      const problems = ajv.validateSchema(entry[1]) ? checkAnnotations(entry[1]) : [ajv.errorsText(ajv.errors)];
      if (problems.length > 0) throw new Error(`Failed to load schema "${entry[0]}": ${problems.join("; ")}`);
    }
    checked.add(id);
  };
  const checkOnUse = (id: string): void => {
    if (options.checkOnFirstUse) checkFile(id);
  };
  const getSchema = (ref: string): JsonSchema | undefined => {
    const target = ajv.getSchema(ref)?.schema;
    return target && typeof target === "object" ? (target as JsonSchema) : undefined;
  };
  const getCoercing = (): Ajv => {
    if (!coercing) {
      coercing = createAjv({ coerceTypes: true, validateSchema: false });
      for (const [, schema] of files) coercing.addSchema(structuredClone(schema));
    }
    return coercing;
  };

  return {
    ajv,
    add: (schema) => void ajv.addSchema(schema),
    checkFile,
    checkAllFiles: () => fileById.forEach((_entry, id) => checkFile(id)),
    getSchema,
    getValidator(ref, options = {}) {
      const key = `${options.coerce ? "coerce:" : ""}${ref}`;
      let validate = validators.get(key);
      if (!validate) {
        checkOnUse(ref.replace(/#.*$/, "").replace(/\.response\.json$/, ".json"));
        validate = (options.coerce ? getCoercing() : ajv).getSchema(ref);
        if (!validate) throw new Error(`Failed to find schema "${ref}".`);
        validators.set(key, validate);
      }
      return validate;
    },
    resolveRef(schema, base) {
      checkOnUse(base);
      let current = schema;
      let currentBase = base;
      for (let hops = 0; typeof current.$ref === "string"; hops++) {
        const ref = current.$ref;
        const absolute = ref.startsWith("#") ? currentBase + ref : ref;
        const target = getSchema(absolute);
        if (!target || hops > 20) throw new Error(`Failed to resolve "${ref}" in "${currentBase}".`);
        current = target;
        currentBase = absolute.replace(/#.*$/, "");
        checkOnUse(currentBase);
      }
      return { schema: current, base: currentBase };
    },
  };
}
