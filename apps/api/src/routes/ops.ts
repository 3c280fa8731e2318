// Operations routes mounted before authentication: Prometheus' `GET /metrics`
// (behind METRICS_TOKEN when set) and the bull-board queue dashboard (behind
// basic auth; off without it).
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import { Router, type Express, type RequestHandler } from "express";
import { profileImageJobSchema } from "@svc/queue";
import { metricsAccessAllowed, safeEqual } from "@svc/telemetry";
import { HttpError } from "../http/errors";
import type { ApiDeps } from "../server";

export const DASHBOARD_PATH = "/admin/queues";

export function opsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get("/metrics", async (req, res) => {
    if (!metricsAccessAllowed(req.get("authorization"), deps.metricsToken)) {
      throw new HttpError(
        401,
        "authentication_invalid",
        "Send `Authorization: Bearer <METRICS_TOKEN>` to read metrics.",
        undefined,
        {
          "WWW-Authenticate": 'Bearer realm="metrics"',
        },
      );
    }
    const { registry } = deps.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });

  // Never open without credentials: no admin configured means no dashboard at
  // all, and a 404 that says so rather than the secret-key 401 of unknown paths.
  if (deps.admin) {
    router.use(DASHBOARD_PATH, requireBasicAuth(deps.admin), queueDashboard(deps.producer.queue));
  } else {
    router.use(DASHBOARD_PATH, () => {
      throw new HttpError(
        404,
        "resource_not_found",
        "The queue dashboard is off; set ADMIN_USERNAME and ADMIN_PASSWORD to turn it on.",
      );
    });
  }
  return router;
}

function requireBasicAuth(admin: { username: string; password: string }): RequestHandler {
  return (req, _res, next) => {
    const encoded = req.get("authorization")?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
    const decoded = encoded ? Buffer.from(encoded, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    // Both halves are compared every time, so timing says nothing about which one was wrong.
    const userOk = safeEqual(colon < 0 ? "" : decoded.slice(0, colon), admin.username);
    const passwordOk = safeEqual(colon < 0 ? "" : decoded.slice(colon + 1), admin.password);
    if (colon < 0 || !userOk || !passwordOk) {
      throw new HttpError(
        401,
        "authentication_invalid",
        "The queue dashboard needs the admin username and password.",
        undefined,
        {
          "WWW-Authenticate": 'Basic realm="queue dashboard", charset="UTF-8"',
        },
      );
    }
    next();
  };
}

const JOB_FIELDS = Object.keys(profileImageJobSchema.shape);

/**
 * Shows only the payload's known fields (ids and the staging key), so nothing
 * else that ever lands in a job's data, by mistake or by an admin's "add job",
 * is displayed.
 */
export function jobDataForDisplay(data: unknown): Record<string, unknown> {
  if (typeof data !== "object" || data === null) return {};
  const fields = data as Record<string, unknown>;
  return Object.fromEntries(JOB_FIELDS.filter((name) => name in fields).map((name) => [name, fields[name]]));
}

function queueDashboard(queue: Queue): Express {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  // Retrying a failed job is allowed: a job that gave up on transient errors keeps its original.
  const adapter = new BullMQAdapter(queue, {
    readOnlyMode: false,
    allowRetries: true,
    displayName: "Profile images",
  });
  adapter.setFormatter("data", jobDataForDisplay);
  createBullBoard({
    queues: [adapter],
    serverAdapter,
    options: { uiConfig: { boardTitle: "users-service" } },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable("x-powered-by");
  return board;
}
