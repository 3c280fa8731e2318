// Reads a create-user style body, multipart (what the Wacht SDK sends) or
// JSON, into one shape: the text fields, the one file, and the rule
// violations that parsing alone can see (unknown, repeated, misplaced fields).
import express, { type Request, type RequestHandler } from "express";
import multer from "multer";
import type { FieldIssue } from "@svc/users";
import { repeatedFieldIssue, unknownFieldIssue } from "@svc/users";
import { HttpError } from "./errors";

export interface ParsedBody {
  fields: Record<string, unknown>;
  file?: Buffer;
  issues: FieldIssue[];
}

export const MULTIPART_LIMITS = {
  fieldSize: 64 * 1024, // a text field larger than this is refused naming the field
  fields: 50,
  parts: 60,
  headerPairs: 100,
  fieldNameSize: 100,
};

const unsupportedType = () =>
  new HttpError(415, "unsupported_media_type", "Send multipart/form-data or application/json.");

/** Parses multipart or JSON and refuses any other content type with a 415. */
export function parseFormBody(maxFileBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { ...MULTIPART_LIMITS, fileSize: maxFileBytes, files: 1 },
  }).any();
  const json = express.json({ limit: "100kb", strict: false });
  return (req, res, next) => {
    if (req.is("multipart/form-data")) return upload(req, res, next);
    if (req.is("application/json")) return json(req, res, next);
    next(unsupportedType());
  };
}

/** Collects the fields of a parsed request; `fileField` names the one part that may carry a file. */
export function readForm(req: Request, allowed: readonly string[], fileField: string): ParsedBody {
  const issues: FieldIssue[] = [];
  const fields: Record<string, unknown> = {};
  let file: Buffer | undefined;
  const known = new Set(allowed);

  if (req.is("application/json")) {
    const body: unknown = req.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpError(400, "malformed_request", "The JSON body must be an object.");
    }
    const members = Object.entries(body);
    // The multipart limit, so one 100 kB body cannot ask for thousands of error entries.
    if (members.length > MULTIPART_LIMITS.fields) {
      throw new HttpError(413, "request_too_large", "The request has too many fields.");
    }
    for (const [name, value] of members) {
      if (!known.has(name)) issues.push(unknownFieldIssue(name));
      else if (name === fileField) {
        issues.push({ code: "form_param_format_invalid", message: `${name} must be sent as a multipart file.`, param: name });
      } else if (value !== null && typeof value === "object") {
        issues.push({ code: "form_param_format_invalid", message: `${name} must be a string.`, param: name });
      } else fields[name] = value;
    }
    return { fields, issues };
  }

  const seen = new Set<string>();
  const repeated = new Set<string>();
  // multer's .any() leaves text fields on req.body (arrays when repeated) and files on req.files.
  for (const [name, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) {
    seen.add(name);
    if (!known.has(name)) issues.push(unknownFieldIssue(name));
    else if (Array.isArray(value)) repeated.add(name);
    else if (name === fileField) {
      // An empty text part in the file field is what a form sends for "no file".
      if (value !== "") issues.push({ code: "form_param_format_invalid", message: `${name} must be a file.`, param: name });
    } else fields[name] = value;
  }
  for (const part of (req.files ?? []) as Express.Multer.File[]) {
    const name = part.fieldname;
    if (!known.has(name)) issues.push(unknownFieldIssue(name));
    else if (name !== fileField) {
      issues.push({ code: "form_param_format_invalid", message: `${name} must be a text field, not a file.`, param: name });
    } else if (seen.has(name)) repeated.add(name);
    else file = part.buffer;
    seen.add(name);
  }
  for (const name of repeated) {
    delete fields[name];
    issues.push(repeatedFieldIssue(name));
  }
  return { fields, file, issues };
}
