// `GET/PATCH /settings/auth` (SPEC 3): the caller's deployment settings.
import express, { Router } from "express";
import { getAuthSettings, updateAuthSettings, type UserDeps } from "@svc/users";
import { deploymentOf } from "../http/auth";
import { HttpError } from "../http/errors";

export function settingsRouter(deps: Pick<UserDeps, "db">): Router {
  const router = Router();
  router.get("/settings/auth", async (req, res) => {
    res.json(await getAuthSettings(deps.db, deploymentOf(req)));
  });
  router.patch("/settings/auth", express.json({ limit: "16kb", strict: false }), async (req, res) => {
    if (!req.is("application/json")) {
      throw new HttpError(415, "unsupported_media_type", "Send the settings patch as application/json.");
    }
    res.json(await updateAuthSettings(deps.db, deploymentOf(req), req.body));
  });
  return router;
}
