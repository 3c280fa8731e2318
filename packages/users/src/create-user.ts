// Creating a user (SPEC 4): validate against the deployment's settings, check
// the image, stage it, then write user + primary email + primary phone (+ image
// record, + idempotency record) in one transaction, and enqueue after commit.
import { createHash } from "node:crypto";
import { newId, Prisma, uniqueViolationConstraint } from "@svc/db";
import { ConflictError, ValidationError } from "./errors";
import type { UserDeps } from "./ports";
import {
  discardStaged,
  enqueueAfterCommit,
  inspectUpload,
  jobFor,
  sha256Hex,
  stageImage,
  type StagedImage,
} from "./profile-images";
import type { AuthSettings } from "./settings";
import type { UserResource } from "./user-resource";
import { validateUserFields, type ValidUserFields } from "./validate";

export interface CreateUserRequest {
  deploymentId: string;
  /** The deployment's settings as they are now (read with the caller's key). */
  settings: AuthSettings;
  /** Text fields as received (multipart strings or JSON values); already checked for unknown/repeated names. */
  fields: Readonly<Record<string, unknown>>;
  /** Bytes of the `profile_image` part, if one came. */
  profileImage?: Buffer;
  idempotencyKey?: string;
}

export interface CreateUserResult {
  user: UserResource;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

type Identifier = "email_address" | "phone_number" | "username";

const TAKEN: Record<Identifier, string> = {
  email_address: "That email address is taken.",
  phone_number: "That phone number is taken.",
  username: "That username is taken.",
};

const CONSTRAINT_FIELD: Record<string, Identifier> = {
  user_email_addresses_deployment_id_email_key: "email_address",
  user_phone_numbers_deployment_id_phone_key: "phone_number",
  users_deployment_id_username_key: "username",
};

const taken = (params: Identifier[]) =>
  new ConflictError(params.map((param) => ({ code: "form_identifier_exists", message: TAKEN[param], param })));

/** Fingerprint of what was asked, so a reused Idempotency-Key with another body is caught. */
function requestFingerprint(request: CreateUserRequest, imageSha256: string | undefined): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(request.fields).sort()) hash.update(`${name}\0${JSON.stringify(request.fields[name])}\0`);
  if (imageSha256) hash.update(`profile_image\0${imageSha256}`);
  return hash.digest("hex");
}

async function findClashes(deps: UserDeps, deploymentId: string, fields: ValidUserFields): Promise<Identifier[]> {
  if (!fields.emailAddress && !fields.phoneNumber && !fields.username) return [];
  const rows = await deps.db.$queryRaw<{ param: Identifier }[]>`
    SELECT 'email_address' AS param FROM user_email_addresses
      WHERE deployment_id = ${deploymentId} AND email_normalized = ${fields.emailAddress?.toLowerCase() ?? null}
    UNION ALL
    SELECT 'phone_number' FROM user_phone_numbers
      WHERE deployment_id = ${deploymentId} AND phone_number = ${fields.phoneNumber}
    UNION ALL
    SELECT 'username' FROM users
      WHERE deployment_id = ${deploymentId} AND username_normalized = ${fields.username?.toLowerCase() ?? null}`;
  return rows.map((r) => r.param);
}

async function replay(deps: UserDeps, deploymentId: string, key: string, fingerprint: string) {
  const record = await deps.db.idempotencyRecord.findUnique({ where: { deploymentId_key: { deploymentId, key } } });
  if (!record || record.createdAt.getTime() < Date.now() - deps.idempotencyTtlMs) return undefined;
  if (record.requestHash !== fingerprint) {
    throw new ValidationError([
      {
        code: "idempotency_key_reused",
        message: "This Idempotency-Key was already used with a different request body.",
        param: "Idempotency-Key",
      },
    ]);
  }
  return { user: record.responseBody as unknown as UserResource, replayed: true };
}

export async function createUser(deps: UserDeps, request: CreateUserRequest): Promise<CreateUserResult> {
  const { deploymentId, idempotencyKey } = request;
  // Hashed once: for the idempotency fingerprint and as the image record's digest.
  const imageSha256 = request.profileImage?.length ? sha256Hex(request.profileImage) : undefined;
  const fingerprint = idempotencyKey ? requestFingerprint(request, imageSha256) : "";
  if (idempotencyKey) {
    const earlier = await replay(deps, deploymentId, idempotencyKey, fingerprint);
    if (earlier) return earlier;
  }

  const { fields, issues } = validateUserFields(request.fields, request.settings);
  const upload = await inspectUpload(request.profileImage, deps.maxImagePixels, "profile_image", imageSha256);
  issues.push(...upload.issues);
  if (issues.length) throw new ValidationError(issues);

  const clashes = await findClashes(deps, deploymentId, fields);
  if (clashes.length) throw taken(clashes);

  // bcrypt runs on libuv's thread pool; staging is network I/O: do both at once.
  const [passwordHash, staged] = await Promise.all([
    fields.password === null ? null : deps.hashPassword(fields.password),
    upload.image ? stageImage(deps, deploymentId, upload.image) : undefined,
  ]);

  const now = new Date();
  const user: UserResource = {
    id: newId("user"),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    first_name: fields.firstName,
    last_name: fields.lastName,
    username: fields.username,
    profile_picture_url: "",
    profile_image_status: staged ? "pending" : "none",
    primary_email_address: fields.emailAddress,
    primary_phone_number: fields.phoneNumber,
  };

  try {
    await insertUser(deps, request, fingerprint, user, { passwordHash, staged, now });
  } catch (error) {
    await discardStaged(deps, staged);
    const constraint = uniqueViolationConstraint(error);
    if (constraint !== undefined && idempotencyKey) {
      // A concurrent request with the same key committed first: our insert waited
      // on its rows and then clashed (on the key, or on the same email or username).
      const earlier = await replay(deps, deploymentId, idempotencyKey, fingerprint);
      if (earlier) return earlier;
    }
    const field = constraint === undefined ? undefined : CONSTRAINT_FIELD[constraint];
    if (field) throw taken([field]);
    throw error;
  }

  if (staged) await enqueueAfterCommit(deps, jobFor(deploymentId, user.id, staged));
  return { user, replayed: false };
}

/**
 * Writes the user, its primary email and phone, its image record and the
 * idempotency record as one SQL statement: atomic without an interactive
 * transaction, one round trip, and foreign keys checked at its end.
 */
async function insertUser(
  deps: UserDeps,
  request: CreateUserRequest,
  fingerprint: string,
  user: UserResource,
  extra: { passwordHash: string | null; staged: StagedImage | undefined; now: Date },
): Promise<void> {
  const { db } = deps;
  const { deploymentId, idempotencyKey } = request;
  const { passwordHash, staged, now } = extra;
  const email = user.primary_email_address;
  const phone = user.primary_phone_number;
  if (idempotencyKey) {
    // An expired record must not block its key being used again.
    await db.$executeRaw`DELETE FROM idempotency_records
      WHERE deployment_id = ${deploymentId} AND key = ${idempotencyKey}
        AND created_at < ${new Date(Date.now() - deps.idempotencyTtlMs)}`;
  }
  const writes: Prisma.Sql[] = [
    Prisma.sql`new_user AS (
      INSERT INTO users (id, deployment_id, first_name, last_name, username, username_normalized, password_hash,
                         profile_image_id, profile_image_status, created_at, updated_at)
      VALUES (${user.id}, ${deploymentId}, ${user.first_name}, ${user.last_name}, ${user.username},
              ${user.username?.toLowerCase() ?? null}, ${passwordHash}, ${staged?.imageId ?? null},
              ${user.profile_image_status}::profile_image_status, ${now}, ${now}))`,
  ];
  if (idempotencyKey) {
    writes.push(Prisma.sql`new_idempotency AS (
      INSERT INTO idempotency_records (deployment_id, key, request_hash, response_status, response_body, created_at)
      VALUES (${deploymentId}, ${idempotencyKey}, ${fingerprint}, 201, ${JSON.stringify(user)}::jsonb, ${now}))`);
  }
  if (email) {
    writes.push(Prisma.sql`new_email AS (
      INSERT INTO user_email_addresses (id, deployment_id, user_id, email_address, email_normalized, is_primary,
                                        verified, verified_at, verification_strategy, created_at)
      VALUES (${newId("email")}, ${deploymentId}, ${user.id}, ${email}, ${email.toLowerCase()}, true,
              true, ${now}, 'admin', ${now}))`);
  }
  if (phone) {
    writes.push(Prisma.sql`new_phone AS (
      INSERT INTO user_phone_numbers (id, deployment_id, user_id, phone_number, is_primary, verified, verified_at, created_at)
      VALUES (${newId("phone")}, ${deploymentId}, ${user.id}, ${phone}, true, true, ${now}, ${now}))`);
  }
  if (staged) {
    writes.push(Prisma.sql`new_image AS (
      INSERT INTO profile_images (id, deployment_id, user_id, status, staging_key, source_sha256, created_at, updated_at)
      VALUES (${staged.imageId}, ${deploymentId}, ${user.id}, 'pending', ${staged.stagingKey}, ${staged.sha256},
              ${now}, ${now}))`);
  }
  await db.$executeRaw`WITH ${Prisma.join(writes, ", ")} SELECT 1`;
}
