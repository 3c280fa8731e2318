// Load for the fault suite: create-user requests over loopback with plain
// fetch + FormData, each with its own email, E.164 phone and JPEG, counted by outcome.
import { randomBytes } from "node:crypto";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import sharp from "sharp";
import { sleep } from "./children";

const RUN = randomBytes(3).toString("hex");
let phoneCounter = 0;

/** A valid US number no other request of this run has used (+1 415 NXX XXXX). */
export function nextPhone(): string {
  for (;;) {
    const n = phoneCounter++;
    const exchange = 234 + Math.floor(n / 10_000);
    const phone = `+1415${exchange}${String(n % 10_000).padStart(4, "0")}`;
    if (parsePhoneNumberFromString(phone)?.isValid()) return phone;
  }
}

const SIZE = 256;

/** A 256×256 JPEG in a colour of its own, with `i`'s bits drawn in, so no two are alike. */
export async function distinctJpeg(i: number): Promise<Buffer> {
  const raw = Buffer.alloc(SIZE * SIZE * 3);
  const colour = [(i * 67) % 256, (i * 131 + 50) % 256, (i * 29 + 100) % 256];
  for (let p = 0; p < SIZE * SIZE; p++) raw.set(colour, p * 3);
  for (let bit = 0; bit < 32; bit++) {
    const value = (i >>> bit) & 1 ? 255 : 0;
    for (let y = 0; y < 8; y++) for (let x = bit * 8; x < bit * 8 + 8; x++) raw.fill(value, (y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3);
  }
  return sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

export type Status = number | "timeout" | "network";

export interface Outcome {
  status: Status;
  userId?: string;
  email: string;
  /** When the request was sent (epoch ms). */
  at: number;
  ms: number;
  /** The start of the body of an unexpected answer, for the report. */
  detail?: string;
}

export interface LoadOptions {
  /** API base URLs, used in turn. */
  targets: string[];
  key: string;
  concurrency: number;
  /** Stop after this many requests… */
  total?: number;
  /** …or once this says so (checked before each request). */
  until?: () => boolean;
  /** Start at most this many requests a second. */
  perSecond?: number;
  withImages: boolean;
  /** Client-side bound on one request: an answer that takes longer counts as a hang. */
  timeoutMs: number;
  tag: string;
}

let requestCounter = 0;

export async function drive(options: LoadOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const started = Date.now();
  let issued = 0;
  const lane = async () => {
    for (;;) {
      if (options.total !== undefined && issued >= options.total) return;
      if (options.until?.()) return;
      const slot = issued++;
      if (options.perSecond) {
        const due = started + (slot * 1000) / options.perSecond;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      outcomes.push(await createOne(options, slot));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return outcomes;
}

async function createOne(options: LoadOptions, slot: number): Promise<Outcome> {
  const n = requestCounter++;
  const email = `${options.tag}.${RUN}.${n}@example.com`;
  const form = new FormData();
  form.append("email_address", email);
  form.append("phone_number", nextPhone());
  form.append("password", "Fault-Tolerant-9");
  form.append("first_name", `Load ${n}`);
  if (options.withImages) {
    form.append("profile_image", new Blob([new Uint8Array(await distinctJpeg(n))], { type: "image/jpeg" }), `${n}.jpg`);
  }
  const target = options.targets[slot % options.targets.length] as string;
  const at = Date.now();
  try {
    const res = await fetch(`${target}/users`, {
      method: "POST",
      headers: { Authorization: `Bearer ${options.key}` },
      body: form,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    const ms = Date.now() - at;
    if (res.status === 201) return { status: 201, userId: (JSON.parse(text) as { id: string }).id, email, at, ms };
    return { status: res.status, email, at, ms, detail: text.slice(0, 200) };
  } catch (error) {
    const ms = Date.now() - at;
    const name = (error as Error).name;
    const status = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network";
    return { status, email, at, ms, detail: String((error as Error).cause ?? (error as Error).message).slice(0, 200) };
  }
}

/** `{ "201": 480, "503": 20 }` */
export function countByStatus(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}

export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
}

/** One example body per unexpected status, to say what went wrong. */
export function unexpectedSamples(outcomes: Outcome[], expected: Status[]): string[] {
  const seen = new Map<string, string>();
  for (const o of outcomes) {
    if (expected.includes(o.status) || seen.has(String(o.status))) continue;
    seen.set(String(o.status), `${o.status} after ${o.ms} ms: ${o.detail ?? ""}`);
  }
  return [...seen.values()];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
