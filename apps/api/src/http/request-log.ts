// One log line per request (route, status, duration) under a request id that
// is accepted from `X-Request-Id` when it looks sane and echoed back.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "@svc/telemetry";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers["x-request-id"];
      const id = typeof given === "string" && SANE_ID.test(given) ? given : randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return "error";
      return res.statusCode >= 400 ? "warn" : "info";
    },
    customSuccessMessage: (req, res) => `${req.method} ${routeOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${routeOf(req)} ${res.statusCode}`,
    customAttributeKeys: { responseTime: "duration_ms" },
    customProps: (req) => ({ route: routeOf(req) }),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    // The error middleware logs the errors worth logging; do not repeat them here.
    wrapSerializers: false,
  });
}

/** The matched route pattern (`/users/:id`), not the raw path, so logs and metrics group well. */
export function routeOf(req: IncomingMessage): string {
  const r = req as IncomingMessage & { route?: { path?: string }; baseUrl?: string };
  return r.route?.path ? `${r.baseUrl ?? ""}${r.route.path}` : "unmatched";
}
