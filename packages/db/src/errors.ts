// Classifies errors that come up through Prisma and node-postgres: which
// unique constraint was violated, and whether PostgreSQL is unreachable.
import { Prisma } from "./generated/prisma/client";

/**
 * The name of the unique index a write violated, or undefined for any other
 * error. Model queries report it as P2002, raw statements as P2010; both carry
 * the driver adapter's error with PostgreSQL's own message.
 */
export function uniqueViolationConstraint(error: unknown): string | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  if (error.code !== "P2002" && error.code !== "P2010") return undefined;
  const meta = error.meta as
    | {
        target?: unknown;
        driverAdapterError?: {
          cause?: { kind?: string; originalMessage?: string; constraint?: { index?: string; fields?: string[] } };
        };
      }
    | undefined;
  const cause = meta?.driverAdapterError?.cause;
  if (error.code === "P2010" && cause?.kind !== "UniqueConstraintViolation") return undefined;
  const named = cause?.originalMessage?.match(/unique constraint "([^"]+)"/)?.[1];
  if (cause?.constraint?.index) return cause.constraint.index;
  if (named) return named;
  if (typeof meta?.target === "string") return meta.target;
  if (Array.isArray(meta?.target)) return meta.target.join(",");
  return cause?.constraint?.fields?.join(",") ?? "";
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
const UNREACHABLE_PRISMA = new Set(["P1001", "P1002", "P1017", "P2024"]);
// node-postgres words the same outage several ways: a pooled client whose socket
// died mid-transaction answers "encountered a connection error and is not queryable".
const UNREACHABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Connection is closed|Client has encountered a connection error|Client was closed and is not queryable|DatabaseNotReachable|ConnectionClosed|SocketTimeout/i;

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
