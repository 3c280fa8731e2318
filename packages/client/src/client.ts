// createClient: the typed SDK over global fetch. One request function applies the
// key, the timeout (plus any `wait`), the caller's abort signal and the error mapping.
import { ConnectionError, errorFromResponse, TimeoutError } from "./errors";
import type {
  AuthSettings,
  AuthSettingsPatch,
  CreateUserRequest,
  ImageInput,
  User,
  UserDetails,
  UserList,
} from "./types";

export const DEFAULT_TIMEOUT_MS = 30_000;
/** The server caps `Prefer: wait` at 30 seconds (SPEC 5.3). */
export const MAX_WAIT_SECONDS = 30;

export interface ClientOptions {
  /** The deployment's secret key, `sk_test_…` or `sk_live_…`. */
  apiKey: string;
  /** Where the API answers, e.g. `http://localhost:3000`; a path prefix is kept. */
  baseUrl: string;
  /** Per request, before any `wait`; default 30 s. */
  timeoutMs?: number;
  /** Another fetch (instrumented, or a test double); default the global one. */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

export interface WaitOptions extends RequestOptions {
  /** Seconds (0–30) the server may wait for the image before answering (`Prefer: wait=N`). */
  wait?: number;
}

export interface CreateUserOptions extends WaitOptions {
  /** A retry with the same key and body returns the first answer and creates nothing. */
  idempotencyKey?: string;
}

export interface ListUsersParams {
  /** 1–100, default 10. */
  limit?: number;
  offset?: number;
}

export interface Client {
  users: {
    createUser(request: CreateUserRequest, options?: CreateUserOptions): Promise<User>;
    getUser(id: string, options?: RequestOptions): Promise<User>;
    getUserDetails(id: string, options?: RequestOptions): Promise<UserDetails>;
    listUsers(params?: ListUsersParams, options?: RequestOptions): Promise<UserList>;
    setProfileImage(id: string, file: ImageInput, options?: WaitOptions): Promise<User>;
    deleteProfileImage(id: string, options?: RequestOptions): Promise<User>;
  };
  settings: {
    getAuth(options?: RequestOptions): Promise<AuthSettings>;
    updateAuth(patch: AuthSettingsPatch, options?: RequestOptions): Promise<AuthSettings>;
  };
}

interface Call {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  body?: FormData | string;
  headers?: Record<string, string>;
  options?: WaitOptions;
}

function waitSeconds(wait: number | undefined): number {
  if (wait === undefined) return 0;
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
    throw new RangeError(`wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}.`);
  }
  return wait;
}

function userPath(id: string, suffix = ""): string {
  // An empty id would turn GET /users/{id} into GET /users, a different route.
  if (typeof id !== "string" || id === "") throw new TypeError("A user id is required.");
  return `/users/${encodeURIComponent(id)}${suffix}`;
}

/** A Blob as is; bytes wrapped (copied, so a Buffer's pooled memory never goes out whole). */
function appendImage(form: FormData, field: string, image: ImageInput): void {
  const blob = image instanceof Blob ? image : new Blob([new Uint8Array(image)]);
  // A file name makes the part a file part; the server judges the type from the bytes.
  const name = "name" in blob && typeof blob.name === "string" && blob.name ? blob.name : field;
  form.append(field, blob, name);
}

/** The multipart body the Wacht SDK sends: text parts, booleans as "true"/"false", the image as a file. */
export function createUserForm(request: CreateUserRequest): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(request) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    if (name === "profile_image") appendImage(form, name, value as ImageInput);
    else form.append(name, String(value));
  }
  return form;
}

export function createClient(options: ClientOptions): Client {
  if (!options.apiKey) throw new TypeError("apiKey is required.");
  const baseUrl = new URL(options.baseUrl).href.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function request<T>(call: Call): Promise<T> {
    const wait = waitSeconds(call.options?.wait);
    const timeoutMs = (call.options?.timeoutMs ?? defaultTimeoutMs) + wait * 1000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const callerSignal = call.options?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${options.apiKey}`,
      Accept: "application/json",
      ...call.headers,
    };
    if (call.options?.wait !== undefined) headers.Prefer = `wait=${wait}`;
    // The caller's abort surfaces as fetch reports it (the signal's reason); only ours is a timeout.
    const failure = (error: unknown, sending: boolean): unknown => {
      if (callerSignal?.aborted) return callerSignal.reason;
      if (timeout.aborted) return new TimeoutError(timeoutMs, { cause: error });
      if (sending && error instanceof TypeError)
        return new ConnectionError(`Could not reach ${baseUrl}.`, { cause: error });
      return error;
    };
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${call.path}`, {
        method: call.method,
        headers,
        body: call.body,
        signal,
      });
    } catch (error) {
      throw failure(error, true);
    }
    try {
      if (!response.ok) throw await errorFromResponse(response);
      return (await response.json()) as T;
    } catch (error) {
      throw failure(error, false);
    }
  }

  const json = (value: unknown) => ({
    body: JSON.stringify(value),
    headers: { "Content-Type": "application/json" },
  });

  return {
    users: {
      async createUser(body, options) {
        const headers: Record<string, string> = {};
        if (options?.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
        return request<User>({
          method: "POST",
          path: "/users",
          body: createUserForm(body),
          headers,
          options,
        });
      },
      getUser: async (id, options) => request<User>({ method: "GET", path: userPath(id), options }),
      getUserDetails: async (id, options) =>
        request<UserDetails>({ method: "GET", path: userPath(id, "/details"), options }),
      async listUsers(params = {}, options) {
        const query = new URLSearchParams();
        if (params.limit !== undefined) query.set("limit", String(params.limit));
        if (params.offset !== undefined) query.set("offset", String(params.offset));
        const search = query.size ? `?${query}` : "";
        return request<UserList>({ method: "GET", path: `/users${search}`, options });
      },
      async setProfileImage(id, file, options) {
        const form = new FormData();
        appendImage(form, "file", file);
        return request<User>({ method: "POST", path: userPath(id, "/profile_image"), body: form, options });
      },
      deleteProfileImage: async (id, options) =>
        request<User>({ method: "DELETE", path: userPath(id, "/profile_image"), options }),
    },
    settings: {
      getAuth: async (options) => request<AuthSettings>({ method: "GET", path: "/settings/auth", options }),
      updateAuth: async (patch, options) =>
        request<AuthSettings>({ method: "PATCH", path: "/settings/auth", ...json(patch), options }),
    },
  };
}
