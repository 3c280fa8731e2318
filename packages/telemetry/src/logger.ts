// The one logger (pino) of both apps: JSON lines in production, readable
// lines in development, secrets redacted wherever they may appear, and the
// request id on every line written while a request is being handled.
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger, type DestinationStream } from "pino";

export type { Logger };

/**
 * Paths censored in every log line: credentials in headers, bodies and errors.
 * pino's wildcards match one level, so each name is listed at the top level
 * and one level down (`{ password }` and `{ fields: { password } }`).
 */
const SECRET_NAMES = [
  "password",
  "password_hash",
  "passwordHash",
  "secretKey",
  "secret_key",
  "keyHash",
  "token",
  "authorization",
  "cookie",
];
export const REDACTED_PATHS = [
  ...SECRET_NAMES,
  ...SECRET_NAMES.map((name) => `*.${name}`),
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-api-key"]',
  '*.headers["set-cookie"]',
  "body",
  "req.body",
];

const requestScope = new AsyncLocalStorage<string>();

/**
 * Runs `fn` so that every log line written meanwhile (and in everything it
 * awaits) carries `request_id`, whichever logger writes it: the domain code
 * logs through the logger it was given, not through the request's child logger.
 */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run(requestId, fn);
}

export function createLogger(
  options: { level: string; pretty: boolean; name: string },
  destination?: DestinationStream,
): Logger {
  const base = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { err: serializeError },
    mixin: () => {
      const requestId = requestScope.getStore();
      return requestId === undefined ? {} : { request_id: requestId };
    },
  };
  if (options.pretty && !destination) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } },
    });
  }
  return destination ? pino(base, destination) : pino(base);
}

/**
 * Errors are logged by type, message and code. Stacks are kept only for
 * unexpected errors (bugs), which is where they help; expected failures
 * (a dependency down, a rejected image) stay one short line.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  if (code !== undefined) out.code = code;
  if (!isExpected(error) && error.stack) out.stack = error.stack;
  return out;
}

/** Outages of a dependency: retried or answered 503 by design, so a stack says nothing new. */
const OUTAGE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
const OUTAGE_TYPES = new Set([
  "QueueUnavailableError",
  "ObjectStoreTimeoutError",
  "DependencyUnavailableError",
  "ProfileImageRejectedError",
  "UnrecoverableError",
]);

function isExpected(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (error as { expected?: boolean }).expected === true ||
    OUTAGE_TYPES.has(error.name) ||
    (typeof code === "string" && OUTAGE_CODES.has(code))
  );
}
