// Request bodies of the bench: users with unique email addresses and phone
// numbers (unique per deployment, as the API demands), as JSON or multipart.

// Valid US numbers are NPA + [2-9]XX-XXXX; 8 million per area code.
const AREA_CODES = ["212", "213", "310", "312", "415", "617", "646", "718", "202", "206", "303", "404"];
const PER_AREA = 8_000_000;

/** A block of sequence numbers per load run, so that runs side by side never collide. */
export const SEQ_BLOCK = 1_000_000;

export function phoneFor(seq: number): string {
  const area = AREA_CODES[Math.floor(seq / PER_AREA) % AREA_CODES.length];
  return `+1${area}${2_000_000 + (seq % PER_AREA)}`;
}

export interface UserFieldsOptions {
  /** Distinguishes one bench run from another in the email addresses. */
  tag: string;
  password?: string;
}

export function userFields(seq: number, options: UserFieldsOptions): Record<string, string> {
  const fields: Record<string, string> = {
    first_name: "Bench",
    last_name: `User ${seq}`,
    email_address: `u${seq}.${options.tag}@bench.example.com`,
    phone_number: phoneFor(seq),
  };
  if (options.password) fields.password = options.password;
  return fields;
}

export const BOUNDARY = "----bench-boundary-7MA4YWxkTrZu0gW";
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The file part (head, bytes, closing boundary), built once and reused for every request. */
export function multipartFilePart(field: string, filename: string, contentType: string, bytes: Buffer): Buffer {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

export function multipartBody(fields: Record<string, string>, filePart?: Buffer): Buffer {
  let text = "";
  for (const [name, value] of Object.entries(fields)) {
    text += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  return filePart ? Buffer.concat([Buffer.from(text), filePart]) : Buffer.from(`${text}--${BOUNDARY}--\r\n`);
}

export function contentTypeOf(path: string): string {
  if (path.endsWith(".png")) return "image/png";
  return "image/jpeg";
}

/** Percentile of an ascending-sorted list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
