// GET /openapi.json: a valid OpenAPI 3.1 document that describes every route the
// app mounts (found by walking Express's router, not from a list), whose examples
// fit the schemas and match what the server really answers.
import { Validator } from "@seriousme/openapi-schema-validator";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  authSettingsPatchSchema,
  authSettingsSchema,
  createUserJsonSchema,
  createUserMultipartSchema,
  errorBodySchema,
  userDetailsResourceSchema,
  userListSchema,
  userResourceSchema,
} from "@svc/users";
import { createTestApi, uniqueSuffix, type TestApi } from "../../../test/support/harness";
import { UNDOCUMENTED_PATHS, type OpenApiDocument } from "../src/openapi/document";
import { DOCS_PATH } from "../src/routes/docs";

let api: TestApi;
let doc: OpenApiDocument;
beforeAll(async () => {
  // Admin credentials and a metrics token, so every optional route is mounted too.
  api = await createTestApi({
    ADMIN_USERNAME: "admin",
    ADMIN_PASSWORD: "a-long-admin-password",
    METRICS_TOKEN: "m".repeat(32),
  });
  const res = await request(api.app)
    .get("/openapi.json")
    .expect(200)
    .expect("content-type", /application\/json/);
  doc = res.body as OpenApiDocument;
});
afterAll(() => api.close());

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
type Method = (typeof METHODS)[number];

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, Media> }>;
}
interface Media {
  schema?: { $ref?: string; properties?: Record<string, { format?: string }> };
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}

function operations(): [string, Operation][] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = (item as Partial<Record<Method, Operation>>)[method];
      return op ? [[`${method.toUpperCase()} ${path}`, op] as [string, Operation]] : [];
    }),
  );
}

const operation = (key: string): Operation => {
  const found = operations().find(([k]) => k === key)?.[1];
  if (!found) throw new Error(`${key} is not documented`);
  return found;
};

/** Express 5's router layers, as far as this walk needs them. */
interface Layer {
  rawPath?: string | string[] | RegExp;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** "METHOD /path" of every route, and "USE /path" of every handler mounted at a path (static files, sub-apps). */
function mounted(stack: Layer[], prefix = ""): string[] {
  const asList = (p: string | string[]) => (Array.isArray(p) ? p : [p]);
  return stack.flatMap((layer) => {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => m !== "_all");
      return asList(layer.route.path).flatMap((path) =>
        methods.map((m) => `${m.toUpperCase()} ${prefix}${path}`),
      );
    }
    const raw = layer.rawPath;
    if (raw instanceof RegExp) return [`USE ${prefix}${raw.source}`];
    const at = asList(raw ?? "/").map((p) => (p === "/" ? "" : p));
    if (layer.handle.stack) return at.flatMap((p) => mounted(layer.handle.stack ?? [], `${prefix}${p}`));
    return at.filter(Boolean).map((p) => `USE ${prefix}${p}`);
  });
}

const toOpenApiPath = (route: string) => route.replace(/:(\w+)/g, "{$1}");

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("is open (no secret key) and the same bytes every time", async () => {
    const first = await request(api.app).get("/openapi.json").expect(200);
    const second = await request(api.app).get("/openapi.json").expect(200);
    expect(second.text).toBe(first.text);
  });

  it("documents every route the app mounts, and nothing it does not", () => {
    const stack = (api.app as unknown as { router: { stack: Layer[] } }).router.stack;
    const all = mounted(stack).map(toOpenApiPath);
    // Excluded on purpose, and each exclusion must still match something (else it is stale).
    const isDashboard = (r: string) => UNDOCUMENTED_PATHS.some((p) => r.split(" ")[1]?.startsWith(p));
    const isDocsAsset = (r: string) => r === `USE ${DOCS_PATH}` || r.startsWith(`GET ${DOCS_PATH}/`);
    expect(all.filter(isDashboard)).not.toEqual([]);
    expect(all.filter(isDocsAsset)).not.toEqual([]);

    const routes = [...new Set(all.filter((r) => !isDashboard(r) && !isDocsAsset(r)))].sort();
    const documented = operations()
      .map(([key]) => key)
      .sort();
    expect(routes.filter((r) => r.startsWith("USE "))).toEqual([]);
    expect(routes).toEqual(documented);
    expect(routes).toEqual(
      expect.arrayContaining([
        "POST /users",
        "GET /users",
        "GET /users/{id}",
        "GET /users/{id}/details",
        "POST /users/{id}/profile_image",
        "DELETE /users/{id}/profile_image",
        "GET /settings/auth",
        "PATCH /settings/auth",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /openapi.json",
        "GET /docs",
      ]),
    );
  });

  it("needs the bearer secret key everywhere except health, metrics and documentation", () => {
    expect(doc.components?.securitySchemes?.secretKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ secretKey: [] }]);
    for (const [key, op] of operations()) {
      const open = /^GET \/(healthz|readyz|metrics|openapi\.json|docs)$/.test(key);
      if (open) expect(op.security, key).toBeDefined();
      else expect(op.security, key).toBeUndefined();
      if (!open)
        expect(Object.keys(op.responses), key).toEqual(expect.arrayContaining(["401", "429", "503"]));
    }
  });

  it("describes POST /users: multipart and JSON bodies, Prefer and Idempotency-Key, replay header, SPEC 7 errors", () => {
    const op = operation("POST /users");
    expect(op.requestBody?.content["multipart/form-data"]?.schema?.$ref).toBe(
      "#/components/schemas/CreateUserMultipart",
    );
    expect(op.requestBody?.content["application/json"]?.schema?.$ref).toBe(
      "#/components/schemas/CreateUserJson",
    );
    expect(op.parameters?.filter((p) => p.in === "header").map((p) => p.name)).toEqual([
      "Idempotency-Key",
      "Prefer",
    ]);
    expect(Object.keys(op.responses["201"]?.headers ?? {})).toEqual(
      expect.arrayContaining(["Location", "Idempotent-Replayed", "X-Request-Id"]),
    );
    expect(Object.keys(op.responses).sort()).toEqual([
      "201",
      "400",
      "401",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
      "503",
    ]);
    expect(Object.keys(op.responses["429"]?.headers ?? {})).toContain("Retry-After");

    const multipart = doc.components?.schemas?.CreateUserMultipart as {
      properties: Record<string, { format?: string }>;
    };
    expect(multipart.properties.profile_image?.format).toBe("binary");
    const upload = operation("POST /users/{id}/profile_image").requestBody?.content["multipart/form-data"];
    expect(upload?.schema?.$ref).toBe("#/components/schemas/ProfileImageUpload");
  });

  it("gives every error an example whose message repeats its first error's (SPEC 7)", () => {
    let count = 0;
    for (const [key, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content?.["application/json"];
        const examples = [media?.example, ...Object.values(media?.examples ?? {}).map((e) => e.value)].filter(
          Boolean,
        );
        expect(examples.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const example of examples) {
          const body = errorBodySchema.parse(example);
          expect(body.message, `${key} ${status}`).toBe(body.errors[0]?.message);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(40);
  });

  it("has examples that fit the schemas they illustrate", () => {
    const SCHEMAS: Record<string, z.ZodType> = {
      User: userResourceSchema.strict(),
      UserDetails: userDetailsResourceSchema.strict(),
      UserList: userListSchema.strict(),
      Error: errorBodySchema.strict(),
      AuthSettings: authSettingsSchema,
      AuthSettingsPatch: authSettingsPatchSchema,
      CreateUserJson: createUserJsonSchema,
      CreateUserMultipart: createUserMultipartSchema,
    };
    const media = operations().flatMap(([key, op]) =>
      [
        ...Object.values(op.requestBody?.content ?? {}),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
      ].map((m) => [key, m] as const),
    );
    let checked = 0;
    for (const [key, m] of media) {
      const name = m.schema?.$ref?.replace("#/components/schemas/", "");
      const schema = name ? SCHEMAS[name] : undefined;
      if (!schema) continue;
      for (const example of [m.example, ...Object.values(m.examples ?? {}).map((e) => e.value)]) {
        if (example === undefined) continue;
        expect(schema.safeParse(example).error, `${key} ${name}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("shows the error bodies the server really sends", async () => {
    const example = (key: string, status: number, name: string) => {
      const media = operation(key).responses[String(status)]?.content?.["application/json"];
      const value = media?.examples?.[name]?.value as Record<string, unknown> | undefined;
      if (!value) throw new Error(`no example ${name} for ${key} ${status}`);
      return { ...value, request_id: expect.any(String) };
    };
    const post = () => request(api.app).post("/users").set("Authorization", api.auth);

    const badKey = await request(api.app)
      .get("/users")
      .set("Authorization", `Bearer sk_test_${"x".repeat(32)}`);
    expect(badKey.body).toEqual(example("GET /users", 401, "invalid_key"));
    const missing = await request(api.app).get("/users/user_missing").set("Authorization", api.auth);
    expect(missing.body).toEqual(example("GET /users/{id}", 404, "not_found"));
    const malformed = await post().set("Content-Type", "application/json").send("{");
    expect(malformed.body).toEqual(example("POST /users", 400, "malformed"));
    const textPlain = await post().set("Content-Type", "text/plain").send("hello");
    expect(textPlain.body).toEqual(example("POST /users", 415, "unsupported"));
    const unknown = await post().send({
      email_address: `x.${uniqueSuffix()}@example.com`,
      password: "Correct-Horse-9",
      nickname: "x",
    });
    expect(unknown.body).toEqual(example("POST /users", 422, "unknown_field"));

    const address = `o.${uniqueSuffix()}@example.com`;
    await post().send({ email_address: address, password: "Correct-Horse-9" }).expect(201);
    const taken = await post().send({ email_address: address, password: "Correct-Horse-9" });
    expect(taken.body).toEqual(example("POST /users", 409, "email_taken"));
  });
});
