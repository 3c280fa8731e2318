// Prisma CLI configuration. The URL falls back to a placeholder so that
// `prisma generate` works where no database is configured (CI, image builds).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/users_service" },
});
