// A deployment's auth settings (SPEC 3): the model, its defaults, deep-merge
// patches, and the checks that keep a patch from producing nonsense.
import { isSupportedCountry, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import type { Db } from "@svc/db";
import { ValidationError, type FieldIssue } from "./errors";

/** bcrypt reads at most 72 bytes; a longer password limit would be a silent truncation. */
export const BCRYPT_MAX_BYTES = 72;

const toggle = z.object({ enabled: z.boolean(), required: z.boolean() }).strict();
const length = { min_length: z.number().int().min(1), max_length: z.number().int().min(1) };

export const authSettingsSchema = z
  .object({
    first_name: toggle,
    last_name: toggle,
    email_address: toggle,
    phone_number: toggle
      .extend({ default_country: z.string().length(2).toUpperCase().nullable() })
      .strict(),
    username: toggle.extend({ ...length, max_length: length.max_length.max(64) }).strict(),
    password: toggle
      .extend({
        ...length,
        max_length: length.max_length.max(BCRYPT_MAX_BYTES),
        require_lowercase: z.boolean(),
        require_uppercase: z.boolean(),
        require_number: z.boolean(),
        require_special: z.boolean(),
      })
      .strict(),
  })
  .strict();

export type AuthSettings = z.infer<typeof authSettingsSchema>;
export type AuthSettingsField = keyof AuthSettings;

export const DEFAULT_AUTH_SETTINGS: AuthSettings = Object.freeze({
  first_name: { enabled: true, required: false },
  last_name: { enabled: true, required: false },
  email_address: { enabled: true, required: true },
  phone_number: { enabled: true, required: false, default_country: null },
  username: { enabled: true, required: false, min_length: 3, max_length: 30 },
  password: {
    enabled: true,
    required: true,
    min_length: 8,
    max_length: 72,
    require_lowercase: true,
    require_uppercase: true,
    require_number: true,
    require_special: true,
  },
});

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else (including null and arrays) replaces. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlain(base) || !isPlain(patch)) return patch;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Validates a whole settings document, reporting every problem with its dotted path. */
export function parseAuthSettings(candidate: unknown): AuthSettings {
  const parsed = authSettingsSchema.safeParse(candidate);
  const issues: FieldIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({
        code: i.code === "unrecognized_keys" ? "form_param_unknown" : "form_param_format_invalid",
        message: `${[...i.path].join(".") || "settings"}: ${i.message}`,
        param: [...i.path, ...(i.code === "unrecognized_keys" ? [i.keys[0]] : [])].join(".") || "settings",
      }));
  if (!parsed.success) throw new ValidationError(issues);
  const settings = parsed.data;
  for (const [field, rule] of Object.entries(settings) as [AuthSettingsField, AuthSettings[AuthSettingsField]][]) {
    if (rule.required && !rule.enabled) {
      issues.push({
        code: "form_param_value_invalid",
        message: `${field}: a field cannot be required while it is disabled.`,
        param: `${field}.required`,
      });
    }
    if ("min_length" in rule && rule.min_length > rule.max_length) {
      issues.push({
        code: "form_param_value_invalid",
        message: `${field}: min_length (${rule.min_length}) is greater than max_length (${rule.max_length}).`,
        param: `${field}.min_length`,
      });
    }
  }
  const country = settings.phone_number.default_country;
  if (country !== null && !isSupportedCountry(country)) {
    issues.push({
      code: "form_param_value_invalid",
      message: `phone_number.default_country: ${country} is not a supported ISO 3166-1 alpha-2 country code.`,
      param: "phone_number.default_country",
    });
  }
  if (issues.length) throw new ValidationError(issues);
  return settings;
}

export function defaultCountry(settings: AuthSettings): CountryCode | undefined {
  return (settings.phone_number.default_country ?? undefined) as CountryCode | undefined;
}

/** Settings as stored, over the defaults (so settings added later apply to old deployments). */
export function withDefaults(stored: unknown): AuthSettings {
  return deepMerge(DEFAULT_AUTH_SETTINGS, stored ?? {}) as AuthSettings;
}

export async function getAuthSettings(db: Db, deploymentId: string): Promise<AuthSettings> {
  const row = await db.deploymentAuthSettings.findUnique({
    where: { deploymentId },
    select: { settings: true },
  });
  return withDefaults(row?.settings);
}

/** Deep-merges a patch into the current settings and stores the validated result. */
export async function updateAuthSettings(db: Db, deploymentId: string, patch: unknown): Promise<AuthSettings> {
  if (!isPlain(patch)) {
    throw new ValidationError([
      { code: "form_param_format_invalid", message: "The body must be a JSON object.", param: "settings" },
    ]);
  }
  return db.$transaction(async (tx) => {
    // Lock the row so two concurrent patches merge rather than overwrite each other.
    await tx.$executeRaw`SELECT 1 FROM deployment_auth_settings WHERE deployment_id = ${deploymentId} FOR UPDATE`;
    const row = await tx.deploymentAuthSettings.findUnique({ where: { deploymentId } });
    const next = parseAuthSettings(deepMerge(deepMerge(DEFAULT_AUTH_SETTINGS, row?.settings ?? {}), patch));
    await tx.deploymentAuthSettings.upsert({
      where: { deploymentId },
      create: { deploymentId, settings: next },
      update: { settings: next },
    });
    return next;
  });
}
