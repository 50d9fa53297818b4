import { describe, expect, it } from "vitest";
import { maskSecrets, toMaskedApiError, toSecretMask } from "../checks/mask-secrets.js";

const SIGNATURE = "0A1B2C3D4E5F";
const SECRET = "demo/secret+key";

describe("masking credentials in reports (verify, the proxy, recordings)", () => {
  it("masks a credential however a text repeats it: as sent, in another case, JSON-escaped, URL-encoded", () => {
    const text = `signed ${SIGNATURE}, echoed ${SIGNATURE.toLowerCase()}; secret ${SECRET}, "${JSON.stringify(SECRET).slice(1, -1).replace(/\//g, "\\/")}", ${encodeURIComponent(SECRET)}`;
    const masked = maskSecrets(text, [SIGNATURE, SECRET]);
    expect(masked).toBe('signed ******, echoed ******; secret ******, "******", ******');
  });

  it("masks a credential of digits only as a whole number, never inside a longer one, and leaves values under 4 characters", () => {
    expect(maskSecrets("user 2100007341207, order 521000073412079, id 12", ["2100007341207", "12"])).toBe("user ******, order 521000073412079, id 12");
  });

  it("masks every text of an API error, the TOP sub_code and sub_msg included", () => {
    const mask = toSecretMask(["12345678"]);
    const error = toMaskedApiError({ code: "25", msg: "Invalid signature", subCode: "isv.app-12345678", subMsg: "signed app_key12345678", path: "error_response.code" }, mask);
    expect(error).toEqual({ code: "25", msg: "Invalid signature", subCode: "isv.app-******", subMsg: "signed app_key******", path: "error_response.code" });
  });
});
