// `npm run db:migrate`: apply pending migrations to DATABASE_URL.
import { loadConfig } from "@svc/config";
import { migrate } from "./migrate";

const { applied, alreadyApplied } = await migrate(loadConfig().database.url);
console.log(`migrations: ${applied.length} applied (${applied.join(", ") || "none"}), ${alreadyApplied} already there`);
