// The domain's typed errors. Each carries what the caller did wrong in the
// shape of SPEC 7; apps/api maps the classes to HTTP statuses in one place.

export interface FieldIssue {
  code: string;
  message: string;
  /** The request field at fault; absent for errors about the request as a whole. */
  param?: string;
}

export abstract class DomainError extends Error {
  abstract readonly issues: FieldIssue[];
}

/** 422: the request is well-formed but breaks one or more rules; every problem is listed. */
export class ValidationError extends DomainError {
  override name = "ValidationError";
  constructor(readonly issues: FieldIssue[]) {
    super(issues[0]?.message ?? "The request is invalid.");
  }
}

/** 409: an identifier (email address, phone number, username) is taken in this deployment. */
export class ConflictError extends DomainError {
  override name = "ConflictError";
  constructor(readonly issues: FieldIssue[]) {
    super(issues[0]?.message ?? "That identifier is taken.");
  }
}

/** 404 */
export class NotFoundError extends DomainError {
  override name = "NotFoundError";
  readonly issues: FieldIssue[];
  constructor(what: string) {
    super(`${what} not found.`);
    this.issues = [{ code: "resource_not_found", message: this.message }];
  }
}

/** 503: a dependency the request cannot do without (storage, database) is unreachable. */
export class DependencyUnavailableError extends DomainError {
  override name = "DependencyUnavailableError";
  readonly issues: FieldIssue[];
  constructor(readonly dependency: "database" | "storage" | "redis", options?: { cause?: unknown }) {
    super(`The ${dependency} is unavailable; nothing was changed. Try again shortly.`, options);
    this.issues = [{ code: "service_unavailable", message: this.message }];
  }
}
