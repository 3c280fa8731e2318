// Facts of SPEC.md that several tests check the service against.

/** SPEC 4: the keys of a user in every response, no more and no fewer. */
export const SPEC_4_USER_KEYS = [
  "id",
  "created_at",
  "updated_at",
  "first_name",
  "last_name",
  "username",
  "profile_picture_url",
  "profile_image_status",
  "primary_email_address",
  "primary_phone_number",
].sort();
