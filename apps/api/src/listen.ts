// startApi: the API's dependencies, the HTTP server listening, and a stop()
// that stops accepting, finishes in-flight requests and closes the pools.
import type { Server } from "node:http";
import type { Config } from "@svc/config";
import type { Logger } from "@svc/telemetry";
import { createApiContext } from "./context";
import { createServer } from "./server";

export interface RunningApi {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export async function startApi(config: Config, logger: Logger, s3Endpoint: string): Promise<RunningApi> {
  const context = createApiContext(config, logger, s3Endpoint);
  const app = createServer(context);
  const server = app.listen(config.http.port, config.http.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve).once("error", reject);
  });
  // Slow clients (slowloris) are cut off: whole request within 60 s, headers within 10 s.
  server.requestTimeout = 60_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const url = `http://localhost:${port}`;
  logger.info({ url }, "api listening");
  return {
    server,
    url,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await context.close();
      logger.info("api stopped");
    },
  };
}
