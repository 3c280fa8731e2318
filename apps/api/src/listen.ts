// startApi: the API's dependencies, the HTTP server listening, and a stop()
// that stops accepting, finishes in-flight requests and closes the pools.
import { createServer as createHttpServer, type Server } from "node:http";
import type { Config } from "@svc/config";
import type { Logger } from "@svc/telemetry";
import { createApiContext } from "./context";
import { createServer } from "./server";

/** In-flight requests get this long to finish on stop (a `Prefer: wait=30` create needs 30 s). */
export const DRAIN_TIMEOUT_MS = 35_000;

export interface RunningApi {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export async function startApi(config: Config, logger: Logger, s3Endpoint: string): Promise<RunningApi> {
  const context = createApiContext(config, logger, s3Endpoint);
  // Slow clients (slowloris) are cut off: whole request within 60 s, headers within 10 s.
  // Node enforces both when it checks its connections, by default only every 30 s.
  const server = createHttpServer(
    {
      requestTimeout: 60_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    },
    createServer(context),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.http.port, config.http.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await context.close(); // a taken port must not leave pools open behind a failed start
    throw error;
  });

  let stopping = false;
  // While draining, every response closes its connection, so a keep-alive
  // client cannot keep sending requests to a server that is going away.
  server.prependListener("request", (_req, res) => {
    if (stopping) res.setHeader("Connection", "close");
  });

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.http.port;
  const url = `http://localhost:${port}`;
  logger.info({ url }, "api listening");
  return {
    server,
    url,
    async stop() {
      stopping = true;
      // close() refuses new connections and resolves once the open ones are gone;
      // idle keep-alive sockets are closed now, busy ones when their response ends.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => {
        logger.warn(
          { drainTimeoutMs: DRAIN_TIMEOUT_MS },
          "requests still running at the drain deadline; closing their connections",
        );
        server.closeAllConnections();
      }, DRAIN_TIMEOUT_MS);
      try {
        await closed;
      } finally {
        clearInterval(idleSweep);
        clearTimeout(deadline);
      }
      // Only now: the requests that were running needed the queue and the pool.
      await context.close();
      logger.info("api stopped");
    },
  };
}
