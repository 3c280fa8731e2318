// Classifies errors that come up through Prisma and node-postgres: which
// unique constraint was violated, and whether PostgreSQL is unreachable.
import { Prisma } from "./generated/prisma/client";

export function uniqueViolationConstraint(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return undefined;
  const meta = error.meta as
    | { target?: unknown; driverAdapterError?: { cause?: { constraint?: { index?: string; fields?: string[] } } } }
    | undefined;
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  if (constraint?.index) return constraint.index;
  if (typeof meta?.target === "string") return meta.target;
  if (Array.isArray(meta?.target)) return meta.target.join(",");
  return constraint?.fields?.join(",") ?? "";
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
const UNREACHABLE_PRISMA = new Set(["P1001", "P1002", "P1017", "P2024"]);
const UNREACHABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down)|Connection is closed|DatabaseNotReachable|ConnectionClosed|SocketTimeout/i;

/** True when the error means "PostgreSQL cannot be reached now" (a 503), not a bug (a 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    const candidate = e as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    const code = typeof candidate.code === "string" ? candidate.code : undefined;
    if (code && (UNREACHABLE_CODES.has(code) || UNREACHABLE_PRISMA.has(code) || /^(08|57P)/.test(code))) return true;
    if (typeof candidate.kind === "string" && /DatabaseNotReachable|ConnectionClosed|SocketTimeout|TooManyConnections/.test(candidate.kind)) return true;
    if (typeof candidate.message === "string" && UNREACHABLE_MESSAGE.test(candidate.message)) return true;
    if (error instanceof Prisma.PrismaClientInitializationError) return true;
    e = candidate.cause ?? (candidate.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  }
  return false;
}
