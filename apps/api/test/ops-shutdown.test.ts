// Graceful shutdown of the API (issue 4): on stop() a real server refuses new
// connections, lets the request in flight finish, then closes its pools.
import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "@svc/config";
import { createObjectStore } from "@svc/storage";
import { createDeployment } from "@svc/users";
import { solid } from "../../../test/support/images";
import { captureLogger, testConfig, testDb, uniqueSuffix } from "../../../test/support/harness";
import { eventually } from "../../../test/support/poll";
import { startApi } from "../src/listen";

let config: Config;
let key: string;
beforeAll(async () => {
  config = testConfig({ HOST: "127.0.0.1", PORT: "0" });
  await createObjectStore({ ...config.storage, endpoint: config.storage.endpoint as string }).ensureBuckets();
  const db = testDb(config);
  try {
    key = (await createDeployment(db, `shutdown-${uniqueSuffix()}`)).secretKey;
  } finally {
    await db.$disconnect();
  }
});

describe("stop()", () => {
  it("refuses new connections, finishes the request in flight, then closes the pools", async () => {
    const { logger, lines } = captureLogger("api");
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const socketsBefore = sockets();
    const api = await startApi(config, logger, config.storage.endpoint as string);

    // No worker runs on this queue prefix, so `Prefer: wait=2` keeps the request open for 2 s.
    const form = new FormData();
    form.set("email_address", `bye.${uniqueSuffix()}@example.com`);
    form.set("skip_password_check", "true");
    form.set("profile_image", new Blob([await solid(8, 8).png().toBuffer()], { type: "image/png" }), "p.png");
    const events: string[] = [];
    const inFlight = fetch(`${api.url}/users`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, Prefer: "wait=2" },
      body: form,
    }).then(async (res) => {
      events.push("response");
      return { status: res.status, body: (await res.json()) as { profile_image_status: string } };
    });
    // Stop once the request is being handled (its user row exists by then).
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);

    const stopped = api.stop().then(() => events.push("stopped"));
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();

    const result = await inFlight;
    expect(result).toEqual({
      status: 201,
      body: expect.objectContaining({ profile_image_status: "pending" }),
    });
    await stopped;
    expect(events).toEqual(["response", "stopped"]);
    expect(api.server.listening).toBe(false);
    expect(lines.some((l) => l.includes('"msg":"api stopped"'))).toBe(true);
    // stop() closed the pools: no connection to PostgreSQL or Redis is left open.
    await eventually(async () => sockets() <= socketsBefore, {
      timeoutMs: 5_000,
      what: "connections closed",
    });
  });
});
