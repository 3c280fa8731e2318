// Entry point of the API process on its own (containers); `npm start` runs it
// beside the worker through scripts/start.ts instead.
import { loadConfig } from "@svc/config";
import { createLogger, stopOnSignals } from "@svc/telemetry";
import { startApi } from "./listen";

const config = loadConfig();
const logger = createLogger({ ...config.log, name: "api" });
if (!config.storage.endpoint) {
  logger.fatal("S3_ENDPOINT must be set when the API runs on its own (npm start embeds a local S3 server)");
  process.exit(1);
}
const api = await startApi(config, logger, config.storage.endpoint);
stopOnSignals(logger, api.stop);
