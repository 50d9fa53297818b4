import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPandaponClient } from "../client/create-pandapon-client.js";
import { DEMO_PANDAPON } from "../protocol/demo.js";
import { startStatefulMock } from "./helpers/stateful-mock.js";

const ADD_OR_UPDATE = "/open/address/addOrUpdate";
const ADDRESS = { name: "张三", province: "浙江省", city: "杭州市", district: "余杭区", address: "文一西路969号", phone: "13800000000" };
const OTHER_KEY = { accessKey: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", secret: "another-tenant-secret", developId: "1014533973088409999" };

let mock: Awaited<ReturnType<typeof startStatefulMock>>;
beforeAll(async () => {
  mock = await startStatefulMock({ mock: { pandapon: { keys: [{ ...DEMO_PANDAPON, developId: "1014533973088404335" }, OTHER_KEY] } } });
});
afterAll(() => mock.stop());

const listAddresses = async (tenant?: string) => (await mock.admin.entities.list({ type: "address", tenant })).entities;

/** The answer of addOrUpdate: code and msg, no data (the page documents none). */
const expectSaved = (answer: { status: number; envelope: unknown; violations: Array<{ severity: string }> }) => {
  expect(answer.status).toBe(200);
  expect(answer.envelope).toEqual({ code: 200, msg: "成功" });
  expect(answer.violations.filter((v) => v.severity !== "warning")).toEqual([]);
};

describe("address flow through real HTTP (stateful mock)", () => {
  it("add (no id) → stored with the fields sent → update with its id → fields changed, the others kept", async () => {
    const before = await listAddresses();
    expectSaved(await mock.pandapon.call(ADD_OR_UPDATE, ADDRESS));
    const after = await listAddresses();
    expect(after.length).toBe(before.length + 1);
    const added = after.find((e) => !before.some((b) => b.id === e.id))!;
    expect(added).toMatchObject({ state: "saved", stored: true, tenant: DEMO_PANDAPON.accessKey });
    expect(added.id).toMatch(/^\d{6}$/);
    expect(added.fields).toEqual({ id: Number(added.id), ...ADDRESS });

    // The v2 path is the same operation: an update through it, naming the id as the request's integer.
    expectSaved(await mock.pandapon.call(`/v2${ADD_OR_UPDATE}`, { id: Number(added.id), name: "李四", phone: "13911112222" }));
    const updated = await mock.admin.entities.get("address", added.id);
    expect(updated.fields).toEqual({ ...added.fields, name: "李四", phone: "13911112222" });
    expect(updated.history.map((h) => h.action)).toEqual(["add", "update"]);
    // An update adds nothing.
    expect((await listAddresses()).length).toBe(after.length);

    // A full update changes every field.
    const moved = { province: "广东省", city: "深圳市", district: "南山区", address: "科技园路1号", name: "王五", phone: "13700001111" };
    expectSaved(await mock.pandapon.call(ADD_OR_UPDATE, { id: Number(added.id), ...moved }));
    expect((await mock.admin.entities.get("address", added.id)).fields).toEqual({ id: Number(added.id), ...moved });
  });

  it("an add missing a field is refused 400/40003 with the rule's reason, and nothing is stored", async () => {
    const before = (await listAddresses()).length;
    const { phone: _phone, ...withoutPhone } = ADDRESS;
    const refused = await mock.pandapon.call(ADD_OR_UPDATE, withoutPhone);
    expect(refused.status).toBe(400);
    expect(refused.envelope).toMatchObject({ code: 40003 });
    expect(String((refused.envelope as { msg: string }).msg)).toMatch(/an address needs name, province, city, district, address and phone/);
    expect((await listAddresses()).length).toBe(before);
  });

  it("an update of an id nobody wrote updates the address born under that id (coherent, every member set) and stores it; another tenant does not see it", async () => {
    const id = 482_913;
    const born = await mock.admin.entities.get("address", String(id));
    expect(born.stored).toBe(false);
    for (const member of ["name", "province", "city", "district", "address", "phone"]) expect((born.fields as Record<string, unknown>)[member]).toEqual(expect.any(String));

    expectSaved(await mock.pandapon.call(ADD_OR_UPDATE, { id, address: "人民路100号" }));
    const stored = await mock.admin.entities.get("address", String(id));
    expect(stored.stored).toBe(true);
    expect(stored.fields).toEqual({ ...born.fields, address: "人民路100号" });
    expect(stored.history.at(-1)).toMatchObject({ action: "update", from: "saved", to: "saved" });

    expect((await listAddresses(OTHER_KEY.accessKey)).some((e) => e.id === String(id))).toBe(false);
    const other = createPandaponClient({ baseUrl: mock.url, accessKey: OTHER_KEY.accessKey, secret: OTHER_KEY.secret, userId: DEMO_PANDAPON.userId, retries: 0 });
    expectSaved(await other.call(ADD_OR_UPDATE, ADDRESS));
    const theirs = await listAddresses(OTHER_KEY.accessKey);
    expect(theirs.map((e) => e.fields)).toEqual([expect.objectContaining(ADDRESS)]);
    expect((await mock.admin.entities.get("address", String(id))).fields).toEqual(stored.fields);
  });

  it("an id that is not an integer is refused as a bad request (400/40002), before any state is touched", async () => {
    const before = (await listAddresses()).length;
    const refused = await mock.pandapon.call(ADD_OR_UPDATE, { ...ADDRESS, id: "abc" });
    expect(refused.status).toBe(400);
    expect(refused.envelope).toMatchObject({ code: 40002 });
    expect((await listAddresses()).length).toBe(before);
  });
});
