// @svc/client: the typed SDK of the users service. No runtime dependencies: global
// fetch, FormData and Blob (Node ≥ 20, browsers, Deno, Bun).
export {
  createClient,
  createUserForm,
  DEFAULT_TIMEOUT_MS,
  MAX_WAIT_SECONDS,
  type Client,
  type ClientOptions,
  type CreateUserOptions,
  type ListUsersParams,
  type RequestOptions,
  type WaitOptions,
} from "./client";
export {
  ApiError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  ValidationError,
} from "./errors";
export type * from "./types";
