// The invariants every scenario ends with, read straight from PostgreSQL and
// the buckets: whole users, every accepted image ready, one avatar object per
// user, nothing left in staging.
import type { Db } from "@svc/db";
import type { ObjectStore } from "@svc/storage";
import { sleep } from "./children";

export interface ImageCounts {
  ready: number;
  pending: number;
  failed: number;
  none: number;
}

export async function imageCounts(db: Db, deploymentId: string): Promise<ImageCounts> {
  const rows = await db.$queryRaw<{ status: keyof ImageCounts; n: bigint }[]>`
    SELECT profile_image_status::text AS status, count(*) AS n FROM users
    WHERE deployment_id = ${deploymentId} GROUP BY 1`;
  const counts: ImageCounts = { ready: 0, pending: 0, failed: 0, none: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** Waits until no image of the deployment is pending; answers the final counts and how long it took. */
export async function waitForImages(db: Db, deploymentId: string, timeoutMs: number) {
  const started = Date.now();
  for (;;) {
    const counts = await imageCounts(db, deploymentId).catch(() => undefined);
    if (counts && counts.pending === 0) return { counts, ms: Date.now() - started, timedOut: false };
    if (Date.now() - started > timeoutMs) {
      return { counts: counts ?? { ready: 0, pending: -1, failed: 0, none: 0 }, ms: Date.now() - started, timedOut: true };
    }
    await sleep(250);
  }
}

/** Images made ready per second, from the first to the last `ready` of the deployment (the worker's own clock). */
export async function readyRate(db: Db, deploymentId: string): Promise<{ count: number; perSecond: number; seconds: number }> {
  const [row] = await db.$queryRaw<{ n: bigint; first: Date | null; last: Date | null }[]>`
    SELECT count(*) AS n, min(updated_at) AS first, max(updated_at) AS last FROM profile_images
    WHERE deployment_id = ${deploymentId} AND status = 'ready'`;
  const count = Number(row?.n ?? 0);
  const seconds = row?.first && row.last ? (row.last.getTime() - row.first.getTime()) / 1000 : 0;
  return { count, seconds, perSecond: seconds > 0 ? (count - 1) / seconds : 0 };
}

/**
 * s3rver answers a listing with a 500 when a file of the bucket goes away while
 * it reads the folder (a worker deleting an original); ask again.
 */
async function list(what: () => Promise<string[]>): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("listing took more than 15 s")), 15_000);
      });
      return await Promise.race([what(), timeout]).finally(() => clearTimeout(timer));
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(500);
    }
  }
}

export interface CheckResult {
  failures: string[];
  users: number;
  ready: number;
  objects: number;
  staged: number;
  /** Users that exist although their request did not answer 201 (commit in doubt). */
  inDoubt: number;
}

export interface Expectation {
  /** Ids answered with 201. */
  created: string[];
  withImages: boolean;
  /** Users the client never saw a 201 for are allowed (a database outage can cut a committed request). */
  allowInDoubt?: boolean;
}

export async function checkDeployment(
  db: Db,
  store: ObjectStore,
  deploymentId: string,
  expected: Expectation,
): Promise<CheckResult> {
  const failures: string[] = [];
  const fail = (what: string, ids: string[]) => {
    if (ids.length) failures.push(`${what}: ${ids.length} (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""})`);
  };

  const users = await db.$queryRaw<
    { id: string; status: string; url: string; emails: bigint; phones: bigint; primary_emails: bigint; primary_phones: bigint }[]
  >`
    SELECT u.id, u.profile_image_status::text AS status, u.profile_picture_url AS url,
      (SELECT count(*) FROM user_email_addresses e WHERE e.user_id = u.id) AS emails,
      (SELECT count(*) FROM user_email_addresses e WHERE e.user_id = u.id AND e.is_primary AND e.verified) AS primary_emails,
      (SELECT count(*) FROM user_phone_numbers p WHERE p.user_id = u.id) AS phones,
      (SELECT count(*) FROM user_phone_numbers p WHERE p.user_id = u.id AND p.is_primary AND p.verified) AS primary_phones
    FROM users u WHERE u.deployment_id = ${deploymentId}`;
  const byId = new Map(users.map((u) => [u.id, u]));

  fail("users without exactly one email", users.filter((u) => Number(u.emails) !== 1 || Number(u.primary_emails) !== 1).map((u) => u.id));
  fail("users without exactly one phone", users.filter((u) => Number(u.phones) !== 1 || Number(u.primary_phones) !== 1).map((u) => u.id));
  const [orphans] = await db.$queryRaw<{ emails: bigint; phones: bigint; images: bigint }[]>`
    SELECT
      (SELECT count(*) FROM user_email_addresses e WHERE e.deployment_id = ${deploymentId}
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)) AS emails,
      (SELECT count(*) FROM user_phone_numbers p WHERE p.deployment_id = ${deploymentId}
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id)) AS phones,
      (SELECT count(*) FROM profile_images i WHERE i.deployment_id = ${deploymentId}
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.user_id)) AS images`;
  for (const [what, n] of Object.entries(orphans ?? {})) {
    if (Number(n) > 0) failures.push(`${what} rows without their user: ${n}`);
  }

  fail("201 answers whose user does not exist", expected.created.filter((id) => !byId.has(id)));
  const answered = new Set(expected.created);
  const inDoubt = users.filter((u) => !answered.has(u.id)).map((u) => u.id);
  if (!expected.allowInDoubt) fail("users created without a 201 answer", inDoubt);

  let objects = 0;
  if (expected.withImages) {
    const mustBeReady = users.filter((u) => answered.has(u.id));
    fail("images not ready", mustBeReady.filter((u) => u.status !== "ready").map((u) => `${u.id}=${u.status}`));
    // The bucket is this deployment's alone (one per scenario): every object in it must be a user's avatar.
    const keys = await list(() => store.listPublicKeys());
    const keysByUser = new Map<string, string[]>();
    for (const key of keys) {
      const userId = key.split("/")[1] ?? "";
      keysByUser.set(userId, [...(keysByUser.get(userId) ?? []), key]);
    }
    for (const user of users) objects += keysByUser.get(user.id)?.length ?? 0;
    fail("avatar objects of no user (orphans)", keys.filter((k) => !byId.has(k.split("/")[1] ?? "")));
    const ready = users.filter((u) => u.status === "ready");
    fail("ready users without exactly one avatar object", ready.filter((u) => keysByUser.get(u.id)?.length !== 1).map((u) => u.id));
    fail(
      "ready users whose URL is not their object",
      ready.filter((u) => u.url !== store.publicUrl(keysByUser.get(u.id)?.[0] ?? "")).map((u) => u.id),
    );
    fail("avatar objects of users that are not ready", users.filter((u) => u.status !== "ready" && keysByUser.has(u.id)).map((u) => u.id));
    const [rows] = await db.$queryRaw<{ unfinished: bigint; keeping: bigint }[]>`
      SELECT count(*) FILTER (WHERE status <> 'ready') AS unfinished,
             count(*) FILTER (WHERE staging_key IS NOT NULL) AS keeping
      FROM profile_images WHERE deployment_id = ${deploymentId}
        AND user_id IN (SELECT id FROM users WHERE deployment_id = ${deploymentId} AND profile_image_status = 'ready')`;
    if (Number(rows?.unfinished ?? 0) > 0) failures.push(`image rows of ready users not ready: ${rows?.unfinished}`);
    if (Number(rows?.keeping ?? 0) > 0) failures.push(`ready image rows still pointing at a staged original: ${rows?.keeping}`);
  }
  const staged = (await list(() => store.listStagedKeys())).length;
  if (staged > 0) failures.push(`staged originals left behind: ${staged}`);

  return {
    failures,
    users: users.length,
    ready: users.filter((u) => u.status === "ready").length,
    objects,
    staged,
    inDoubt: inDoubt.length,
  };
}
