// Recognises PostgreSQL's unique-violation surfaced through Prisma, and says
// which constraint it was, so callers can name the field that clashed.
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
