// The user routes of SPEC 4–6. Each handler reads the request, calls one
// use case of @svc/users and writes its result; the rules live there.
import { Router } from "express";
import {
  clearProfileImage,
  CREATE_USER_FIELDS,
  createUser,
  getUser,
  getUserDetails,
  listUsers,
  replaceProfileImage,
  ValidationError,
  waitForProfileImage,
  type UserDeps,
} from "@svc/users";
import { callerOf, deploymentOf } from "../http/auth";
import { parseFormBody, readForm } from "../http/body";
import { HttpError } from "../http/errors";
import { limitLargeUploads } from "../http/upload-limit";

export const MAX_WAIT_SECONDS = 30;

/** RFC 7240 `Prefer: wait=N`, capped at 30 s; undefined when not asked. */
export function preferredWaitMs(header: string | undefined): number | undefined {
  const match = header?.match(/(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i);
  if (!match?.[1]) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS) * 1000;
}

function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new ValidationError([
      {
        code: "form_param_format_invalid",
        message: "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        param: "Idempotency-Key",
      },
    ]);
  }
  return header;
}

export function usersRouter(deps: UserDeps & { maxImageBytes: number; uploadConcurrency: number }): Router {
  const router = Router();
  const form = [limitLargeUploads(deps.uploadConcurrency), parseFormBody(deps.maxImageBytes)];

  router.post("/users", ...form, async (req, res) => {
    const { deploymentId, settings } = callerOf(req);
    const idempotencyKey = idempotencyKeyOf(req.get("idempotency-key"));
    const body = readForm(req, CREATE_USER_FIELDS, "profile_image");
    if (body.issues.length) throw new ValidationError(body.issues);
    const result = await createUser(deps, {
      deploymentId,
      settings,
      fields: body.fields,
      profileImage: body.file,
      idempotencyKey,
    });
    let user = result.user;
    const waitMs = preferredWaitMs(req.get("prefer"));
    if (waitMs !== undefined && user.profile_image_status === "pending") {
      user = await waitForProfileImage(deps.db, deploymentId, user.id, waitMs);
      res.set("Preference-Applied", `wait=${waitMs / 1000}`);
    }
    if (result.replayed) res.set("Idempotent-Replayed", "true");
    res.status(201).location(`/users/${user.id}`).json(user);
  });

  router.get("/users", async (req, res) => {
    res.json(await listUsers(deps.db, deploymentOf(req), { limit: req.query.limit, offset: req.query.offset }));
  });

  router.get("/users/:id", async (req, res) => {
    res.json(await getUser(deps.db, deploymentOf(req), req.params.id));
  });

  router.get("/users/:id/details", async (req, res) => {
    res.json(await getUserDetails(deps.db, deploymentOf(req), req.params.id));
  });

  router.post("/users/:id/profile_image", ...form, async (req, res) => {
    const deploymentId = deploymentOf(req);
    const body = readForm(req, ["file"], "file");
    if (body.issues.length) throw new ValidationError(body.issues);
    if (req.is("application/json")) {
      throw new HttpError(415, "unsupported_media_type", "Send the image as multipart/form-data in the field `file`.");
    }
    let user = await replaceProfileImage(deps, deploymentId, String(req.params.id), body.file);
    const waitMs = preferredWaitMs(req.get("prefer"));
    if (waitMs !== undefined) user = await waitForProfileImage(deps.db, deploymentId, user.id, waitMs);
    res.json(user);
  });

  router.delete("/users/:id/profile_image", async (req, res) => {
    res.json(await clearProfileImage(deps, deploymentOf(req), req.params.id));
  });

  return router;
}
