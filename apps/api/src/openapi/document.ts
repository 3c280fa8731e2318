// The OpenAPI 3.1 document of every route the API mounts, generated from the
// zod schemas in @svc/users (the ones the responses are typed with), not hand-written.
import {
  extendZodWithOpenApi,
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  authSettingsPatchSchema,
  authSettingsSchema,
  createUserJsonSchema,
  createUserMultipartSchema,
  DEFAULT_AUTH_SETTINGS,
  errorBodySchema,
  profileImageUploadSchema,
  userDetailsResourceSchema,
  userListQuerySchema,
  userListSchema,
  userResourceSchema,
  type ErrorBody,
  type UserDetailsResource,
  type UserResource,
} from "@svc/users";
import { MAX_WAIT_SECONDS } from "../routes/users";

// Parameter-level metadata (`param`) and registry.register need zod's prototype
// extended; doing it here keeps the domain packages free of OpenAPI concerns.
extendZodWithOpenApi(z);

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;
type HeadersObject = Exclude<NonNullable<ResponseConfig["headers"]>, z.ZodObject>;

/** Mounted by the app but not part of the document: a UI behind its own basic auth. */
export const UNDOCUMENTED_PATHS = ["/admin/queues"] as const;

const REQUEST_ID = "5f0c1b8e-7d3a-4d8e-9a51-0c2f6b1e9a47";

const requestIdHeader: HeadersObject = {
  "X-Request-Id": {
    description: "The request's id (the caller's X-Request-Id when it looks sane); also in error bodies.",
    schema: { type: "string" },
  },
};

type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

const issue = (code: string, message: string, param?: string) => ({
  code,
  message,
  ...(param ? { param } : {}),
});

function errorExample(...issues: ReturnType<typeof issue>[]): ErrorBody {
  return { message: issues[0]?.message ?? "", errors: issues, request_id: REQUEST_ID };
}

/** SPEC 7's statuses, each with what a caller sees; routes pick the ones they can answer. */
const ERRORS: Record<
  ErrorStatus,
  { description: string; examples: Record<string, ErrorBody>; headers?: HeadersObject }
> = {
  400: {
    description:
      "Malformed body: invalid JSON, a broken multipart body, or a JSON body that is not an object.",
    examples: { malformed: errorExample(issue("malformed_request", "The body is not valid JSON.")) },
  },
  401: {
    description: "Missing or malformed Authorization header, or an unknown or revoked secret key.",
    examples: {
      invalid_key: errorExample(
        issue("authentication_invalid", "The secret key is not valid or has been revoked."),
      ),
    },
  },
  404: {
    description: "No such user in the caller's deployment (another deployment's user reads as absent).",
    examples: { not_found: errorExample(issue("resource_not_found", "User not found.")) },
  },
  409: {
    description: "An identifier is taken in this deployment; one entry per clashing field.",
    examples: {
      email_taken: errorExample(
        issue("form_identifier_exists", "That email address is taken.", "email_address"),
      ),
    },
  },
  413: {
    description:
      "The image is over IMAGE_MAX_BYTES (10 MiB by default) or the request is too large; nothing is created.",
    examples: {
      image_too_large: errorExample(
        issue("image_too_large_bytes", "The file is larger than the size limit.", "profile_image"),
      ),
    },
  },
  415: {
    description: "A content type the route does not read.",
    examples: {
      unsupported: errorExample(
        issue("unsupported_media_type", "Send multipart/form-data or application/json."),
      ),
    },
  },
  422: {
    description:
      "The request breaks one or more rules; every problem is listed, each naming its field in `param`.",
    examples: {
      fields: errorExample(
        issue("form_param_format_invalid", "Email address must be a valid email address.", "email_address"),
        issue("form_password_length_too_short", "Password must be at least 8 characters.", "password"),
      ),
      unknown_field: errorExample(
        issue("form_param_unknown", "nickname is not a valid parameter.", "nickname"),
      ),
      image_unsupported: errorExample(
        issue(
          "image_unsupported",
          "The profile image must be a JPEG, PNG, WebP, GIF, AVIF or TIFF file.",
          "profile_image",
        ),
      ),
    },
  },
  429: {
    description: "Over the per-key rate limit; retry after the number of seconds in Retry-After.",
    examples: {
      limited: errorExample(issue("rate_limit_exceeded", "Too many requests for this key; slow down.")),
    },
    headers: {
      "Retry-After": {
        description: "Seconds to wait before the next request.",
        schema: { type: "integer", minimum: 1 },
      },
    },
  },
  500: {
    description:
      "A bug on our side; the body never carries details, the request id identifies it in the logs.",
    examples: {
      internal: errorExample(
        issue("internal_error", "Something went wrong on our side. The request id identifies it."),
      ),
    },
  },
  503: {
    description: "A dependency the request needs (database, object storage) is down; nothing was changed.",
    examples: {
      unavailable: errorExample(
        issue("service_unavailable", "The storage is unavailable; nothing was changed. Try again shortly."),
      ),
    },
  },
};

function errorResponses(...statuses: ErrorStatus[]): Record<string, ResponseConfig> {
  return Object.fromEntries(
    statuses.map((status) => {
      const { description, examples, headers } = ERRORS[status];
      const content = {
        "application/json": {
          schema: errorBodySchema,
          examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
        },
      };
      return [String(status), { description, headers: { ...requestIdHeader, ...headers }, content }];
    }),
  );
}

/** What every authenticated route can answer besides its own errors. */
const AUTHENTICATED_ERRORS: ErrorStatus[] = [401, 429, 500, 503];

const json = (schema: z.ZodType, example?: unknown) => ({
  "application/json": { schema, ...(example === undefined ? {} : { example }) },
});

const userExample: UserResource = {
  id: "user_01kbmz3q8xw5d2b6f9h0jr4nte",
  created_at: "2026-12-04T12:00:00.000Z",
  updated_at: "2026-12-04T12:00:00.000Z",
  first_name: "Ada",
  last_name: "Lovelace",
  username: "ada",
  profile_picture_url: "",
  profile_image_status: "pending",
  primary_email_address: "ada@example.com",
  primary_phone_number: "+14155552671",
};
const readyUserExample: UserResource = {
  ...userExample,
  profile_image_status: "ready",
  profile_picture_url: "https://cdn.example.com/profile-images/dep_01kbmz/9f86d081884c7d65.webp",
};

const userId = z.object({
  id: z.string().openapi({ param: { description: "The user's id." }, example: userExample.id }),
});

const preferHeader = z
  .string()
  .regex(/^wait=\d+$/)
  .optional()
  .openapi({
    example: "wait=10",
    param: {
      description: `RFC 7240. \`wait=N\` (N ≤ ${MAX_WAIT_SECONDS}) waits up to N seconds for the image and answers with its resolved status and URL (or the status it has when time runs out).`,
    },
  });

const userResponseHeaders: HeadersObject = {
  ...requestIdHeader,
  "Preference-Applied": {
    description: "Sent as `wait=N` when a Prefer: wait was applied.",
    schema: { type: "string" },
  },
};

function userRoutes(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "post",
    path: "/users",
    operationId: "createUser",
    tags: ["Users"],
    summary: "Create a user",
    description:
      "Creates the user with a verified primary email address and phone number in one transaction, validated against the deployment's auth settings (GET /settings/auth). A profile image is checked, staged and processed in the background; the answer does not wait for it unless `Prefer: wait=N` asks. Compatible with `@wacht/backend`'s `users.createUser`.",
    request: {
      headers: z.object({
        "Idempotency-Key": z
          .string()
          .min(1)
          .max(255)
          .regex(/^[\x21-\x7e]+$/)
          .optional()
          .openapi({
            example: "create-ada-2026-12-04",
            param: {
              description:
                "A retry with the same key and the same body replays the first response (with Idempotent-Replayed: true) and creates nothing; the same key with another body is a 422. Keys live at least 24 hours.",
            },
          }),
        Prefer: preferHeader,
      }),
      body: {
        required: true,
        description:
          "multipart/form-data (what the Wacht SDK sends) or application/json (same fields, no image).",
        content: {
          "multipart/form-data": {
            schema: createUserMultipartSchema,
            encoding: { profile_image: { contentType: "image/*, application/octet-stream" } },
            example: {
              first_name: "Ada",
              last_name: "Lovelace",
              email_address: "ada@example.com",
              password: "Correct-Horse-9",
              skip_password_check: "false",
            },
          },
          "application/json": {
            schema: createUserJsonSchema,
            example: {
              first_name: "Ada",
              last_name: "Lovelace",
              email_address: "ada@example.com",
              phone_number: "+1 415 555 2671",
              username: "ada",
              password: "Correct-Horse-9",
            },
          },
        },
      },
    },
    responses: {
      201: {
        description: "Created (or replayed for a reused Idempotency-Key).",
        headers: {
          ...userResponseHeaders,
          Location: { description: "/users/{id} of the new user.", schema: { type: "string" } },
          "Idempotent-Replayed": {
            description:
              "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
            schema: { type: "string", enum: ["true"] },
          },
        },
        content: {
          "application/json": {
            schema: userResourceSchema,
            examples: {
              image_pending: { summary: "Answered without waiting", value: userExample },
              image_ready: { summary: "With Prefer: wait=10", value: readyUserExample },
            },
          },
        },
      },
      ...errorResponses(400, 409, 413, 415, 422, ...AUTHENTICATED_ERRORS),
    },
  });

  registry.registerPath({
    method: "get",
    path: "/users",
    operationId: "listUsers",
    tags: ["Users"],
    summary: "List users, newest first",
    request: { query: userListQuerySchema },
    responses: {
      200: {
        description: "A page of users.",
        headers: requestIdHeader,
        content: json(userListSchema, {
          data: [userExample],
          total: 1,
          limit: 10,
          offset: 0,
          has_more: false,
        }),
      },
      ...errorResponses(422, ...AUTHENTICATED_ERRORS),
    },
  });

  registry.registerPath({
    method: "get",
    path: "/users/{id}",
    operationId: "getUser",
    tags: ["Users"],
    summary: "Get a user",
    request: { params: userId },
    responses: {
      200: {
        description: "The user.",
        headers: requestIdHeader,
        content: json(userResourceSchema, userExample),
      },
      ...errorResponses(404, ...AUTHENTICATED_ERRORS),
    },
  });

  registry.registerPath({
    method: "get",
    path: "/users/{id}/details",
    operationId: "getUserDetails",
    tags: ["Users"],
    summary: "Get a user with its email addresses and phone numbers",
    request: { params: userId },
    responses: {
      200: {
        description: "The user and its identifiers.",
        headers: requestIdHeader,
        content: json(userDetailsResourceSchema, {
          ...userExample,
          has_password: true,
          email_addresses: [
            {
              id: "email_01kbmz3q8y2m4v7c1n5p0s9wqa",
              email_address: "ada@example.com",
              is_primary: true,
              verified: true,
              verified_at: "2026-12-04T12:00:00.000Z",
            },
          ],
          phone_numbers: [
            {
              id: "phone_01kbmz3q8y6h3t8d2k4r7x1zfb",
              phone_number: "+14155552671",
              is_primary: true,
              verified: true,
              verified_at: "2026-12-04T12:00:00.000Z",
            },
          ],
        } satisfies UserDetailsResource),
      },
      ...errorResponses(404, ...AUTHENTICATED_ERRORS),
    },
  });

  registry.registerPath({
    method: "post",
    path: "/users/{id}/profile_image",
    operationId: "setProfileImage",
    tags: ["Users"],
    summary: "Replace the user's profile image",
    description:
      "The new image becomes the user's latest (status pending) and is processed in the background; a job still running for an older image no longer applies.",
    request: {
      params: userId,
      headers: z.object({ Prefer: preferHeader }),
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: profileImageUploadSchema,
            encoding: { file: { contentType: "image/*, application/octet-stream" } },
          },
        },
      },
    },
    responses: {
      200: {
        description: "The user with the new image pending (or resolved, with Prefer: wait=N).",
        headers: userResponseHeaders,
        content: json(userResourceSchema, userExample),
      },
      ...errorResponses(400, 404, 413, 415, 422, ...AUTHENTICATED_ERRORS),
    },
  });

  registry.registerPath({
    method: "delete",
    path: "/users/{id}/profile_image",
    operationId: "deleteProfileImage",
    tags: ["Users"],
    summary: "Remove the user's profile image",
    request: { params: userId },
    responses: {
      200: {
        description: "The user without an image (status none, empty URL).",
        headers: requestIdHeader,
        content: json(userResourceSchema, { ...userExample, profile_image_status: "none" }),
      },
      ...errorResponses(404, ...AUTHENTICATED_ERRORS),
    },
  });
}

function settingsRoutes(registry: OpenAPIRegistry): void {
  // .meta, not registry.register: schemas made before extendZodWithOpenApi ran have no .openapi.
  const settings = authSettingsSchema.meta({ id: "AuthSettings" });
  registry.registerPath({
    method: "get",
    path: "/settings/auth",
    operationId: "getAuthSettings",
    tags: ["Settings"],
    summary: "Get the deployment's auth settings",
    description: "Read for every request: a change applies to the very next POST /users.",
    responses: {
      200: {
        description: "The settings.",
        headers: requestIdHeader,
        content: json(settings, DEFAULT_AUTH_SETTINGS),
      },
      ...errorResponses(...AUTHENTICATED_ERRORS),
    },
  });
  registry.registerPath({
    method: "patch",
    path: "/settings/auth",
    operationId: "updateAuthSettings",
    tags: ["Settings"],
    summary: "Change the deployment's auth settings",
    description:
      "Deep-merges the patch into the current settings and stores the result if it is valid as a whole: a required field must be enabled, min_length ≤ max_length, password.max_length ≤ 72, default_country an ISO 3166-1 alpha-2 code.",
    request: {
      body: {
        required: true,
        content: json(authSettingsPatchSchema, {
          password: { min_length: 12 },
          username: { required: true },
        }),
      },
    },
    responses: {
      200: {
        description: "The settings after the change.",
        headers: requestIdHeader,
        content: json(settings),
      },
      ...errorResponses(400, 415, 422, ...AUTHENTICATED_ERRORS),
    },
  });
}

function operationsRoutes(registry: OpenAPIRegistry): void {
  const open = { security: [] };
  registry.registerPath({
    method: "get",
    path: "/healthz",
    operationId: "healthz",
    tags: ["Operations"],
    summary: "Liveness: the process answers",
    ...open,
    responses: {
      200: { description: "Alive.", content: json(z.object({ status: z.literal("ok") }), { status: "ok" }) },
    },
  });

  const dependencies = z.record(z.enum(["database", "redis", "storage"]), z.enum(["up", "down"]));
  registry.registerPath({
    method: "get",
    path: "/readyz",
    operationId: "readyz",
    tags: ["Operations"],
    summary: "Readiness: the database, Redis and object storage answer",
    ...open,
    responses: {
      200: {
        description: "Ready.",
        content: json(z.object({ status: z.literal("ready"), dependencies }), {
          status: "ready",
          dependencies: { database: "up", redis: "up", storage: "up" },
        }),
      },
      503: {
        description: "Not ready; the errors name each dependency that does not answer.",
        content: json(errorBodySchema.extend({ dependencies }), {
          message: "redis is unreachable.",
          errors: [issue("dependency_unavailable", "redis is unreachable.", "redis")],
          dependencies: { database: "up", redis: "down", storage: "up" },
          request_id: REQUEST_ID,
        }),
      },
    },
  });

  registry.registerPath({
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    tags: ["Operations"],
    summary: "Prometheus metrics",
    description:
      "HTTP latency histograms, queue depth by state, job durations and outcomes, in the Prometheus text format. Open unless METRICS_TOKEN is set, then it needs `Authorization: Bearer <METRICS_TOKEN>`.",
    security: [{}, { metricsToken: [] }],
    responses: {
      200: {
        description: "The metrics.",
        content: {
          "text/plain": {
            schema: z.string(),
            example:
              'http_request_duration_seconds_bucket{le="0.1",route="/users",method="POST",status="201"} 42\n',
          },
        },
      },
      ...errorResponses(401),
    },
  });

  registry.registerPath({
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    tags: ["Documentation"],
    summary: "This document",
    ...open,
    responses: {
      200: {
        description: "The OpenAPI 3.1 document.",
        content: { "application/json": { schema: z.looseObject({ openapi: z.string() }) } },
      },
    },
  });

  registry.registerPath({
    method: "get",
    path: "/docs",
    operationId: "docs",
    tags: ["Documentation"],
    summary: "The human-readable docs page (Swagger UI, served by the API itself, no CDN)",
    ...open,
    responses: { 200: { description: "An HTML page.", content: { "text/html": { schema: z.string() } } } },
  });
}

export function buildOpenApiDocument(): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "secretKey", {
    type: "http",
    scheme: "bearer",
    description:
      "The deployment's secret key (`sk_test_…` or `sk_live_…`), made by `npm run deployment:create`.",
  });
  registry.registerComponent("securitySchemes", "metricsToken", {
    type: "http",
    scheme: "bearer",
    description: "METRICS_TOKEN from the environment, when it is set.",
  });
  userRoutes(registry);
  settingsRoutes(registry);
  operationsRoutes(registry);

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Users service API",
      version: "1.0.0",
      description: [
        "Backend management API of an auth platform: create users (wire-compatible with `@wacht/backend`'s `users.createUser`), read them, manage their profile images and the deployment's auth settings.",
        "",
        "Every route except health, readiness, metrics and this documentation needs `Authorization: Bearer <secret key>`. Every error is JSON: `{ message, errors: [{ code, message, param? }], request_id }`, where `message` repeats the first error's.",
        "",
        `Not described here: ${UNDOCUMENTED_PATHS.join(", ")} (the queue dashboard, a UI behind the admin credentials from the environment).`,
      ].join("\n"),
    },
    security: [{ secretKey: [] }],
    tags: [
      { name: "Users", description: "Create and read users; their profile images." },
      { name: "Settings", description: "The deployment's auth settings, applied to every create." },
      { name: "Operations", description: "Probes and metrics; no secret key." },
      { name: "Documentation", description: "This document and its page; no secret key." },
    ],
  });
}
