// Ids: prefixed, time-sortable, and recognisable without a query.
import { describe, expect, it } from "vitest";
import { isId, newId } from "./ids";

describe("ids", () => {
  it("sort by creation time", () => {
    const ids = [newId("user", 1_000), newId("user", 2_000), newId("user", 1_700_000_000_000)];
    expect([...ids].sort()).toEqual(ids);
  });
  it("are recognised only when well-formed", () => {
    const id = newId("user");
    expect(isId("user", id)).toBe(true);
    expect(isId("img", id)).toBe(false);
    expect(isId("user", `${id}x`)).toBe(false);
    expect(isId("user", id.replace(/.$/, "\u0000"))).toBe(false);
    expect(isId("user", "user_" + "U".repeat(26))).toBe(false);
  });
});
