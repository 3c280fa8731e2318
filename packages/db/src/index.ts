export { createDb, type Db } from "./client";
export { newId, isId, type IdPrefix } from "./ids";
export { migrate, MIGRATIONS_DIR } from "./migrate";
export { uniqueViolationConstraint, isDatabaseUnavailable } from "./errors";
export { Prisma, ProfileImageStatus } from "./generated/prisma/client";
export type { User, UserEmailAddress, UserPhoneNumber, ProfileImage, Deployment } from "./generated/prisma/client";
