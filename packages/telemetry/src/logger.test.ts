import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { logger: createLogger({ level: "info", pretty: false, name: "t" }, sink), lines };
}

describe("createLogger redaction", () => {
  it("censors passwords, keys, tokens, Authorization and cookies wherever a log call puts them", () => {
    const { logger, lines } = capture();
    logger.info({ password: "pw-top" }, "a");
    logger.info({ fields: { password: "pw-nested", secretKey: "sk_test_nested" } }, "b");
    logger.info(
      { req: { headers: { authorization: "Bearer sk_test_header", cookie: "session=cookie-value" } } },
      "c",
    );
    logger.info({ res: { headers: { "set-cookie": "session=set-cookie-value" } } }, "d");
    logger.info({ token: "metrics-token-value", body: { anything: "body-value" } }, "e");
    const text = lines.join("");
    for (const secret of [
      "pw-top",
      "pw-nested",
      "sk_test_nested",
      "sk_test_header",
      "cookie-value",
      "metrics-token-value",
      "body-value",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
    expect(lines).toHaveLength(5);
  });
});
