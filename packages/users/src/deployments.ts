// Deployments and their secret keys. A key is shown once when made; only its
// SHA-256 is stored, and a request finds its deployment by that hash, so no
// secret is ever compared byte by byte (nothing to time).
import { createHash, randomBytes } from "node:crypto";
import { newId, type Db } from "@svc/db";
import { DEFAULT_AUTH_SETTINGS, withDefaults, type AuthSettings } from "./settings";

export type KeyEnvironment = "test" | "live";

const KEY_FORMAT = /^sk_(test|live)_[A-Za-z0-9_-]{32}$/;

export const hashSecretKey = (key: string) => createHash("sha256").update(key).digest("hex");

function mintKey(environment: KeyEnvironment) {
  const key = `sk_${environment}_${randomBytes(24).toString("base64url")}`;
  return { key, keyHash: hashSecretKey(key), hint: `${key.slice(0, 8)}…${key.slice(-4)}` };
}

export async function createSecretKey(db: Db, deploymentId: string, environment: KeyEnvironment = "test") {
  const { key, keyHash, hint } = mintKey(environment);
  const row = await db.secretKey.create({ data: { id: newId("sk"), deploymentId, keyHash, hint } });
  return { id: row.id, hint, secretKey: key };
}

export async function createDeployment(db: Db, name: string, environment: KeyEnvironment = "test") {
  const deployment = await db.deployment.create({
    data: { id: newId("dep"), name, authSettings: { create: { settings: DEFAULT_AUTH_SETTINGS } } },
  });
  const key = await createSecretKey(db, deployment.id, environment);
  return { deployment, ...key };
}

export async function listSecretKeys(db: Db, deploymentId: string) {
  return db.secretKey.findMany({
    where: { deploymentId },
    select: { id: true, hint: true, createdAt: true, revokedAt: true },
    orderBy: { createdAt: "asc" },
  });
}

/** Takes effect on the very next request: keys are looked up, never cached. */
export async function revokeSecretKey(db: Db, keyId: string): Promise<boolean> {
  const { count } = await db.secretKey.updateMany({
    where: { id: keyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}

export interface Caller {
  deploymentId: string;
  keyId: string;
  /** The deployment's auth settings, read in the same query as the key (SPEC 3: as they are now). */
  settings: AuthSettings;
}

/**
 * The deployment a bearer key belongs to, with its settings, or undefined for
 * a malformed, unknown or revoked key. One query: this runs on every request.
 */
export async function authenticateSecretKey(db: Db, key: string): Promise<Caller | undefined> {
  if (!KEY_FORMAT.test(key)) return undefined;
  const [row] = await db.$queryRaw<
    { id: string; deployment_id: string; revoked_at: Date | null; settings: unknown }[]
  >`SELECT k.id, k.deployment_id, k.revoked_at, s.settings
    FROM secret_keys k LEFT JOIN deployment_auth_settings s ON s.deployment_id = k.deployment_id
    WHERE k.key_hash = ${hashSecretKey(key)}`;
  if (!row || row.revoked_at) return undefined;
  return { deploymentId: row.deployment_id, keyId: row.id, settings: withDefaults(row.settings) };
}
