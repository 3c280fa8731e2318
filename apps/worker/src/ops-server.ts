// The worker's small HTTP port for operations: `/healthz` (200 only while the
// BullMQ worker runs on a ready Redis connection, else 503) and Prometheus'
// `/metrics` (behind METRICS_TOKEN when set, like the API's).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { metricsAccessAllowed, type Logger, type Registry } from "@svc/telemetry";

export interface WorkerOpsOptions {
  host: string;
  port: number;
  registry: Registry;
  metricsToken?: string;
  isHealthy(): boolean;
  logger: Logger;
}

export interface WorkerOpsServer {
  url: string;
  close(): Promise<void>;
}

/** SPEC 7's error body; the worker has no Express error middleware to build it. */
function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify({ message, errors: [{ code, message }] }));
}

export async function startWorkerOpsServer(options: WorkerOpsOptions): Promise<WorkerOpsServer> {
  const { registry, logger } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://worker").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendError(res, 405, "method_not_allowed", "Only GET is supported here.", { Allow: "GET, HEAD" });
      return;
    }
    if (path === "/healthz") {
      const healthy = options.isHealthy();
      res.writeHead(healthy ? 200 : 503, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ status: healthy ? "ok" : "unavailable" }));
      return;
    }
    if (path === "/metrics") {
      if (!metricsAccessAllowed(req.headers.authorization, options.metricsToken)) {
        sendError(
          res,
          401,
          "authentication_invalid",
          "Send `Authorization: Bearer <METRICS_TOKEN>` to read metrics.",
          {
            "WWW-Authenticate": 'Bearer realm="metrics"',
          },
        );
        return;
      }
      const body = await registry.metrics();
      res.writeHead(200, { "Content-Type": registry.contentType });
      res.end(body);
      return;
    }
    sendError(res, 404, "resource_not_found", `No route for ${req.method} ${path}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, "worker ops request failed");
      if (!res.headersSent) sendError(res, 500, "internal_error", "Something went wrong on our side.");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://localhost:${port}`;
  logger.info({ url }, "worker health and metrics listening");

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
