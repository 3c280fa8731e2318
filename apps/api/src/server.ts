// createServer(deps): the Express app, wired from its dependencies and
// nothing else, so tests drive it with supertest and main.ts listens.
import express from "express";
import type { ProfileImageProducer } from "@svc/queue";
import type { ApiMetrics, Logger } from "@svc/telemetry";
import type { UserDeps } from "@svc/users";
import { requireSecretKey, type RateLimiter } from "./http/auth";
import { errorHandler, notFoundHandler } from "./http/errors";
import { requestLogger, requestMetrics } from "./http/request-log";
import { docsRouter } from "./routes/docs";
import { healthRouter, type ReadinessChecks } from "./routes/health";
import { opsRouter } from "./routes/ops";
import { settingsRouter } from "./routes/settings";
import { usersRouter } from "./routes/users";

export interface ApiDeps extends UserDeps {
  logger: Logger;
  maxImageBytes: number;
  /** Large multipart bodies read at once (memory bound). */
  uploadConcurrency: number;
  readiness: ReadinessChecks;
  rateLimiter?: RateLimiter;
  producer: ProfileImageProducer;
  metrics: ApiMetrics;
  /** Basic-auth credentials of the queue dashboard; without them it is not mounted. */
  admin?: { username: string; password: string };
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

export function createServer(deps: ApiDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestLogger(deps.logger));
  app.use(requestMetrics(deps.metrics));

  app.use(healthRouter(deps.readiness));
  app.use(docsRouter(deps));
  app.use(opsRouter(deps));

  const authenticated = express.Router();
  authenticated.use(requireSecretKey(deps.db, deps.rateLimiter));
  authenticated.use(usersRouter(deps));
  authenticated.use(settingsRouter(deps));
  app.use(authenticated);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
