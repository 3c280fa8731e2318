// The one Prisma client of a process, on node-postgres through Prisma's driver adapter.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

export type Db = PrismaClient;

export function createDb(options: { url: string; poolSize: number }): Db {
  const adapter = new PrismaPg({
    connectionString: options.url,
    max: options.poolSize,
    // Fail fast when PostgreSQL is unreachable rather than queueing requests behind it.
    connectionTimeoutMillis: 3000,
  });
  return new PrismaClient({ adapter });
}
