// The settings model: defaults, deep merge and the checks against nonsense.
import { describe, expect, it } from "vitest";
import { DEFAULT_AUTH_SETTINGS, deepMerge, parseAuthSettings, ValidationError } from "./index";

describe("deepMerge", () => {
  it("merges objects key by key and replaces everything else", () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2] })).toEqual({ a: { b: 1, c: 3 }, d: [2] });
    expect(deepMerge({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
  });
});

describe("parseAuthSettings", () => {
  it("accepts the defaults", () => {
    expect(parseAuthSettings(DEFAULT_AUTH_SETTINGS)).toEqual(DEFAULT_AUTH_SETTINGS);
  });
  it("upper-cases the default country", () => {
    const s = parseAuthSettings(deepMerge(DEFAULT_AUTH_SETTINGS, { phone_number: { default_country: "gb" } }));
    expect(s.phone_number.default_country).toBe("GB");
  });
  it.each([
    [{ password: { min_length: 20, max_length: 10 } }, "password.min_length"],
    [{ password: { max_length: 73 } }, "password.max_length"],
    [{ username: { min_length: 0 } }, "username.min_length"],
    [{ last_name: { enabled: false, required: true } }, "last_name.required"],
    [{ phone_number: { default_country: "ZZ" } }, "phone_number.default_country"],
    [{ password: { require_emoji: true } }, "password.require_emoji"],
  ])("refuses %j naming %s", (patch, param) => {
    try {
      parseAuthSettings(deepMerge(DEFAULT_AUTH_SETTINGS, patch));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.param)).toContain(param);
    }
  });
});
