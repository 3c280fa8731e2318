// Entry point of the worker process on its own (containers); `npm start` runs
// it beside the API through scripts/start.ts instead.
import { runService } from "@svc/telemetry";
import { startWorker } from "./run";

await runService("worker", startWorker);
