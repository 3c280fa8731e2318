// How a user is read and shown: one query, one JSON shape (SPEC 4's response body).
import type { z } from "zod";
import { isId, type Db, type Prisma } from "@svc/db";
import type { userDetailsResourceSchema, userResourceSchema } from "./schemas";

// The types are the schemas' (which the OpenAPI document and the SDK are checked
// against), so a field added here without its schema does not compile.
export type UserResource = z.infer<typeof userResourceSchema>;
export type UserDetailsResource = z.infer<typeof userDetailsResourceSchema>;

export const userWithIdentifiers = {
  emailAddresses: { orderBy: { createdAt: "asc" } },
  phoneNumbers: { orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.UserInclude;

export type UserRow = Prisma.UserGetPayload<{ include: typeof userWithIdentifiers }>;

export function toUserResource(user: UserRow): UserResource {
  return {
    id: user.id,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    profile_picture_url: user.profilePictureUrl,
    profile_image_status: user.profileImageStatus,
    primary_email_address: user.emailAddresses.find((e) => e.isPrimary)?.emailAddress ?? null,
    primary_phone_number: user.phoneNumbers.find((p) => p.isPrimary)?.phoneNumber ?? null,
  };
}

export function toUserDetailsResource(user: UserRow): UserDetailsResource {
  return {
    ...toUserResource(user),
    has_password: user.passwordHash !== null,
    email_addresses: user.emailAddresses.map((e) => ({
      id: e.id,
      email_address: e.emailAddress,
      is_primary: e.isPrimary,
      verified: e.verified,
      verified_at: e.verifiedAt?.toISOString() ?? null,
    })),
    phone_numbers: user.phoneNumbers.map((p) => ({
      id: p.id,
      phone_number: p.phoneNumber,
      is_primary: p.isPrimary,
      verified: p.verified,
      verified_at: p.verifiedAt?.toISOString() ?? null,
    })),
  };
}

/** The user if it belongs to this deployment; another deployment's id reads as absent. */
export async function findUser(db: Db, deploymentId: string, userId: string): Promise<UserRow | null> {
  // A malformed id (NUL bytes, 10,000 characters) names no user; PostgreSQL need not see it.
  if (!isId("user", userId)) return null;
  return db.user.findFirst({ where: { id: userId, deploymentId }, include: userWithIdentifiers });
}
