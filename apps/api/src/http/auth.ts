// Bearer secret-key authentication and the per-key rate limit (SPEC 2).
import type { RequestHandler } from "express";
import { authenticateSecretKey, type Caller, type UserDeps } from "@svc/users";
import { authenticationError, HttpError } from "./errors";

declare module "express-serve-static-core" {
  interface Request {
    /** Set by `requireSecretKey` on every authenticated route. */
    caller?: Caller;
  }
}

export interface RateLimiter {
  /** Resolves with the seconds to wait when the key is over its limit, else undefined. */
  consume(keyId: string): Promise<number | undefined>;
}

export function requireSecretKey(db: UserDeps["db"], limiter?: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization");
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) {
      throw authenticationError("Missing or malformed Authorization header; send `Authorization: Bearer sk_…`.");
    }
    const caller = await authenticateSecretKey(db, match[1]);
    if (!caller) throw authenticationError("The secret key is not valid or has been revoked.");
    if (limiter) {
      const retryAfter = await limiter.consume(caller.keyId);
      if (retryAfter !== undefined) {
        throw new HttpError(429, "rate_limit_exceeded", "Too many requests for this key; slow down.", undefined, {
          "Retry-After": String(retryAfter),
        });
      }
    }
    req.caller = caller;
    res.locals.deploymentId = caller.deploymentId;
    next();
  };
}

/** The authenticated caller; only reachable behind `requireSecretKey`. */
export function callerOf(req: { caller?: Caller }): Caller {
  if (!req.caller) throw new Error("route is missing requireSecretKey");
  return req.caller;
}

export const deploymentOf = (req: { caller?: Caller }): string => callerOf(req).deploymentId;
