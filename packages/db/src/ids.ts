// Opaque ids that sort by creation time: a prefix, 48 bits of milliseconds and
// 80 random bits, in Crockford base32 (the ULID layout).
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function encode(value: bigint, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

export type IdPrefix = "user" | "dep" | "sk" | "email" | "phone" | "img";

export function newId(prefix: IdPrefix, now = Date.now()): string {
  const random = BigInt(`0x${randomBytes(10).toString("hex")}`);
  return `${prefix}_${encode(BigInt(now), 10)}${encode(random, 16)}`;
}

/** True for a well-formed id of this kind; anything else cannot name a row, so callers skip the query. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return value.length === prefix.length + 27 && value.startsWith(`${prefix}_`) && /^[0-9a-hjkmnp-tv-z]{26}$/.test(value.slice(prefix.length + 1));
}
