// What is recorded of each request: one log line (route, status, duration)
// under a request id accepted from `X-Request-Id` when it looks sane and echoed
// back, and the same facts as metrics (latency histogram, user creations).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import { withRequestId, type ApiMetrics, type Logger, type UserCreationOutcome } from "@svc/telemetry";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLogger(logger: Logger): RequestHandler {
  const httpLogger = pinoHttp({
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
    // The route is known only once the request is routed, so it goes on the final line
    // (customProps would also bind the not-yet-known route to the request's child logger).
    customSuccessObject: (req, _res, line: object) => ({ ...line, route: routeOf(req) }),
    // Without pino-http's made-up "failed with status code 5xx" error and its stack:
    // the error middleware has logged the real error of the request already.
    customErrorObject: (req, _res, _error, line: Record<string, unknown>) => {
      const final: Record<string, unknown> = { ...line, route: routeOf(req) };
      delete final.err;
      return final;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    // The error middleware logs the errors worth logging; do not repeat them here.
    wrapSerializers: false,
  });
  // The rest of the request runs under its id, so lines from the domain's logger carry it too.
  return (req, res, next) => httpLogger(req, res, () => withRequestId(String(req.id), next));
}

/** The matched route pattern (`/users/:id`), not the raw path, so logs and metrics group well. */
export function routeOf(req: IncomingMessage): string {
  const r = req as IncomingMessage & { route?: { path?: string }; baseUrl?: string };
  return r.route?.path ? `${r.baseUrl ?? ""}${r.route.path}` : "unmatched";
}

/**
 * Observes each request's duration by method, route pattern and status, and
 * counts `POST /users` outcomes from the status it answered with, so the route
 * handler stays free of metrics. Requests refused before the route matched
 * (401, 429) are not creations and are not counted as such.
 */
export function requestMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(req);
      metrics.observeRequest({ method: req.method, route, status: res.statusCode }, seconds);
      if (req.method === "POST" && route === "/users") {
        metrics.countUserCreation(
          creationOutcome(res.statusCode, res.getHeader("idempotent-replayed") === "true"),
        );
      }
    });
    next();
  };
}

function creationOutcome(status: number, replayed: boolean): UserCreationOutcome {
  if (status < 300) return replayed ? "replayed" : "created";
  if (status === 409) return "conflict";
  if (status < 500) return "invalid";
  return "error";
}
