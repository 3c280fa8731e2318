// The one logger (pino) of both apps: JSON lines in production, readable
// lines in development, and secrets redacted wherever they may appear.
import pino, { type Logger, type DestinationStream } from "pino";

export type { Logger };

/** Paths censored in every log line: credentials in headers, bodies and errors. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers[\"x-api-key\"]",
  "res.headers[\"set-cookie\"]",
  "*.password",
  "*.password_hash",
  "*.passwordHash",
  "*.secretKey",
  "*.secret_key",
  "*.keyHash",
  "*.token",
  "body",
];

export function createLogger(
  options: { level: string; pretty: boolean; name: string },
  destination?: DestinationStream,
): Logger {
  const base = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { err: serializeError },
  };
  if (options.pretty && !destination) {
    return pino({ ...base, transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } });
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
  if ((error as { expected?: boolean }).expected !== true && error.stack) out.stack = error.stack;
  return out;
}
