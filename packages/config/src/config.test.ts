// The environment contract: defaults, one message for every problem, and
// .env.example listing every variable with its default.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, ENV_VARIABLES, loadConfig } from "./index";

describe("loadConfig", () => {
  it("has working defaults for local development", () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.redis.queuePrefix).toBe("{users}");
    expect(config.images).toMatchObject({ maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 });
    expect(config.admin).toBeUndefined();
    expect(Object.isFrozen(config.images.output)).toBe(true);
  });

  it("lists every invalid variable in one error", () => {
    try {
      loadConfig({ PORT: "http", BCRYPT_COST: "40", QUEUE_PREFIX: "users", ADMIN_PASSWORD: "short" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      for (const name of ["PORT", "BCRYPT_COST", "QUEUE_PREFIX", "ADMIN_PASSWORD"]) {
        expect((error as Error).message).toContain(name);
      }
    }
  });

  it("wants the admin credentials as a pair", () => {
    expect(() => loadConfig({ ADMIN_USERNAME: "admin" })).toThrow(/set together/);
  });
});

describe(".env.example", () => {
  const text = readFileSync(fileURLToPath(new URL("../../../.env.example", import.meta.url)), "utf8");
  const entries = Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );

  it("lists exactly the variables the service reads", () => {
    expect(Object.keys(entries).sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it("holds the defaults", () => {
    expect(loadConfig(entries)).toEqual(loadConfig({}));
  });
});
