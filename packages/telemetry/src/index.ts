// @svc/telemetry: the one logger, metrics and the graceful-stop routine every process shares.
export { createLogger, serializeError, REDACTED_PATHS, withRequestId, type Logger } from "./logger";
export {
  createApiMetrics,
  createWorkerMetrics,
  metricsAccessAllowed,
  QUEUE_STATES,
  safeEqual,
  USER_CREATION_OUTCOMES,
  type ApiMetrics,
  type ApiMetricsOptions,
  type QueueState,
  type Registry,
  type UserCreationOutcome,
  type WorkerMetrics,
} from "./metrics";
export { runService, stopOnSignals } from "./shutdown";
