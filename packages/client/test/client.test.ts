// The SDK against the running API (listening on a port, real PostgreSQL, Redis,
// S3 and worker): every call, every typed error with the server's own words.
import { once } from "node:events";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  authSettingsSchema,
  errorBodySchema,
  userDetailsResourceSchema,
  userListSchema,
  userResourceSchema,
} from "@svc/users";
import { solidAs } from "../../../test/support/images";
import {
  createOtherDeployment,
  createTestApi,
  startTestWorker,
  uniqueSuffix,
  type TestApi,
} from "../../../test/support/harness";
import type { RunningWorker } from "../../../apps/worker/src/run";
import {
  ApiError,
  AuthenticationError,
  ConflictError,
  createClient,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
  type Client,
} from "../src/index";

const OWN_PORTS = { WORKER_PORT: "0" };
const STRONG = "Correct-Horse-9";
const email = () => `sdk.${uniqueSuffix()}@example.com`;

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A running API of its own (own deployment, own config) and a client on it. */
async function startApi(overrides: Record<string, string> = {}) {
  const api = await createTestApi({ ...OWN_PORTS, ...overrides });
  const server = createHttpServer(api.app);
  const baseUrl = await listen(server);
  return {
    api,
    baseUrl,
    client: createClient({ apiKey: api.key, baseUrl }),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await api.close();
    },
  };
}

/** What the server answered, to compare with what the SDK threw. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("the call should have failed"),
    (error: unknown) => error,
  );
}

let running: Awaited<ReturnType<typeof startApi>>;
let api: TestApi;
let client: Client;
let worker: RunningWorker;
beforeAll(async () => {
  running = await startApi();
  ({ api, client } = running);
  worker = await startTestWorker(api.config);
});
afterAll(async () => {
  await worker?.stop();
  await running?.stop();
});

describe("users", () => {
  it("creates a user with an image and wait: 10, answering ready with a URL that serves WebP", async () => {
    const png = await solidAs("png", 64, 48);
    const address = email();
    const user = await client.users.createUser(
      {
        first_name: "Ada",
        last_name: "Lovelace",
        email_address: address,
        password: STRONG,
        profile_image: png,
      },
      { wait: 10 },
    );
    expect(userResourceSchema.strict().parse(user)).toEqual(user);
    expect(user).toMatchObject({
      first_name: "Ada",
      last_name: "Lovelace",
      primary_email_address: address,
      profile_image_status: "ready",
    });
    const avatar = await fetch(user.profile_picture_url);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get("content-type")).toBe("image/webp");
  });

  it("sends a File with its name, booleans as text, and phone numbers back in E.164", async () => {
    const file = new File([await solidAs("jpeg")], "ada.jpg", { type: "image/jpeg" });
    const user = await client.users.createUser({
      email_address: email(),
      phone_number: `+1 415 555 ${String(1000 + Math.floor(Math.random() * 8999))}`,
      skip_password_check: true,
      profile_image: file,
    });
    expect(user.profile_image_status).toBe("pending");
    expect(user.primary_phone_number).toMatch(/^\+1415555\d{4}$/);
    const details = await client.users.getUserDetails(user.id);
    expect(details.has_password).toBe(false);
  });

  it("gets a user, its details, and lists users newest first", async () => {
    const first = await client.users.createUser({
      email_address: email(),
      password: STRONG,
      username: `u_${uniqueSuffix()}`,
    });
    const second = await client.users.createUser({ email_address: email(), password: STRONG });

    expect(await client.users.getUser(first.id)).toEqual(first);
    const details = await client.users.getUserDetails(first.id);
    expect(userDetailsResourceSchema.strict().parse(details)).toEqual(details);
    expect(details).toMatchObject({ ...first, has_password: true });
    expect(details.email_addresses).toEqual([
      expect.objectContaining({
        email_address: first.primary_email_address,
        is_primary: true,
        verified: true,
      }),
    ]);

    const page = await client.users.listUsers({ limit: 2, offset: 0 });
    expect(userListSchema.strict().parse(page)).toEqual(page);
    expect(page.data.map((u) => u.id)).toEqual([second.id, first.id]);
    expect(page).toMatchObject({ limit: 2, offset: 0, has_more: true });
    const next = await client.users.listUsers({ limit: 1, offset: 1 });
    expect(next.data[0]?.id).toBe(first.id);
    expect((await client.users.listUsers()).limit).toBe(10);
  });

  it("replaces the image (waiting for it) and removes it", async () => {
    const user = await client.users.createUser(
      { email_address: email(), password: STRONG, profile_image: await solidAs("png") },
      { wait: 10 },
    );
    expect(user.profile_image_status).toBe("ready");

    const replaced = await client.users.setProfileImage(user.id, await solidAs("webp", 80, 80), { wait: 10 });
    expect(replaced.profile_image_status).toBe("ready");
    expect(replaced.profile_picture_url).not.toBe(user.profile_picture_url);
    const avatar = await fetch(replaced.profile_picture_url);
    expect(avatar.headers.get("content-type")).toBe("image/webp");

    const removed = await client.users.deleteProfileImage(user.id);
    expect(removed).toMatchObject({ id: user.id, profile_image_status: "none", profile_picture_url: "" });
    expect(await client.users.getUser(user.id)).toMatchObject({ profile_image_status: "none" });
  });

  it("retries with an Idempotency-Key and gets the same user, creating one", async () => {
    const key = `sdk-${uniqueSuffix()}`;
    const request = { email_address: email(), password: STRONG, first_name: "Grace" };
    const first = await client.users.createUser(request, { idempotencyKey: key });
    const retry = await client.users.createUser(request, { idempotencyKey: key });
    expect(retry).toEqual(first);
    const rows = await api.context.db.user.count({
      where: { deploymentId: api.deploymentId, firstName: "Grace" },
    });
    expect(rows).toBe(1);

    const changed = await rejection(
      client.users.createUser({ ...request, first_name: "Other" }, { idempotencyKey: key }),
    );
    expect(changed).toBeInstanceOf(ValidationError);
    expect((changed as ValidationError).errors.map((e) => e.param)).toEqual(["Idempotency-Key"]);
  });
});

describe("settings", () => {
  it("round-trips a patch: read, change, read back, and the next create obeys it", async () => {
    const other = await createOtherDeployment(api);
    const own = createClient({ apiKey: other.auth.replace(/^Bearer /, ""), baseUrl: running.baseUrl });

    const before = await own.settings.getAuth();
    expect(authSettingsSchema.parse(before)).toEqual(before);
    expect(before.password).toMatchObject({ required: true, min_length: 8 });

    const after = await own.settings.updateAuth({
      username: { required: true },
      password: { min_length: 12 },
    });
    expect(after.username).toEqual({ ...before.username, required: true });
    expect(after.password).toEqual({ ...before.password, min_length: 12 });
    expect(await own.settings.getAuth()).toEqual(after);

    // 10 characters: fine by the defaults, short for the new min_length; and no username.
    const refused = await rejection(own.users.createUser({ email_address: email(), password: "Aa1-Aa1-Aa" }));
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).errors.map((e) => e.param).sort()).toEqual(["password", "username"]);

    const nonsense = await rejection(
      own.settings.updateAuth({ username: { min_length: 10, max_length: 5 } }),
    );
    expect(nonsense).toBeInstanceOf(ValidationError);
    expect((nonsense as ValidationError).errors[0]?.param).toBe("username.min_length");
    expect(await own.settings.getAuth()).toEqual(after);
  });
});

describe("typed errors carry the server's message and field errors", () => {
  it("422 → ValidationError with every field error and its param", async () => {
    const error = await rejection(
      client.users.createUser({ email_address: "not-an-email", password: "short", username: "no spaces!" }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ValidationError;
    expect(e.status).toBe(422);
    expect(new Set(e.errors.map((i) => i.param))).toEqual(new Set(["email_address", "password", "username"]));
    expect(e.message).toBe(e.errors[0]?.message);
    expect(e.message).not.toBe("");
    expect(e.code).toBe(e.errors[0]?.code);
    expect(e.requestId).toEqual(expect.any(String));
    expect(e.name).toBe("ValidationError");
  });

  it("409 → ConflictError naming the field", async () => {
    const address = email();
    await client.users.createUser({ email_address: address, password: STRONG });
    const e = (await rejection(
      client.users.createUser({ email_address: address, password: STRONG }),
    )) as ConflictError;
    expect(e).toBeInstanceOf(ConflictError);
    expect(e).toMatchObject({
      status: 409,
      code: "form_identifier_exists",
      message: "That email address is taken.",
    });
    expect(e.errors).toEqual([
      { code: "form_identifier_exists", message: "That email address is taken.", param: "email_address" },
    ]);
  });

  it("401 → AuthenticationError for a key that is not a key", async () => {
    const stranger = createClient({ apiKey: `sk_test_${"x".repeat(32)}`, baseUrl: running.baseUrl });
    const e = (await rejection(stranger.users.listUsers())) as AuthenticationError;
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e).toMatchObject({ status: 401, message: "The secret key is not valid or has been revoked." });
  });

  it("404 → NotFoundError, also for another deployment's user", async () => {
    const missing = (await rejection(
      client.users.getUser("user_00000000000000000000000000"),
    )) as NotFoundError;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: "resource_not_found", message: "User not found." });

    const other = await createOtherDeployment(api);
    const theirs = createClient({ apiKey: other.auth.replace(/^Bearer /, ""), baseUrl: running.baseUrl });
    const mine = await client.users.createUser({ email_address: email(), password: STRONG });
    await expect(theirs.users.getUserDetails(mine.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(theirs.users.deleteProfileImage(mine.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("429 → RateLimitError with retryAfter in seconds", async () => {
    const limited = await startApi({ RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_SECONDS: "60" });
    try {
      await limited.client.users.listUsers();
      await limited.client.users.listUsers();
      const e = (await rejection(limited.client.users.listUsers())) as RateLimitError;
      expect(e).toBeInstanceOf(RateLimitError);
      expect(e).toMatchObject({
        status: 429,
        code: "rate_limit_exceeded",
        message: "Too many requests for this key; slow down.",
      });
      expect(e.retryAfter).toBeGreaterThanOrEqual(1);
      expect(e.retryAfter).toBeLessThanOrEqual(60);
    } finally {
      await limited.stop();
    }
  });

  it("413 → PayloadTooLargeError for an image over IMAGE_MAX_BYTES, creating nothing", async () => {
    const small = await startApi({ IMAGE_MAX_BYTES: "1024" });
    try {
      const address = email();
      const e = (await rejection(
        small.client.users.createUser({
          email_address: address,
          password: STRONG,
          profile_image: new Uint8Array(4096),
        }),
      )) as PayloadTooLargeError;
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e).toMatchObject({ status: 413, message: "The file is larger than the size limit." });
      expect(e.errors[0]?.param).toBe("profile_image");
      const users = await small.client.users.listUsers();
      expect(users.total).toBe(0);
    } finally {
      await small.stop();
    }
  });

  it("503 → ServiceUnavailableError when storage is down, creating nothing", async () => {
    const stage = vi
      .spyOn(api.context.storage, "stageOriginal")
      .mockRejectedValue(new Error("connect ECONNREFUSED"));
    try {
      const address = email();
      const e = (await rejection(
        client.users.createUser({
          email_address: address,
          password: STRONG,
          profile_image: await solidAs("png"),
        }),
      )) as ServiceUnavailableError;
      expect(e).toBeInstanceOf(ServiceUnavailableError);
      expect(e).toMatchObject({ status: 503, code: "service_unavailable" });
      expect(e.message).toMatch(/storage is unavailable/);
      const rows = await api.context.db.userEmailAddress.count({
        where: { emailNormalized: address.toLowerCase() },
      });
      expect(rows).toBe(0);
    } finally {
      stage.mockRestore();
    }
  });

  it("every error body the SDK read is SPEC 7's shape", async () => {
    const res = await fetch(`${running.baseUrl}/users/nope`, { headers: { Authorization: api.auth } });
    expect(errorBodySchema.strict().parse(await res.json())).toMatchObject({ message: "User not found." });
  });
});

describe("timeouts and aborts", () => {
  // A server that accepts and never answers: what a hung upstream looks like.
  let silent: Server;
  let silentUrl: string;
  beforeAll(async () => {
    silent = createHttpServer(() => undefined);
    silentUrl = await listen(silent);
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("times out after timeoutMs plus the wait it asked the server for", async () => {
    const hung = createClient({ apiKey: api.key, baseUrl: silentUrl, timeoutMs: 200 });
    const started = Date.now();
    const e = (await rejection(
      hung.users.createUser({ email_address: email() }, { wait: 1 }),
    )) as TimeoutError;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.timeoutMs).toBe(1200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);

    const quick = (await rejection(hung.users.getUser("user_x", { timeoutMs: 50 }))) as TimeoutError;
    expect(quick).toMatchObject({ name: "TimeoutError", timeoutMs: 50 });
  });

  it("aborts an in-flight call with the caller's signal", async () => {
    const hung = createClient({ apiKey: api.key, baseUrl: silentUrl });
    const controller = new AbortController();
    const pending = rejection(hung.users.listUsers({}, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const e = (await pending) as Error;
    expect(e.name).toBe("AbortError");
    expect(e).not.toBeInstanceOf(TimeoutError);
  });

  it("sends nothing when the signal is already aborted", async () => {
    const address = email();
    const controller = new AbortController();
    controller.abort();
    await expect(
      client.users.createUser({ email_address: address, password: STRONG }, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: "AbortError" });
    const rows = await api.context.db.userEmailAddress.count({
      where: { emailNormalized: address.toLowerCase() },
    });
    expect(rows).toBe(0);
  });

  it("refuses a wait the server would not honour and an empty id, before sending", async () => {
    await expect(client.users.createUser({}, { wait: 31 })).rejects.toThrow(RangeError);
    await expect(client.users.createUser({}, { wait: 1.5 })).rejects.toThrow(RangeError);
    // An empty id would otherwise turn GET /users/{id} into GET /users.
    await expect(client.users.getUser("")).rejects.toThrow(TypeError);
  });
});
