// Liveness and readiness (SPEC 6): /healthz says the process answers;
// /readyz says each dependency answers, naming the ones that do not.
import { Router } from "express";

export type DependencyName = "database" | "redis" | "storage";
export type ReadinessChecks = Record<DependencyName, () => Promise<unknown>>;

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRouter(checks: ReadinessChecks): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (req, res) => {
    const names = Object.keys(checks) as DependencyName[];
    const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), CHECK_TIMEOUT_MS)));
    const down = names.filter((_, i) => results[i]?.status === "rejected");
    const status = Object.fromEntries(names.map((n) => [n, down.includes(n) ? "down" : "up"]));
    if (down.length === 0) {
      res.json({ status: "ready", dependencies: status });
      return;
    }
    const errors = down.map((name) => ({ code: "dependency_unavailable", message: `${name} is unreachable.`, param: name }));
    res.status(503).json({
      message: errors[0]?.message,
      errors,
      dependencies: status,
      request_id: req.id,
    });
  });
  return router;
}
