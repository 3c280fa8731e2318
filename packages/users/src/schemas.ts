// The API's wire shapes as zod schemas: what a client sends and gets back.
// The OpenAPI document is generated from them and the SDK's types are checked against them.
import { z } from "zod";
import { ProfileImageStatus } from "@svc/db";
import { authSettingsSchema, BCRYPT_MAX_BYTES } from "./settings";
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, LIST_MAX_OFFSET } from "./users";
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, type CreateUserField } from "./validate";

// Settings-dependent rules (required, enabled, username length, password rules)
// cannot live in a static schema; validateUserFields applies them per request and
// the descriptions say so.
const createUserText = {
  first_name: z
    .string()
    .max(NAME_MAX_LENGTH)
    .optional()
    .meta({ description: `Trimmed; at most ${NAME_MAX_LENGTH} characters.`, example: "Ada" }),
  last_name: z
    .string()
    .max(NAME_MAX_LENGTH)
    .optional()
    .meta({ description: `Trimmed; at most ${NAME_MAX_LENGTH} characters.`, example: "Lovelace" }),
  email_address: z.string().max(EMAIL_MAX_LENGTH).optional().meta({
    description:
      "Trimmed; unique in the deployment ignoring case; returned as given. Required by default (settings.email_address).",
    example: "ada@example.com",
  }),
  phone_number: z.string().optional().meta({
    description:
      "Any form libphonenumber reads; a national number needs settings.phone_number.default_country. Stored and returned in E.164.",
    example: "+14155552671",
  }),
  username: z.string().optional().meta({
    description:
      "Letters, digits, _ and -; length within settings.username; unique in the deployment ignoring case.",
    example: "ada",
  }),
  password: z
    .string()
    .optional()
    .meta({
      description: `Never trimmed; NFKC-normalised; at most ${BCRYPT_MAX_BYTES} bytes in UTF-8; rules from settings.password. Required by default unless skip_password_check is true.`,
      example: "Correct-Horse-9",
    }),
};

/** The fields of `POST /users` with their typed values: what an SDK caller passes (the image aside). */
export const createUserRequestSchema = z.object({
  ...createUserText,
  skip_password_check: z
    .boolean()
    .optional()
    .meta({ description: "Bypasses the password requirement and every password rule. Default false." }),
});

const skipPasswordCheckText = z
  .string()
  // Spelled out: JSON Schema patterns have no flags, and zod would emit /i into the document.
  .regex(/^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[01])$/)
  .meta({ description: "true/false (also 1/0), case-insensitive. Default false.", example: "false" });

/** `POST /users` as `application/json`: the same fields, no image. */
export const createUserJsonSchema = z
  .object({
    ...createUserText,
    skip_password_check: z.union([z.boolean(), skipPasswordCheckText]).optional(),
  })
  .strict()
  .meta({ id: "CreateUserJson", description: "Unknown fields are a 422 (form_param_unknown)." });

const multipartShape = {
  ...createUserText,
  skip_password_check: skipPasswordCheckText.optional(),
  profile_image: z.string().optional().meta({
    format: "binary",
    contentMediaType: "application/octet-stream",
    description:
      "One file part. JPEG, PNG, WebP, GIF, AVIF or TIFF, judged from the bytes; at most IMAGE_MAX_BYTES (10 MiB by default) and IMAGE_MAX_PIXELS (40 MP). An empty part counts as no image.",
  }),
} satisfies Record<CreateUserField, z.ZodType>; // exactly the fields the API accepts: tsc fails on drift

/** `POST /users` as `multipart/form-data` (what the Wacht SDK sends): text parts, one file part. */
export const createUserMultipartSchema = z.object(multipartShape).strict().meta({
  id: "CreateUserMultipart",
  description: "Each field at most once; unknown fields are a 422 (form_param_unknown).",
});

/** `POST /users/{id}/profile_image` as `multipart/form-data`. */
export const profileImageUploadSchema = z
  .object({
    file: z.string().meta({
      format: "binary",
      contentMediaType: "application/octet-stream",
      description: "The new image; same rules as profile_image of POST /users.",
    }),
  })
  .strict()
  .meta({ id: "ProfileImageUpload" });

const timestamp = z.iso.datetime().meta({ example: "2026-12-04T12:00:00.000Z" });

/** SPEC 4's response body: the user as every user route returns it. */
export const userResourceSchema = z
  .object({
    id: z.string().meta({
      description: "Opaque; sorts by creation time.",
      example: "user_01kbmz3q8xw5d2b6f9h0jr4nte",
    }),
    created_at: timestamp,
    updated_at: timestamp,
    first_name: z.string().meta({ example: "Ada" }),
    last_name: z.string().meta({ example: "Lovelace" }),
    username: z.string().nullable().meta({ example: "ada" }),
    profile_picture_url: z.string().meta({
      description: 'The processed avatar\'s public URL; "" until an image is ready.',
      example: "",
    }),
    profile_image_status: z.enum(ProfileImageStatus).meta({
      description:
        "none: no image; pending: being processed; ready: profile_picture_url is set; failed: not decodable.",
      example: "pending",
    }),
    primary_email_address: z.string().nullable().meta({ example: "ada@example.com" }),
    primary_phone_number: z.string().nullable().meta({ description: "E.164.", example: "+14155552671" }),
  })
  .meta({ id: "User" });

const verified = { is_primary: z.boolean(), verified: z.boolean(), verified_at: z.iso.datetime().nullable() };

/** `GET /users/{id}/details`: the user with its identifiers. */
export const userDetailsResourceSchema = userResourceSchema
  .extend({
    has_password: z.boolean(),
    email_addresses: z.array(z.object({ id: z.string(), email_address: z.string(), ...verified })),
    phone_numbers: z.array(z.object({ id: z.string(), phone_number: z.string(), ...verified })),
  })
  .meta({ id: "UserDetails" });

/** `GET /users`: a page of users, newest first. */
export const userListSchema = z
  .object({
    data: z.array(userResourceSchema),
    total: z.number().int().min(0),
    limit: z.number().int().min(1).max(LIST_MAX_LIMIT),
    offset: z.number().int().min(0),
    has_more: z.boolean(),
  })
  .meta({ id: "UserList" });

export const userListQuerySchema = z.object({
  limit: z
    .number()
    .int()
    .min(1)
    .max(LIST_MAX_LIMIT)
    .optional()
    .meta({ description: `Default ${LIST_DEFAULT_LIMIT}.`, example: LIST_DEFAULT_LIMIT }),
  offset: z.number().int().min(0).max(LIST_MAX_OFFSET).optional().meta({ description: "Default 0.", example: 0 }),
});

/** One problem, as in SPEC 7; `param` names the field at fault when there is one. */
export const fieldIssueSchema = z
  .object({
    code: z.string().meta({ example: "form_identifier_exists" }),
    message: z.string().meta({ example: "That email address is taken." }),
    param: z.string().optional().meta({ example: "email_address" }),
  })
  .meta({ id: "FieldError" });

/** SPEC 7: every error; `message` repeats the first error's (the Wacht SDK reads it). */
export const errorBodySchema = z
  .object({
    message: z.string(),
    errors: z.array(fieldIssueSchema).min(1),
    request_id: z.string().meta({ description: "Also sent as the X-Request-Id header." }),
  })
  .meta({ id: "Error" });

/** `PATCH /settings/auth`: any part of the settings, merged key by key into the current ones. */
export const authSettingsPatchSchema = z
  .object({
    first_name: authSettingsSchema.shape.first_name.partial(),
    last_name: authSettingsSchema.shape.last_name.partial(),
    email_address: authSettingsSchema.shape.email_address.partial(),
    phone_number: authSettingsSchema.shape.phone_number.partial(),
    username: authSettingsSchema.shape.username.partial(),
    password: authSettingsSchema.shape.password.partial(),
  })
  .partial()
  .strict()
  .meta({ id: "AuthSettingsPatch" });

export type CreateUserRequestFields = z.infer<typeof createUserRequestSchema>;
export type UserList = z.infer<typeof userListSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
export type AuthSettingsPatch = z.infer<typeof authSettingsPatchSchema>;
