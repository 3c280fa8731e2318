// Password hashing: bcrypt on libuv's thread pool, at most `concurrency` at a
// time. Without the bound, a burst of sign-ups occupies every core and the
// event loop (every other request) waits behind it.
import bcrypt from "bcrypt";
import pLimit from "p-limit";

export type PasswordHasher = (password: string) => Promise<string>;

export function createPasswordHasher(options: { cost: number; concurrency: number }): PasswordHasher {
  const limit = pLimit(options.concurrency);
  return (password) => limit(() => bcrypt.hash(password, options.cost));
}
