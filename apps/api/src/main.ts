// Entry point of the API process on its own (containers); `npm start` runs it
// beside the worker through scripts/start.ts instead.
import { runService } from "@svc/telemetry";
import { startApi } from "./listen";

await runService("api", startApi);
