// The graceful stop of every process (the first SIGTERM/SIGINT runs `stop`,
// then the process exits with its outcome) and the entry point built on it.
import { loadConfig, type Config } from "@svc/config";
import type { Logger } from "pino";
import { createLogger } from "./logger";

export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down");
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

/**
 * The whole of a service's entry point (API or worker in a container): the
 * configuration, its logger, an S3 endpoint it cannot do without, and a
 * graceful stop on signals.
 */
export async function runService(
  name: string,
  start: (config: Config, logger: Logger, s3Endpoint: string) => Promise<{ stop(): Promise<void> }>,
): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ ...config.log, name });
  if (!config.storage.endpoint) {
    logger.fatal(`S3_ENDPOINT must be set when the ${name} runs on its own (npm start embeds a local S3 server)`);
    process.exit(1);
  }
  const service = await start(config, logger, config.storage.endpoint);
  stopOnSignals(logger, service.stop);
}
