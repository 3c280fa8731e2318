// Who gets in (SPEC 2, 6, 7): every mounted route needs its credentials, keys
// die when revoked, deployments never see each other, keys are rate limited,
// and nothing secret or internal leaks into a response or a log line.
import type { Express } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretKey, revokeSecretKey } from "@svc/users";
import { createServer } from "../src/server";
import { solid } from "../../../test/support/images";
import { createOtherDeployment, createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";

const ADMIN = { ADMIN_USERNAME: "sec-admin", ADMIN_PASSWORD: "Admin-Secret-Passw0rd!" };
const METRICS_TOKEN = "Metrics-Token-5f3a9c1e7b";
const STRONG = "Sec-Password-Horse-9!";
const PUBLIC = ["/healthz", "/readyz", "/openapi.json", "/docs"];

const apis: TestApi[] = [];
/** Every response body and header block of this file, checked at the end. */
const seen: string[] = [];
const secrets: string[] = [ADMIN.ADMIN_PASSWORD, METRICS_TOKEN, STRONG];

async function open(overrides: Record<string, string> = {}) {
  const api = await createTestApi({ ...ADMIN, METRICS_TOKEN, ...overrides });
  apis.push(api);
  secrets.push(api.key);
  return api;
}

let api: TestApi;
beforeAll(async () => {
  api = await open();
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
});

type Method = "get" | "post" | "patch" | "put" | "delete";

/** Sends one request and keeps what came back for the leak check. */
async function call(
  app: Express,
  method: Method,
  path: string,
  options: { auth?: string; json?: object; image?: Buffer; fields?: Record<string, string> } = {},
) {
  const req = request(app)[method](path);
  if (options.auth) req.set("Authorization", options.auth);
  if (options.json) req.send(options.json);
  for (const [name, value] of Object.entries(options.fields ?? {})) req.field(name, value);
  if (options.image) req.attach(options.fields ? "profile_image" : "file", options.image, "p.jpg");
  const res = await req;
  seen.push(`${method.toUpperCase()} ${path} ${res.status}\n${JSON.stringify(res.headers)}\n${res.text ?? ""}`);
  return res;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

interface Endpoint {
  method: Method;
  path: string;
  /** A whole sub-application or static folder mounted at `path`. */
  mount: boolean;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[]; router?: { stack?: Layer[] } };
  rawPath?: string;
  slash?: boolean;
}

/** Every route and mount point of the app, read from Express 5's router stack. */
function endpointsOf(app: Express): Endpoint[] {
  const out: Endpoint[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== "_all")) {
          for (const path of paths) out.push({ method: method as Method, path: prefix + path, mount: false });
        }
        continue;
      }
      const base = prefix + (layer.slash || typeof layer.rawPath !== "string" ? "" : layer.rawPath);
      const inner = layer.handle.stack ?? layer.handle.router?.stack;
      if (base !== prefix) out.push({ method: "get", path: base, mount: true });
      if (inner) walk(inner, base);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  return out;
}

/** A concrete path for a route pattern: `:id` and wildcards filled with `value`. */
const concrete = (pattern: string, value: string) =>
  pattern.replace(/:(\w+)/g, value).replace(/\*\w*/g, "x").replace(/[{}]/g, "");
const isPublic = (path: string) => PUBLIC.some((p) => path === p || path.startsWith(`${p}/`));
const NO_SUCH_USER = "user_00000000000000000000000000";

describe("the mounted routes", () => {
  it("include the user, settings, docs and ops routes", () => {
    const paths = new Set(endpointsOf(api.app).map((e) => `${e.method.toUpperCase()} ${e.path}`));
    for (const expected of ["POST /users", "GET /users", "GET /users/:id", "GET /settings/auth", "PATCH /settings/auth"]) {
      expect(paths).toContain(expected);
    }
    // The ops routes are checked below when mounted; say so loudly when they are not.
    expect(paths).toContain("GET /metrics");
    expect([...paths].some((p) => p.startsWith("GET /admin/queues"))).toBe(true);
  });

  it("answer 401 JSON to every non-public route without credentials", async () => {
    const endpoints = endpointsOf(api.app).filter((e) => !isPublic(e.path));
    expect(endpoints.length).toBeGreaterThan(8);
    for (const endpoint of endpoints) {
      const path = concrete(endpoint.path, NO_SUCH_USER);
      for (const auth of [undefined, "Bearer", "Bearer sk_test_short", `Bearer sk_test_${"A".repeat(32)}`, basic("x", "y")]) {
        const res = await call(api.app, endpoint.method, path, { auth });
        expect(res.status, `${endpoint.method.toUpperCase()} ${path} with ${auth ?? "nothing"}`).toBe(401);
        expect(res.body).toMatchObject({ errors: [expect.objectContaining({ code: "authentication_invalid" })], request_id: expect.any(String) });
      }
    }
  });

  it("answer 401 to unknown paths without a key, so routes cannot be discovered", async () => {
    for (const path of ["/nowhere", "/users/x/y/z", "/admin", "/.env", "/metrics/x"]) {
      expect((await call(api.app, "get", path)).status).toBe(401);
    }
  });

  it("leave health, readiness, the OpenAPI document and the docs page open", async () => {
    const endpoints = endpointsOf(api.app).filter((e) => isPublic(e.path) && !e.mount);
    for (const endpoint of endpoints) {
      const res = await call(api.app, endpoint.method, concrete(endpoint.path, "x"));
      expect([200, 503], endpoint.path).toContain(res.status);
    }
  });

  it("do not take a deployment's secret key for the dashboard or the metrics", async () => {
    expect((await call(api.app, "get", "/metrics", { auth: api.auth })).status).toBe(401);
    expect((await call(api.app, "get", "/admin/queues", { auth: api.auth })).status).toBe(401);
  });
});

describe("the dashboard and the metrics", () => {
  it("/metrics needs its bearer token", async () => {
    for (const auth of [undefined, "Bearer wrong-token-000000000", `Bearer ${METRICS_TOKEN}x`, basic("metrics", METRICS_TOKEN)]) {
      expect((await call(api.app, "get", "/metrics", { auth })).status).toBe(401);
    }
    const ok = await call(api.app, "get", "/metrics", { auth: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/^# HELP /m);
  });

  it("/admin/queues needs the admin username and password, with a Basic challenge", async () => {
    for (const auth of [
      undefined,
      basic(ADMIN.ADMIN_USERNAME, "wrong-password-1234"),
      basic("admin", ADMIN.ADMIN_PASSWORD),
      basic(ADMIN.ADMIN_USERNAME, ""),
      basic("", ""),
      `Bearer ${ADMIN.ADMIN_PASSWORD}`,
    ]) {
      for (const path of ["/admin/queues", "/admin/queues/api/queues", "/admin/queues/static/x.js"]) {
        const res = await call(api.app, "get", path, { auth });
        expect(res.status, `${path} with ${auth ?? "nothing"}`).toBe(401);
      }
    }
    expect((await call(api.app, "get", "/admin/queues")).headers["www-authenticate"]).toMatch(/^Basic /);
    const ok = await call(api.app, "get", "/admin/queues", { auth: basic(ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD) });
    expect(ok.status).toBe(200);
  });

  it("keeps the dashboard closed when no admin credentials are configured", async () => {
    const bare = await createTestApi({ METRICS_TOKEN });
    apis.push(bare);
    secrets.push(bare.key);
    for (const auth of [undefined, bare.auth, basic("admin", "admin")]) {
      const res = await call(bare.app, "get", "/admin/queues", { auth });
      expect([401, 404]).toContain(res.status);
    }
  });
});

describe("secret keys", () => {
  it("stop working on every route the moment they are revoked", async () => {
    const extra = await createSecretKey(api.context.db, api.deploymentId);
    secrets.push(extra.secretKey);
    const auth = `Bearer ${extra.secretKey}`;
    const readable = endpointsOf(api.app).filter((e) => !isPublic(e.path) && !e.mount && e.method === "get" && !e.path.startsWith("/admin") && e.path !== "/metrics");
    expect(readable.length).toBeGreaterThanOrEqual(3);
    for (const e of readable) expect((await call(api.app, "get", concrete(e.path, NO_SUCH_USER), { auth })).status).not.toBe(401);

    expect(await revokeSecretKey(api.context.db, extra.id)).toBe(true);
    for (const e of endpointsOf(api.app).filter((e) => !isPublic(e.path) && !e.path.startsWith("/admin") && e.path !== "/metrics")) {
      const res = await call(api.app, e.method, concrete(e.path, NO_SUCH_USER), { auth });
      expect(res.status, `${e.method} ${e.path}`).toBe(401);
    }
    // The deployment's other key is untouched.
    expect((await call(api.app, "get", "/users", { auth: api.auth })).status).toBe(200);
  });

  it("are refused in any other shape: lower-case scheme aside, no prefix tricks or padding", async () => {
    const variants = [
      `Bearer ${api.key}x`,
      `Bearer ${api.key.slice(0, -1)}`,
      `Bearer ${api.key.replace("sk_test_", "sk_live_")}`,
      `Bearer ${api.key} ${api.key}`,
      `Token ${api.key}`,
      api.key,
      `Bearer ${api.key.toUpperCase()}`,
    ];
    for (const auth of variants) expect((await call(api.app, "get", "/users", { auth })).status, auth).toBe(401);
    expect((await call(api.app, "get", "/users", { auth: `bearer ${api.key}` })).status).toBe(200);
  });
});

describe("deployment isolation", () => {
  it("makes another deployment's user a 404 on every user route, and leaves it unchanged", async () => {
    const other = await createOtherDeployment(api);
    secrets.push(other.auth.slice("Bearer ".length));
    const image = await solid(64, 64).jpeg().toBuffer();
    const theirs = await call(api.app, "post", "/users", {
      auth: other.auth,
      fields: { email_address: `theirs.${uniqueSuffix()}@example.com`, password: STRONG },
      image,
    });
    expect(theirs.status).toBe(201);
    const id = theirs.body.id as string;
    const before = await call(api.app, "get", `/users/${id}/details`, { auth: other.auth });

    const userRoutes = endpointsOf(api.app).filter((e) => e.path.startsWith("/users/:"));
    expect(userRoutes.length).toBeGreaterThanOrEqual(4);
    for (const route of userRoutes) {
      const path = concrete(route.path, id);
      const res = await call(api.app, route.method, path, { auth: api.auth, image: route.method === "post" ? image : undefined });
      expect(res.status, `${route.method.toUpperCase()} ${route.path}`).toBe(404);
      expect(res.text).not.toContain(theirs.body.primary_email_address);
    }
    const after = await call(api.app, "get", `/users/${id}/details`, { auth: other.auth });
    expect(after.body).toEqual(before.body);

    const list = await call(api.app, "get", "/users?limit=100", { auth: api.auth });
    expect(list.body.data.map((u: { id: string }) => u.id)).not.toContain(id);
  });

  it("keeps each deployment's settings its own", async () => {
    const other = await createOtherDeployment(api);
    secrets.push(other.auth.slice("Bearer ".length));
    await call(api.app, "patch", "/settings/auth", { auth: other.auth, json: { username: { required: true } } });
    const mine = await call(api.app, "get", "/settings/auth", { auth: api.auth });
    expect(mine.body.username.required).toBe(false);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After per key: another key of the same deployment has its own budget", async () => {
    const limited = await open({ RATE_LIMIT_ENABLED: "true", RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_SECONDS: "60" });
    for (let i = 0; i < 5; i++) expect((await call(limited.app, "get", "/users", { auth: limited.auth })).status).toBe(200);
    for (const [method, path] of [["get", "/users"], ["post", "/users"], ["get", `/users/${NO_SUCH_USER}`]] as const) {
      const res = await call(limited.app, method, path, { auth: limited.auth, json: method === "post" ? {} : undefined });
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers["retry-after"]);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(res.body).toMatchObject({ errors: [{ code: "rate_limit_exceeded" }], request_id: expect.any(String) });
    }
    const second = await createSecretKey(limited.context.db, limited.deploymentId);
    secrets.push(second.secretKey);
    expect((await call(limited.app, "get", "/users", { auth: `Bearer ${second.secretKey}` })).status).toBe(200);
  });
});

describe("what responses and logs give away", () => {
  it("answers a 500 and a 503 with SPEC 7 bodies and logs them without internals", async () => {
    const key = api.key;
    const failing = (error: Error) =>
      new Proxy(api.context.db, {
        get(target, prop, receiver) {
          if (prop === "$queryRaw") return () => Promise.reject(error);
          return Reflect.get(target, prop, receiver);
        },
      });
    const bug = new Error(
      `\nInvalid \`prisma.secretKey.findUnique()\` invocation in\n/srv/app/auth.ts:12:3\n\n→ 12 db.secretKey.findUnique(\n` +
        `Raw query failed: SELECT "id" FROM "secret_keys" WHERE "key" = '${key}' AND password = '${STRONG}'`,
    );
    const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    for (const [error, status] of [[bug, 500], [down, 503]] as const) {
      const app = createServer({ ...api.context, db: failing(error) });
      const res = await call(app, "get", "/users", { auth: api.auth });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ message: expect.any(String), errors: [expect.any(Object)], request_id: expect.any(String) });
    }
    const logged = api.logLines.filter((l) => /unhandled error|dependency unavailable/.test(l));
    expect(logged.length).toBeGreaterThanOrEqual(2);
  });

  it("creates, conflicts and validation errors carry no password or hash", async () => {
    const address = `leak.${uniqueSuffix()}@example.com`;
    expect((await call(api.app, "post", "/users", { auth: api.auth, json: { email_address: address, password: STRONG } })).status).toBe(201);
    expect((await call(api.app, "post", "/users", { auth: api.auth, json: { email_address: address, password: STRONG } })).status).toBe(409);
    expect((await call(api.app, "post", "/users", { auth: api.auth, json: { email_address: "bad", password: `${STRONG}${"x".repeat(80)}` } })).status).toBe(422);
    const list = await call(api.app, "get", "/users?limit=100", { auth: api.auth });
    for (const user of list.body.data as { id: string }[]) await call(api.app, "get", `/users/${user.id}/details`, { auth: api.auth });
  });

  it("no response or log line of this file holds a password, a key, a hash, a stack trace or SQL", () => {
    const logs = apis.flatMap((a) => a.logLines);
    expect(logs.length).toBeGreaterThan(50);
    expect(seen.length).toBeGreaterThan(50);
    const patterns: [string, RegExp][] = [
      ["a secret key", /sk_(?:test|live)_[A-Za-z0-9_-]{20,}/],
      ["a bcrypt hash", /\$2[aby]\$\d\d\$/],
      ["a stack trace", /(?:^|\\n|\n)\s{2,}at \S/],
      ["SQL", /\b(?:SELECT\s[\s\S]*\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+"?\w+"?\s+SET)\b/i],
    ];
    for (const [source, texts] of [["responses", seen], ["logs", logs]] as const) {
      for (const text of texts) {
        for (const secret of secrets) expect(text.includes(secret), `${source} hold a secret: ${text.slice(0, 300)}`).toBe(false);
        for (const [what, pattern] of patterns) {
          expect(pattern.test(text), `${source} hold ${what}: ${text.slice(0, 400)}`).toBe(false);
        }
      }
    }
  });
});
