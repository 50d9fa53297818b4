import fc from "fast-check";

/** A JSON number token: 1–25 integer digits, maybe a fraction of up to 20 digits (runs of 9s and 0s too), maybe an exponent. */
export const numberText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.stringMatching(/^(0|[1-9]\d{0,24})$/), fc.constantFrom("9007199254740991", "9007199254740993", "9223372036854775807", "9223372036854775808", "2542285634920880794", "123456789012345")),
    fc.option(fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.stringMatching(/^9{1,20}$/), fc.stringMatching(/^0{1,20}[1-9]?$/)), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 420 })), { nil: undefined }),
  )
  .map(([negative, whole, fraction, exponent]) => `${negative ? "-" : ""}${whole}${fraction === undefined ? "" : `.${fraction}`}${exponent ? exponent.join("") : ""}`);

/** JSON text with such numbers in it, and numbers and digits inside strings and keys. */
export const jsonText = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      numberText,
      fc.oneof(fc.string(), numberText, fc.constantFrom("a:12345678901234567", "[1e5", "__proto__")).map((s) => JSON.stringify(s)),
      fc.constantFrom("true", "false", "null"),
      fc.array(tie("value") as fc.Arbitrary<string>, { maxLength: 5 }).map((items) => `[${items.join(", ")}]`),
      fc
        .array(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "orderId", "a")), tie("value") as fc.Arbitrary<string>), { maxLength: 5 })
        .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:\n${v}`).join(",")}}`),
    ),
  }))
  .value as fc.Arbitrary<string>;

