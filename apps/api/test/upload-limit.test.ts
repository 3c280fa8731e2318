// Memory stays bounded under many large uploads: beyond UPLOAD_CONCURRENCY,
// a large multipart body is not read until a slot frees; small requests pass.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";

let api: TestApi;
let server: http.Server;
let base: string;
beforeAll(async () => {
  api = await createTestApi({ UPLOAD_CONCURRENCY: "1" });
  server = api.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await api.close();
});

async function largeForm() {
  const form = new FormData();
  form.set("email_address", `up.${uniqueSuffix()}@example.com`);
  form.set("skip_password_check", "true");
  // Noise does not compress: a ~2 MB JPEG, over the 1 MiB "small body" line.
  const noise = Buffer.from(Array.from({ length: 1400 * 1400 * 3 }, () => Math.floor(Math.random() * 256)));
  const sharp = (await import("sharp")).default;
  const jpeg = await sharp(noise, { raw: { width: 1400, height: 1400, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
  expect(jpeg.length).toBeGreaterThan(1024 * 1024);
  form.set("profile_image", new Blob([new Uint8Array(jpeg)], { type: "image/jpeg" }), "big.jpg");
  return form;
}

describe("large uploads", () => {
  it("waits for a slot while another large body is being read, and small requests do not wait", async () => {
    // The first large upload announces 3 MB and sends only its start: it holds the one slot.
    const stalled = http.request(`${base}/users`, {
      method: "POST",
      headers: {
        Authorization: api.auth,
        "Content-Type": "multipart/form-data; boundary=XXX",
        "Content-Length": String(3 * 1024 * 1024),
      },
    });
    stalled.on("error", () => undefined);
    stalled.write("--XXX\r\nContent-Disposition: form-data; name=\"profile_image\"; filename=\"a.jpg\"\r\n\r\n");
    await new Promise((r) => setTimeout(r, 100));

    let settled = false;
    const second = fetch(`${base}/users`, { method: "POST", headers: { Authorization: api.auth }, body: await largeForm() }).then(
      (res) => {
        settled = true;
        return res;
      },
    );
    const small = await fetch(`${base}/users`, {
      method: "POST",
      headers: { Authorization: api.auth, "Content-Type": "application/json" },
      body: JSON.stringify({ email_address: `small.${uniqueSuffix()}@example.com`, skip_password_check: true }),
    });
    expect(small.status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);

    stalled.destroy(); // the client gives up: its slot is released
    const res = await second;
    expect(res.status).toBe(201);
    expect(((await res.json()) as { profile_image_status: string }).profile_image_status).toBe("pending");
  });
});
