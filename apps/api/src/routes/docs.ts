// The OpenAPI document and the docs page, open to everyone (SPEC 2).
import { Router } from "express";
import type { ApiDeps } from "../server";

export function docsRouter(_deps: ApiDeps): Router {
  return Router();
}
