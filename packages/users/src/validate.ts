// The field rules of SPEC 4, as one pure function: raw request fields and the
// deployment's settings in, clean values or every problem at once out.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { BCRYPT_MAX_BYTES, defaultCountry, type AuthSettings } from "./settings";
import type { FieldIssue } from "./errors";

export const CREATE_USER_FIELDS = [
  "first_name",
  "last_name",
  "email_address",
  "phone_number",
  "username",
  "password",
  "skip_password_check",
  "profile_image",
] as const;
export type CreateUserField = (typeof CREATE_USER_FIELDS)[number];

export const NAME_MAX_LENGTH = 256;
export const EMAIL_MAX_LENGTH = 254;

export interface ValidUserFields {
  firstName: string;
  lastName: string;
  emailAddress: string | null;
  phoneNumber: string | null;
  username: string | null;
  /** NFKC-normalised, never trimmed; null when none was given. */
  password: string | null;
}

// ASCII only on purpose: a Unicode look-alike of a taken address or username
// would otherwise be a second, confusable identity. Internationalised domains
// are accepted in their punycode (xn--) form.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const USERNAME = /^[A-Za-z0-9_-]+$/;
// C0/C1 controls (NUL included) and lone surrogates have no place in a name and
// some (NUL) cannot even be stored in PostgreSQL text. Bidi overrides and
// isolates let a name display as something else (reversed text in a UI).
const CONTROL = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;
// U+FFFD is what the body parsers put where the bytes were not UTF-8: the text
// that arrived is not the text that was sent, so it is refused, not stored.
const NOT_UTF8 = /[\ufffd\p{Cs}]/u;
// What people write around the digits of a phone number. Letters are refused:
// libphonenumber would otherwise pick a number out of any text ("call me at …",
// a trailing SQL string) and drop an extension that E.164 cannot keep.
const PHONE_TEXT = /^\+?[0-9 \u00a0().\-\u2010-\u2015/]+$/;
const SKIP_TRUE = new Set(["true", "1"]);
const SKIP_FALSE = new Set(["false", "0"]);

const LABELS: Record<CreateUserField, string> = {
  first_name: "First name",
  last_name: "Last name",
  email_address: "Email address",
  phone_number: "Phone number",
  username: "Username",
  password: "Password",
  skip_password_check: "skip_password_check",
  profile_image: "Profile image",
};

const issue = (param: string, code: string, message: string): FieldIssue => ({ code, message, param });

export function unknownFieldIssue(param: string): FieldIssue {
  return issue(param, "form_param_unknown", `${param} is not a valid parameter.`);
}

export function repeatedFieldIssue(param: string): FieldIssue {
  return issue(param, "form_param_duplicate", `${param} was given more than once; send each field once.`);
}

/**
 * Parses `skip_password_check`: true/false/1/0 in any case, or a JSON boolean;
 * absent is false. Undefined when unreadable (reported; the password is then not
 * also reported missing, since the caller may have meant to skip it).
 */
function parseSkipPasswordCheck(value: unknown, issues: FieldIssue[]): boolean | undefined {
  if (value === undefined || value === null || value === "") return false;
  if (typeof value === "boolean") return value;
  const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  if (text !== undefined && SKIP_TRUE.has(text)) return true;
  if (text !== undefined && SKIP_FALSE.has(text)) return false;
  issues.push(
    issue("skip_password_check", "form_param_format_invalid", "skip_password_check must be true or false."),
  );
  return undefined;
}

function checkPassword(password: string, settings: AuthSettings, skipRules: boolean, issues: FieldIssue[]): void {
  const rules = settings.password;
  const add = (code: string, message: string) => issues.push(issue("password", code, message));
  if (password.includes("\0")) add("form_param_format_invalid", "Password must not contain NUL characters.");
  // Two different byte strings would otherwise hash as one password.
  if (NOT_UTF8.test(password)) add("form_param_format_invalid", "Password must be valid UTF-8 text.");
  // bcrypt's limit holds even when the rules are skipped: never truncate silently.
  if (Buffer.byteLength(password, "utf8") > BCRYPT_MAX_BYTES) {
    add("form_password_length_too_long", `Password must be at most ${BCRYPT_MAX_BYTES} bytes in UTF-8.`);
  }
  if (skipRules) return;
  const length = [...password].length;
  if (length < rules.min_length) {
    add("form_password_length_too_short", `Password must be at least ${rules.min_length} characters.`);
  }
  if (length > rules.max_length) {
    add("form_password_length_too_long", `Password must be at most ${rules.max_length} characters.`);
  }
  if (rules.require_lowercase && !/\p{Ll}/u.test(password)) {
    add("form_password_no_lowercase", "Password must contain a lowercase letter.");
  }
  if (rules.require_uppercase && !/\p{Lu}/u.test(password)) {
    add("form_password_no_uppercase", "Password must contain an uppercase letter.");
  }
  if (rules.require_number && !/\p{Nd}/u.test(password)) {
    add("form_password_no_number", "Password must contain a number.");
  }
  if (rules.require_special && !/[^\p{L}\p{Nd}]/u.test(password)) {
    add("form_password_no_special", "Password must contain a special character.");
  }
}

/**
 * Applies the settings and field rules to raw request fields. Returns the clean
 * values and the list of problems; the caller throws when the list is not empty.
 * `profile_image` is checked elsewhere (it needs the bytes).
 */
export function validateUserFields(
  raw: Readonly<Record<string, unknown>>,
  settings: AuthSettings,
): { fields: ValidUserFields; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const skipPasswordCheck = parseSkipPasswordCheck(raw.skip_password_check, issues);

  /** The field's text if it passes the enabled/required/type checks, else null. */
  const text = (field: Exclude<CreateUserField, "skip_password_check" | "profile_image">): string | null => {
    const value = raw[field];
    if (value !== undefined && value !== null && typeof value !== "string") {
      issues.push(issue(field, "form_param_format_invalid", `${LABELS[field]} must be a string.`));
      return null;
    }
    // Passwords are never trimmed; every other field is.
    const given = field === "password" ? value || null : value?.trim() || null;
    const rule = settings[field];
    if (given !== null && !rule.enabled) {
      issues.push(issue(field, "form_param_not_allowed", `${LABELS[field]} is not enabled for this deployment.`));
      return null;
    }
    const exempt = field === "password" && skipPasswordCheck !== false;
    if (given === null && rule.enabled && rule.required && !exempt) {
      issues.push(issue(field, "form_param_missing", `${LABELS[field]} is required.`));
    }
    if (given !== null && field !== "password" && NOT_UTF8.test(given)) {
      issues.push(issue(field, "form_param_format_invalid", `${LABELS[field]} must be valid UTF-8 text.`));
      return null;
    }
    if (given !== null && field !== "password" && CONTROL.test(given)) {
      issues.push(issue(field, "form_param_format_invalid", `${LABELS[field]} must not contain control characters.`));
      return null;
    }
    return given;
  };

  const name = (field: "first_name" | "last_name"): string => {
    const value = text(field)?.normalize("NFC") ?? "";
    if ([...value].length > NAME_MAX_LENGTH) {
      issues.push(
        issue(field, "form_param_length_too_long", `${LABELS[field]} must be at most ${NAME_MAX_LENGTH} characters.`),
      );
    }
    return value;
  };
  const firstName = name("first_name");
  const lastName = name("last_name");

  let emailAddress = text("email_address");
  if (emailAddress !== null && (emailAddress.length > EMAIL_MAX_LENGTH || !EMAIL.test(emailAddress))) {
    issues.push(issue("email_address", "form_param_format_invalid", "Email address must be a valid email address."));
    emailAddress = null;
  }

  let phoneNumber = text("phone_number");
  if (phoneNumber !== null) {
    const country = defaultCountry(settings);
    const parsed =
      phoneNumber.length <= 64 && PHONE_TEXT.test(phoneNumber)
        ? parsePhoneNumberFromString(phoneNumber, country)
        : undefined;
    if (parsed?.isValid()) {
      phoneNumber = parsed.number;
    } else {
      const hint =
        !phoneNumber.startsWith("+") && !country
          ? " Include the country code (+…): this deployment has no phone_number.default_country."
          : "";
      issues.push(issue("phone_number", "form_param_format_invalid", `Phone number must be a valid number.${hint}`));
      phoneNumber = null;
    }
  }

  let username = text("username");
  if (username !== null) {
    const { min_length, max_length } = settings.username;
    if (!USERNAME.test(username)) {
      issues.push(
        issue("username", "form_param_format_invalid", "Username may contain only letters, digits, _ and -."),
      );
      username = null;
    } else if (username.length < min_length || username.length > max_length) {
      const code = username.length < min_length ? "form_param_length_too_short" : "form_param_length_too_long";
      issues.push(issue("username", code, `Username must be between ${min_length} and ${max_length} characters.`));
      username = null;
    }
  }

  const rawPassword = text("password");
  const password = rawPassword?.normalize("NFKC") ?? null;
  if (password !== null) checkPassword(password, settings, skipPasswordCheck === true, issues);

  return { fields: { firstName, lastName, emailAddress, phoneNumber, username, password }, issues };
}
