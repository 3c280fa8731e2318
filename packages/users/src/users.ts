// Reading users of a deployment: one, or a page of them newest first.
import type { Db } from "@svc/db";
import { NotFoundError, ValidationError, type FieldIssue } from "./errors";
import { findUser, toUserDetailsResource, toUserResource, userWithIdentifiers, type UserResource } from "./user-resource";

export const LIST_DEFAULT_LIMIT = 10;
export const LIST_MAX_LIMIT = 100;
export const LIST_MAX_OFFSET = 1_000_000;

export async function getUser(db: Db, deploymentId: string, userId: string): Promise<UserResource> {
  const user = await findUser(db, deploymentId, userId);
  if (!user) throw new NotFoundError("User");
  return toUserResource(user);
}

export async function getUserDetails(db: Db, deploymentId: string, userId: string) {
  const user = await findUser(db, deploymentId, userId);
  if (!user) throw new NotFoundError("User");
  return toUserDetailsResource(user);
}

function pageParam(name: string, value: unknown, fallback: number, min: number, max: number, issues: FieldIssue[]) {
  if (value === undefined || value === "") return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    issues.push({
      code: "form_param_format_invalid",
      message: `${name} must be a whole number from ${min} to ${max}.`,
      param: name,
    });
    return fallback;
  }
  return n;
}

export async function listUsers(db: Db, deploymentId: string, query: { limit?: unknown; offset?: unknown }) {
  const issues: FieldIssue[] = [];
  const limit = pageParam("limit", query.limit, LIST_DEFAULT_LIMIT, 1, LIST_MAX_LIMIT, issues);
  const offset = pageParam("offset", query.offset, 0, 0, LIST_MAX_OFFSET, issues);
  if (issues.length) throw new ValidationError(issues);
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where: { deploymentId },
      include: userWithIdentifiers,
      orderBy: { id: "desc" }, // ids sort by creation time
      skip: offset,
      take: limit,
    }),
    db.user.count({ where: { deploymentId } }),
  ]);
  return { data: rows.map(toUserResource), total, limit, offset, has_more: offset + rows.length < total };
}
