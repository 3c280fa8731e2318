// The SDK's errors: one class per HTTP status a caller handles differently, built
// from SPEC 7's body so `message` is the server's; plus timeout and connection failures.
import type { ErrorBody, FieldError } from "./types";

/** Any answer that is not 2xx. `errors` lists every problem, `code` is the first one's. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  readonly requestId: string | undefined;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.errors = body.errors;
    this.code = body.errors[0]?.code ?? "unknown_error";
    this.requestId = body.request_id || undefined;
  }
}

/** 422: the request breaks one or more rules; each entry of `errors` names its field in `param`. */
export class ValidationError extends ApiError {
  override name = "ValidationError";
}

/** 409: an email address, phone number or username is taken in this deployment. */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}

/** 401: missing, unknown or revoked secret key. */
export class AuthenticationError extends ApiError {
  override name = "AuthenticationError";
}

/** 404: no such user in this deployment. */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}

/** 413: the image (or the request) is over the server's size limit. */
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
}

/** 429: over the key's rate limit; `retryAfter` is the seconds the server asks to wait. */
export class RateLimitError extends ApiError {
  override name = "RateLimitError";
  constructor(
    status: number,
    body: ErrorBody,
    readonly retryAfter: number | undefined,
  ) {
    super(status, body);
  }
}

/** 503: a dependency of the server is down; nothing was changed, the request can be retried. */
export class ServiceUnavailableError extends ApiError {
  override name = "ServiceUnavailableError";
}

/** No answer within the time allowed (the client's timeout plus any `wait`). */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`No answer within ${timeoutMs} ms.`, options);
  }
}

/** The server could not be reached (refused, reset, DNS); `cause` is fetch's error. */
export class ConnectionError extends Error {
  override name = "ConnectionError";
}

const BY_STATUS: Record<number, new (status: number, body: ErrorBody) => ApiError> = {
  401: AuthenticationError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: ValidationError,
  503: ServiceUnavailableError,
};

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Partial<ErrorBody>;
  return (
    typeof body.message === "string" &&
    Array.isArray(body.errors) &&
    body.errors.every(
      (e: Partial<FieldError>) => typeof e?.code === "string" && typeof e.message === "string",
    )
  );
}

/** Seconds from `Retry-After`, which is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** The typed error for a non-2xx response; a body that is not SPEC 7's (a proxy's page) still gives one. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const requestId = response.headers.get("x-request-id") ?? "";
  const body: ErrorBody = isErrorBody(parsed)
    ? { ...parsed, request_id: parsed.request_id || requestId }
    : {
        message: `HTTP ${response.status} ${response.statusText}`.trim(),
        errors: [{ code: "http_error", message: `HTTP ${response.status} ${response.statusText}`.trim() }],
        request_id: requestId,
      };
  if (response.status === 429) {
    return new RateLimitError(response.status, body, parseRetryAfter(response.headers.get("retry-after")));
  }
  const ErrorClass = BY_STATUS[response.status] ?? ApiError;
  return new ErrorClass(response.status, body);
}
