// The wire shapes the SDK sends and receives, as plain types so the SDK carries no
// zod at run time; test/types.test-d.ts proves each equal to @svc/users' schemas.

export type ProfileImageStatus = "none" | "pending" | "ready" | "failed";

/** A user as every user route returns it (SPEC 4's body). */
export interface User {
  id: string;
  created_at: string;
  updated_at: string;
  first_name: string;
  last_name: string;
  username: string | null;
  /** "" until the image is ready. */
  profile_picture_url: string;
  profile_image_status: ProfileImageStatus;
  primary_email_address: string | null;
  /** E.164. */
  primary_phone_number: string | null;
}

export interface UserEmailAddress {
  id: string;
  email_address: string;
  is_primary: boolean;
  verified: boolean;
  verified_at: string | null;
}

export interface UserPhoneNumber {
  id: string;
  phone_number: string;
  is_primary: boolean;
  verified: boolean;
  verified_at: string | null;
}

export interface UserDetails extends User {
  has_password: boolean;
  email_addresses: UserEmailAddress[];
  phone_numbers: UserPhoneNumber[];
}

export interface UserList {
  data: User[];
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
}

/** One problem; `param` names the request field at fault when there is one. */
export interface FieldError {
  code: string;
  message: string;
  param?: string;
}

/** Every error body (SPEC 7). */
export interface ErrorBody {
  message: string;
  errors: FieldError[];
  request_id: string;
}

/** Written out field by field (no intersections) so it reads as the JSON does. */
export interface AuthSettings {
  first_name: { enabled: boolean; required: boolean };
  last_name: { enabled: boolean; required: boolean };
  email_address: { enabled: boolean; required: boolean };
  phone_number: {
    enabled: boolean;
    required: boolean;
    /** ISO 3166-1 alpha-2; lets phone_number be given in national form. */
    default_country: string | null;
  };
  username: { enabled: boolean; required: boolean; min_length: number; max_length: number };
  password: {
    enabled: boolean;
    required: boolean;
    min_length: number;
    /** At most 72 (bcrypt's limit, in UTF-8 bytes). */
    max_length: number;
    require_lowercase: boolean;
    require_uppercase: boolean;
    require_number: boolean;
    require_special: boolean;
  };
}

/** Any part of the settings; the server merges it key by key into the current ones. */
export type AuthSettingsPatch = { [Field in keyof AuthSettings]?: Partial<AuthSettings[Field]> };

/** An image as bytes: a File or Blob, or a Buffer / Uint8Array. */
export type ImageInput = Blob | Uint8Array;

/** The text fields of `POST /users`; which are required depends on the deployment's settings. */
export interface CreateUserFields {
  first_name?: string;
  last_name?: string;
  email_address?: string;
  phone_number?: string;
  username?: string;
  password?: string;
  /** Bypasses the password requirement and rules; sent as "true"/"false". */
  skip_password_check?: boolean;
}

export interface CreateUserRequest extends CreateUserFields {
  profile_image?: ImageInput;
}
