import { isLosslessNumber, parse } from "lossless-json";
import { describe, expect, it } from "vitest";
import { startServer } from "../mock/start-server.js";
import { setupMock } from "./helpers/mock-setup.js";

/** Three 1688 order ids that JSON.parse reads as one number (2542285634920880640). */
const IDS = ["2542285634920880794", "2542285634920880795", "2542285634920880640"];
const INT64_MAX = "9223372036854775807";

/** The mock on a real loopback server; `send` gives the answer's raw text. */
async function setup() {
  const mock = setupMock();
  const server = await startServer(mock.app, 0, "127.0.0.1");
  const postPandapon = async (path: string, body: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { ...mock.pandaponHeaders(), "content-type": "application/json" },
      body,
    });
    return { status: res.status, text: await res.text() };
  };
  const postTop = async (business: Record<string, string>, format = "json") => {
    const res = await fetch(`${server.url}/router/rest`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(mock.topParams(business, { method: "taobao.pc.out.tower.package.detail", format })).toString(),
    });
    return await res.text();
  };
  return { postPandapon, postTop, close: () => server.close() };
}

/** A member's exact text in a losslessly parsed answer. */
function toExactText(value: unknown): string {
  return isLosslessNumber(value) ? value.value : JSON.stringify(value);
}

describe("19-digit ids in requests (issue 16)", () => {
  it("answers three orderIds that round to the same double with three different answers", async () => {
    const { postPandapon, close } = await setup();
    try {
      const answers = [];
      for (const id of IDS) {
        const res = await postPandapon("/alibaba/order/cancel", `{"webSite":"1688","orderId":${id},"cancelReason":"拍错了/多拍了"}`);
        expect(res.status).toBe(200);
        answers.push(res.text);
      }
      expect(new Set(answers).size).toBe(3);
    } finally {
      await close();
    }
  });

  it("echoes each 19-digit offerId digit for digit, as an exact JSON integer", async () => {
    const { postPandapon, close } = await setup();
    try {
      for (const id of IDS) {
        const res = await postPandapon("/alibaba/product/detail/get", `{"offerId":${id},"country":"en"}`);
        expect(res.status).toBe(200);
        expect(res.text).toContain(`"offerId":${id},`);
        const answer = parse(res.text) as { data: { offerId: unknown } };
        expect(toExactText(answer.data.offerId)).toBe(id);
      }
    } finally {
      await close();
    }
  });

  it("refuses 2542285634920880794.5 with 40002: orderId must be integer", async () => {
    const { postPandapon, close } = await setup();
    try {
      const res = await postPandapon("/alibaba/order/cancel", '{"webSite":"1688","orderId":2542285634920880794.5,"cancelReason":"其他原因"}');
      expect(res.status).toBe(400);
      const answer = JSON.parse(res.text) as { code: number; msg: string };
      expect(answer.code).toBe(40002);
      expect(answer.msg).toContain("orderId must be integer");
    } finally {
      await close();
    }
  });

  it("refuses integers outside the signed 64-bit range with 40002 and accepts its ends", async () => {
    const { postPandapon, close } = await setup();
    try {
      const send = (id: string) => postPandapon("/alibaba/order/cancel", `{"webSite":"1688","orderId":${id},"cancelReason":"其他原因"}`);
      for (const id of ["9223372036854775808", "99999999999999999999", "-9223372036854775809", "1e19", "1e400"]) {
        const res = await send(id);
        expect(res.status, id).toBe(400);
        const answer = JSON.parse(res.text) as { code: number; msg: string };
        expect(answer.code).toBe(40002);
        expect(answer.msg, id).toMatch(/orderId must be (<= 9223372036854775807|>= -9223372036854775808) \(a signed 64-bit integer\)/);
      }
      for (const id of [INT64_MAX, "-9223372036854775808"]) expect((await send(id)).status, id).toBe(200);
    } finally {
      await close();
    }
  });

  it("echoes a 19-digit id in a TOP struct parameter exactly, in JSON and in XML", async () => {
    const { postTop, close } = await setup();
    try {
      const req = `{"biz_order_id":${IDS[0]},"buyer_id":${IDS[1]},"client_id":"800001"}`;
      const json = await postTop({ contract_package_detail_req: req });
      const detail = (parse(json) as Record<string, any>).pc_out_tower_package_detail_response.result.order_package_detail_list.order_package_detail[0];
      expect(toExactText(detail.buyer_id)).toBe(IDS[1]);
      expect(detail.biz_order_id).toBe(IDS[0]);
      expect(json).toContain(`"buyer_id":${IDS[1]},`);
      const xml = await postTop({ contract_package_detail_req: req }, "xml");
      expect(xml).toContain(`<buyer_id>${IDS[1]}</buyer_id>`);
      expect(xml).toContain(`<biz_order_id>${IDS[0]}</biz_order_id>`);
    } finally {
      await close();
    }
  });

  it("refuses a TOP struct member beyond the 64-bit range with isv.invalid-parameter", async () => {
    const { postTop, close } = await setup();
    try {
      const json = await postTop({ contract_package_detail_req: '{"buyer_id":9223372036854775808,"client_id":"800001"}' });
      const error = (JSON.parse(json) as { error_response: { code: number; sub_code: string; sub_msg: string } }).error_response;
      expect(error.code).toBe(41);
      expect(error.sub_code).toBe("isv.invalid-parameter:buyer_id");
      expect(error.sub_msg).toContain("contract_package_detail_req.buyer_id must be <= 9223372036854775807");
    } finally {
      await close();
    }
  });
});
