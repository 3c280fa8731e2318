// HTTP errors of the API itself, and the one middleware that turns any thrown
// error into SPEC 7's JSON body. Handlers never build error bodies.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { MulterError } from "multer";
import { isDatabaseUnavailable } from "@svc/db";
import {
  ConflictError,
  DependencyUnavailableError,
  DomainError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from "@svc/users";

export class HttpError extends DomainError {
  override name = "HttpError";
  readonly issues: FieldIssue[];
  constructor(
    readonly status: number,
    code: string,
    message: string,
    param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.issues = [{ code, message, ...(param ? { param } : {}) }];
  }
}

export const authenticationError = (message: string) => new HttpError(401, "authentication_invalid", message);
export const badRequest = (message: string) => new HttpError(400, "malformed_request", message);

const STATUS: [new (...args: never[]) => DomainError, number][] = [
  [ValidationError, 422],
  [ConflictError, 409],
  [NotFoundError, 404],
  [DependencyUnavailableError, 503],
];

/** Multer's limit errors, each with the status a client can act on. */
function fromMulter(error: MulterError): HttpError {
  const field = error.field;
  switch (error.code) {
    case "LIMIT_FILE_SIZE":
      return new HttpError(413, "image_too_large_bytes", "The file is larger than the size limit.", field);
    case "LIMIT_FIELD_VALUE":
      return new HttpError(422, "form_param_length_too_long", `${field} is too long.`, field);
    case "LIMIT_FILE_COUNT":
      return new HttpError(422, "form_param_duplicate", "Send at most one file.", field);
    case "LIMIT_FIELD_KEY":
      return new HttpError(422, "form_param_unknown", "A field name is too long.");
    default: // LIMIT_PART_COUNT, LIMIT_FIELD_COUNT
      return new HttpError(413, "request_too_large", "The request has too many parts.");
  }
}

/** body-parser and busboy report bad input as errors with a status or a message. */
function fromParser(error: Error & { status?: number; type?: string }): HttpError | undefined {
  if (error.type === "entity.too.large") return new HttpError(413, "request_too_large", "The request body is too large.");
  if (error.type === "entity.parse.failed") return badRequest("The body is not valid JSON.");
  if (error.type === "charset.unsupported" || error.type === "encoding.unsupported") {
    return new HttpError(415, "unsupported_media_type", "The body's charset or encoding is not supported.");
  }
  if (error.type === "request.aborted") return badRequest("The request was aborted.");
  if (/^(Multipart|Malformed part header|Unexpected end of form|Part terminated early)/i.test(error.message)) {
    return badRequest("The multipart body is malformed.");
  }
  if (error.status && error.status >= 400 && error.status < 500) return badRequest("The request is malformed.");
  return undefined;
}

function toHttp(error: unknown): { status: number; issues: FieldIssue[]; headers: Record<string, string> } {
  if (error instanceof HttpError) return { status: error.status, issues: error.issues, headers: error.headers };
  for (const [type, status] of STATUS) {
    if (error instanceof type) return { status, issues: (error as DomainError).issues, headers: {} };
  }
  if (error instanceof MulterError) return toHttp(fromMulter(error));
  if (isDatabaseUnavailable(error)) return toHttp(new DependencyUnavailableError("database"));
  const parsed = error instanceof Error ? fromParser(error) : undefined;
  if (parsed) return toHttp(parsed);
  return {
    status: 500,
    issues: [{ code: "internal_error", message: "Something went wrong on our side. The request id identifies it." }],
    headers: {},
  };
}

const SQL = /\b(?:SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|WITH\s+\S+\s+AS)\b[\s\S]*/i;

/** One line of an error's message: Prisma puts a source excerpt first and the cause last. */
function messageLine(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  const line = ((/invocation/.test(message) ? lines.at(-1) : lines[0]) ?? "").slice(0, 2000);
  return line
    .replace(SQL, "[SQL removed]")
    .replace(/sk_(?:test|live)_[A-Za-z0-9_-]+/g, "sk_[redacted]")
    .replace(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g, "[hash redacted]")
    .slice(0, 300);
}

/** The first frame of our own code (not a dependency's), as `path:line:column`. */
function whereThrown(stack: string | undefined): string | undefined {
  for (const frame of stack?.split("\n") ?? []) {
    const at = frame.match(/\(?((?:\/|file:)[^()\s]+:\d+:\d+)\)?\s*$/)?.[1];
    if (at && /^\s*at /.test(frame) && !/node_modules|node:/.test(frame)) return at.replace(/^.*?\/((?:apps|packages)\/)/, "$1");
  }
  return undefined;
}

/**
 * What the log keeps of an error behind a 5xx: type, code, one line of message
 * and where our code threw it, down its causes. Never a stack trace, Prisma's
 * source excerpt or SQL (SPEC 7); the request id ties the line to the response.
 */
function errorSummary(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: messageLine(String(error)) };
  const code = (error as { code?: unknown }).code;
  const summary: Record<string, unknown> = { type: error.name, message: messageLine(error.message) };
  if (typeof code === "string" || typeof code === "number") summary.code = code;
  const where = whereThrown(error.stack);
  if (where) summary.where = where;
  if (error.cause !== undefined && depth < 3) summary.cause = errorSummary(error.cause, depth + 1);
  return summary;
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const { status, issues, headers } = toHttp(error);
  if (status >= 500) {
    const expected = status === 503;
    req.log?.[expected ? "warn" : "error"]({ error: errorSummary(error) }, expected ? "dependency unavailable" : "unhandled error");
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).set(headers).json({ message: issues[0]?.message ?? "Error", errors: issues, request_id: req.id });
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, "resource_not_found", `No route for ${req.method} ${req.path}.`));
};
