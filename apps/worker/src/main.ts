// Entry point of the worker process on its own (containers); `npm start` runs
// it beside the API through scripts/start.ts instead.
import { loadConfig } from "@svc/config";
import { createLogger, stopOnSignals } from "@svc/telemetry";
import { startWorker } from "./run";

const config = loadConfig();
const logger = createLogger({ ...config.log, name: "worker" });
if (!config.storage.endpoint) {
  logger.fatal("S3_ENDPOINT must be set when the worker runs on its own (npm start embeds a local S3 server)");
  process.exit(1);
}
const worker = await startWorker(config, logger, config.storage.endpoint);
stopOnSignals(logger, worker.stop);
