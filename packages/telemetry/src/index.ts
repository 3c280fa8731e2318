export { createLogger, serializeError, REDACTED_PATHS, type Logger } from "./logger";
export { stopOnSignals } from "./shutdown";
