// POST /users against real PostgreSQL: every rule of SPEC 4 a caller can see.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { SPEC_4_USER_KEYS } from "../../../test/support/spec";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const STRONG = "Correct-Horse-9";
const email = () => `ada.${uniqueSuffix()}@example.com`;

const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const req = request(api.app).post("/users").set("Authorization", api.auth).set(headers);
  for (const [name, value] of Object.entries(fields)) req.field(name, value);
  return req;
};
const postJson = (body: unknown, headers: Record<string, string> = {}) =>
  request(api.app).post("/users").set("Authorization", api.auth).set(headers).send(body as object);

const params = (res: request.Response) => (res.body.errors as { param?: string }[]).map((e) => e.param);
const codes = (res: request.Response) => (res.body.errors as { code: string }[]).map((e) => e.code);

describe("POST /users", () => {
  it("creates a user with verified primary email and phone, answering SPEC 4's body", async () => {
    const address = email();
    const res = await post({
      first_name: "  Ada ",
      last_name: "Lovelace",
      email_address: address,
      phone_number: "+1 415 555 2671",
      username: `ada_${uniqueSuffix()}`,
      password: STRONG,
    }).expect(201);
    expect(res.headers.location).toBe(`/users/${res.body.id}`);
    expect(res.body).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      profile_picture_url: "",
      profile_image_status: "none",
      primary_email_address: address,
      primary_phone_number: "+14155552671",
    });
    expect(res.body.id).toMatch(/^user_[0-9a-z]{26}$/);
    expect(Object.keys(res.body).sort()).toEqual(SPEC_4_USER_KEYS);
    const details = await request(api.app).get(`/users/${res.body.id}/details`).set("Authorization", api.auth).expect(200);
    expect(details.body.email_addresses).toEqual([
      expect.objectContaining({ email_address: address, is_primary: true, verified: true, verified_at: expect.any(String) }),
    ]);
    expect(details.body.phone_numbers).toEqual([
      expect.objectContaining({ phone_number: "+14155552671", is_primary: true, verified: true }),
    ]);
    expect(details.body.has_password).toBe(true);
  });

  it("accepts JSON with the same fields", async () => {
    const res = await postJson({ email_address: email(), password: STRONG, skip_password_check: false }).expect(201);
    expect(res.body.primary_phone_number).toBeNull();
    expect(res.body.username).toBeNull();
  });

  it("never returns the password or its hash", async () => {
    const res = await post({ email_address: email(), password: STRONG }).expect(201);
    const got = await request(api.app).get(`/users/${res.body.id}/details`).set("Authorization", api.auth);
    const list = await request(api.app).get("/users").set("Authorization", api.auth);
    for (const text of [res.text, got.text, list.text]) {
      expect(text).not.toContain(STRONG);
      expect(text).not.toMatch(/\$2[aby]\$/);
      expect(text).not.toMatch(/password_hash|passwordHash/);
    }
  });

  it("reports every invalid field in one 422, message repeating the first", async () => {
    const res = await post({
      email_address: "not-an-email",
      phone_number: "12",
      username: "no spaces!",
      password: "short",
      first_name: "x".repeat(257),
    }).expect(422);
    expect(new Set(params(res))).toEqual(
      new Set(["email_address", "phone_number", "username", "password", "first_name"]),
    );
    expect(res.body.message).toBe(res.body.errors[0].message);
    expect(res.body.request_id).toEqual(expect.any(String));
  });

  it("rejects unknown and repeated fields", async () => {
    const unknown = await post({ email_address: email(), password: STRONG, nickname: "x" }).expect(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ code: "form_param_unknown", param: "nickname" })]);

    const twice = await request(api.app)
      .post("/users")
      .set("Authorization", api.auth)
      .field("email_address", email())
      .field("email_address", email())
      .field("password", STRONG)
      .expect(422);
    expect(twice.body.errors).toEqual([expect.objectContaining({ code: "form_param_duplicate", param: "email_address" })]);
  });

  it("finds an email duplicate ignoring case and keeps the address as given", async () => {
    const address = `Grace.${uniqueSuffix()}@Example.com`;
    const first = await post({ email_address: address, password: STRONG }).expect(201);
    expect(first.body.primary_email_address).toBe(address);
    const clash = await post({ email_address: address.toUpperCase(), password: STRONG }).expect(409);
    expect(clash.body.errors).toEqual([
      { code: "form_identifier_exists", message: "That email address is taken.", param: "email_address" },
    ]);
    expect(clash.body.message).toBe("That email address is taken.");
  });

  it("treats one phone number written two ways as one duplicate", async () => {
    const local = `${Math.floor(1000 + Math.random() * 8999)}`;
    await post({ email_address: email(), password: STRONG, phone_number: `+1 (415) 555-${local}` }).expect(201);
    const clash = await post({ email_address: email(), password: STRONG, phone_number: `+1415555${local}` }).expect(409);
    expect(params(clash)).toEqual(["phone_number"]);
  });

  it("lets exactly one of 16 concurrent creates with one username win; the others get 409 on username", async () => {
    const username = `race_${uniqueSuffix()}`;
    const results = await Promise.all(
      Array.from({ length: 16 }, () => post({ email_address: email(), password: STRONG, username })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body.errors).toEqual([expect.objectContaining({ code: "form_identifier_exists", param: "username" })]);
    }
    const rows = await api.context.db.user.count({ where: { deploymentId: api.deploymentId, usernameNormalized: username } });
    expect(rows).toBe(1);
  });

  it("rejects a username taken in another case", async () => {
    const username = `Case_${uniqueSuffix()}`;
    await post({ email_address: email(), password: STRONG, username }).expect(201);
    const clash = await post({ email_address: email(), password: STRONG, username: username.toLowerCase() }).expect(409);
    expect(params(clash)).toEqual(["username"]);
  });

  it("creates nothing when any part fails: no user without its email", async () => {
    const address = email();
    await post({ email_address: address, password: STRONG }).expect(201);
    const before = await api.context.db.user.count({ where: { deploymentId: api.deploymentId } });
    await post({ email_address: address, password: STRONG, username: `u_${uniqueSuffix()}` }).expect(409);
    const after = await api.context.db.user.count({ where: { deploymentId: api.deploymentId } });
    expect(after).toBe(before);
  });
});

describe("passwords", () => {
  const cases: [string, string][] = [
    ["Aa1-", "form_password_length_too_short"],
    ["lowercase-only-1", "form_password_no_uppercase"],
    ["UPPERCASE-ONLY-1", "form_password_no_lowercase"],
    ["No-Numbers-Here", "form_password_no_number"],
    ["NoSpecials123", "form_password_no_special"],
  ];
  it.each(cases)("%s is refused with %s", async (password, code) => {
    const res = await post({ email_address: email(), password }).expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code, param: "password" })]);
  });

  it("is required unless skip_password_check is true, 1 or TRUE; anything else is a 422", async () => {
    const missing = await post({ email_address: email() }).expect(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ code: "form_param_missing", param: "password" })]);
    for (const flag of ["true", "TRUE", "1"]) {
      const res = await post({ email_address: email(), skip_password_check: flag }).expect(201);
      const details = await request(api.app).get(`/users/${res.body.id}/details`).set("Authorization", api.auth);
      expect(details.body.has_password).toBe(false);
    }
    const maybe = await post({ email_address: email(), skip_password_check: "maybe" }).expect(422);
    expect(params(maybe)).toEqual(["skip_password_check"]);
  });

  it("with skip_password_check a weak password is stored (hashed)", async () => {
    const res = await post({ email_address: email(), password: "weak", skip_password_check: "true" }).expect(201);
    const row = await api.context.db.user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.passwordHash).toMatch(/^\$2b\$04\$/);
  });

  it("counts the 72-byte limit in UTF-8 bytes, never truncating", async () => {
    const base = "Aa1-";
    const fits = base + "é".repeat(34); // 4 + 68 = 72 bytes, 38 characters
    await post({ email_address: email(), password: fits }).expect(201);
    const over = base + "é".repeat(34) + "x"; // 73 bytes
    const res = await post({ email_address: email(), password: over }).expect(422);
    expect(codes(res)).toContain("form_password_length_too_long");
    const skipped = await post({ email_address: email(), password: over, skip_password_check: "true" }).expect(422);
    expect(codes(skipped)).toEqual(["form_password_length_too_long"]);
  });

  it("is not trimmed: surrounding spaces are part of the password", async () => {
    const bcrypt = (await import("bcrypt")).default;
    const res = await post({ email_address: email(), password: `  ${STRONG}  ` }).expect(201);
    const row = await api.context.db.user.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(await bcrypt.compare(`  ${STRONG}  `, row.passwordHash as string)).toBe(true);
    expect(await bcrypt.compare(STRONG, row.passwordHash as string)).toBe(false);
  });
});

describe("settings seen by the next request", () => {
  it("applies required and disabled fields as soon as they change", async () => {
    const own = await createTestApi();
    try {
      const send = (fields: Record<string, string>) => {
        const req = request(own.app).post("/users").set("Authorization", own.auth);
        for (const [k, v] of Object.entries(fields)) req.field(k, v);
        return req;
      };
      const patch = (body: object) =>
        request(own.app).patch("/settings/auth").set("Authorization", own.auth).send(body).expect(200);

      await send({ email_address: email(), password: STRONG }).expect(201);
      await patch({ username: { required: true } });
      const missing = await send({ email_address: email(), password: STRONG }).expect(422);
      expect(missing.body.errors).toEqual([expect.objectContaining({ code: "form_param_missing", param: "username" })]);

      await patch({ username: { required: false, enabled: false } });
      const disabled = await send({ email_address: email(), password: STRONG, username: "someone" }).expect(422);
      expect(disabled.body.errors).toEqual([expect.objectContaining({ code: "form_param_not_allowed", param: "username" })]);

      await patch({ password: { required: false }, email_address: { required: false } });
      await request(own.app).post("/users").set("Authorization", own.auth).send({}).expect(201);

      await patch({ phone_number: { default_country: "GB" } });
      const uk = await send({ phone_number: "020 7946 0958" }).expect(201);
      expect(uk.body.primary_phone_number).toBe("+442079460958");
    } finally {
      await own.close();
    }
  });
});

describe("settings routes", () => {
  it("returns SPEC 3's defaults and deep-merges patches", async () => {
    const own = await createTestApi();
    try {
      const got = await request(own.app).get("/settings/auth").set("Authorization", own.auth).expect(200);
      expect(got.body.password).toMatchObject({ enabled: true, required: true, min_length: 8, max_length: 72 });
      expect(got.body.phone_number).toEqual({ enabled: true, required: false, default_country: null });
      const patched = await request(own.app)
        .patch("/settings/auth")
        .set("Authorization", own.auth)
        .send({ password: { min_length: 12 } })
        .expect(200);
      expect(patched.body.password).toMatchObject({ min_length: 12, max_length: 72, require_special: true });
    } finally {
      await own.close();
    }
  });

  it("refuses nonsense with a 422 naming it", async () => {
    const bad = async (patch: object, param: string) => {
      const res = await request(api.app).patch("/settings/auth").set("Authorization", api.auth).send(patch).expect(422);
      expect(params(res)).toContain(param);
    };
    await bad({ username: { min_length: 10, max_length: 5 } }, "username.min_length");
    await bad({ password: { max_length: 100 } }, "password.max_length");
    await bad({ email_address: { enabled: false, required: true } }, "email_address.required");
    await bad({ phone_number: { default_country: "XX" } }, "phone_number.default_country");
    await bad({ nickname: { enabled: true } }, "nickname");
    await bad({ first_name: { enabled: "yes" } }, "first_name.enabled");
    // nothing of the refused patches was applied
    const got = await request(api.app).get("/settings/auth").set("Authorization", api.auth).expect(200);
    expect(got.body.username).toMatchObject({ min_length: 3, max_length: 30 });
  });
});

describe("idempotency", () => {
  it("replays the first response for the same key and body, creating one user", async () => {
    const key = `idem-${uniqueSuffix()}`;
    const fields = { email_address: email(), password: STRONG };
    const first = await post(fields, { "Idempotency-Key": key }).expect(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    const second = await post(fields, { "Idempotency-Key": key }).expect(201);
    expect(second.headers["idempotent-replayed"]).toBe("true");
    expect(second.body).toEqual(first.body);
    const other = await post({ ...fields, first_name: "Changed" }, { "Idempotency-Key": key }).expect(422);
    expect(params(other)).toEqual(["Idempotency-Key"]);
  });

  it("makes concurrent requests with one key create one user", async () => {
    const key = `idem-${uniqueSuffix()}`;
    const fields = { email_address: email(), password: STRONG };
    const results = await Promise.all(Array.from({ length: 8 }, () => post(fields, { "Idempotency-Key": key })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const count = await api.context.db.userEmailAddress.count({
      where: { deploymentId: api.deploymentId, emailNormalized: fields.email_address.toLowerCase() },
    });
    expect(count).toBe(1);
  });
});
