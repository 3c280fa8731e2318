// The field rules of SPEC 4 as a pure function, case by case.
import { describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SETTINGS, deepMerge, type AuthSettings } from "./settings";
import { validateUserFields } from "./validate";

const relaxed = deepMerge(DEFAULT_AUTH_SETTINGS, {
  password: { required: false },
  email_address: { required: false },
}) as AuthSettings;

const check = (raw: Record<string, unknown>, settings: AuthSettings = relaxed) => validateUserFields(raw, settings);
const paramsOf = (raw: Record<string, unknown>, settings?: AuthSettings) => check(raw, settings).issues.map((i) => i.param);

describe("email_address", () => {
  it.each(["ada@example.com", "first.last+tag@sub.example.co.uk", "x@xn--bcher-kva.example", "O'Brien@example.ie"])(
    "accepts %s",
    (email) => expect(check({ email_address: email }).issues).toEqual([]),
  );
  it.each([
    "plain",
    "a@b",
    "a@@b.co",
    ".a@b.co",
    "a..b@c.co",
    "a b@c.co",
    "ада@пример.рф", // Cyrillic: homoglyphs of Latin letters are not accepted
    "pаypal@example.com", // the second letter is Cyrillic а
    `${"a".repeat(250)}@b.co`,
  ])("rejects %s", (email) => expect(paramsOf({ email_address: email })).toEqual(["email_address"]));
  it("trims but keeps the case as given", () => {
    expect(check({ email_address: "  Ada@Example.COM " }).fields.emailAddress).toBe("Ada@Example.COM");
  });
});

describe("phone_number", () => {
  it.each(["+14155552671", "+1 415 555 2671", "+1 (415) 555-2671", "+1.415.555.2671", "+44 20 7946 0958"])(
    "stores %s in E.164",
    (phone) => expect(check({ phone_number: phone }).fields.phoneNumber).toMatch(/^\+[1-9]\d{7,14}$/),
  );
  it("needs default_country for a national number", () => {
    const issues = check({ phone_number: "(415) 555-2671" }).issues;
    expect(issues[0]).toMatchObject({ param: "phone_number", message: expect.stringContaining("default_country") });
    const us = deepMerge(relaxed, { phone_number: { default_country: "US" } }) as AuthSettings;
    expect(check({ phone_number: "(415) 555-2671" }, us).fields.phoneNumber).toBe("+14155552671");
  });
  it.each(["+1 555 0100", "+999 1234567", "12", "not a number", "+44 20 7946 09581234"])("rejects %s", (phone) =>
    expect(paramsOf({ phone_number: phone })).toEqual(["phone_number"]),
  );
});

describe("username", () => {
  it("allows letters, digits, _ and - within the length of the settings", () => {
    expect(check({ username: " ada_L-1 " }).fields.username).toBe("ada_L-1");
    expect(paramsOf({ username: "ab" })).toEqual(["username"]);
    expect(paramsOf({ username: "a".repeat(31) })).toEqual(["username"]);
    expect(paramsOf({ username: "adа" })).toEqual(["username"]); // Cyrillic а
    expect(paramsOf({ username: "a.b" })).toEqual(["username"]);
  });
});

describe("names", () => {
  it("trims, NFC-normalises and bounds at 256 characters", () => {
    expect(check({ first_name: "  Zoe\u0301 " }).fields.firstName).toBe("Zoé");
    expect(check({ first_name: "é".repeat(256) }).issues).toEqual([]);
    expect(paramsOf({ first_name: "é".repeat(257) })).toEqual(["first_name"]);
  });
  it("refuses control characters such as NUL", () => {
    expect(paramsOf({ last_name: "Love\u0000lace" })).toEqual(["last_name"]);
  });
  it("keeps scripts and SQL as plain text (they are data, not code)", () => {
    const name = "<script>alert(1)</script>'; DROP TABLE users; --";
    expect(check({ first_name: name }).fields.firstName).toBe(name);
  });
});

describe("password", () => {
  it("is NFKC-normalised before its rules and limits", () => {
    // U+FB01 (ﬁ ligature) normalises to "fi"
    expect(check({ password: "Aa1-\uFB01xxxx" }).fields.password).toBe("Aa1-fixxxx");
  });
  it("refuses NUL, which bcrypt would silently cut at", () => {
    expect(paramsOf({ password: "Aa1-aaaa\u0000bbbb" })).toEqual(["password"]);
  });
  it("reports each broken rule once", () => {
    const codes = check({ password: "aaaa" }).issues.map((i) => i.code).sort();
    expect(codes).toEqual(["form_password_length_too_short", "form_password_no_number", "form_password_no_special", "form_password_no_uppercase"]);
  });
});

describe("types and presence", () => {
  it("refuses non-string values and treats blank as absent", () => {
    expect(paramsOf({ first_name: 42 })).toEqual(["first_name"]);
    const required = deepMerge(relaxed, { first_name: { required: true } }) as AuthSettings;
    expect(check({ first_name: "   " }, required).issues).toEqual([
      expect.objectContaining({ code: "form_param_missing", param: "first_name" }),
    ]);
  });
  it("accepts skip_password_check as a JSON boolean", () => {
    expect(check({ skip_password_check: true }, DEFAULT_AUTH_SETTINGS).issues.map((i) => i.param)).toEqual(["email_address"]);
  });
});
