// Baseline of scenario 1: the same insert transaction the API commits for a
// user without password or image (users + primary email + primary phone, same
// tables and indexes), straight through `pg`, with the API's pool size and the
// same number of transactions in flight as the load generator's connections.
import pg from "pg";
import { newId } from "@svc/db";
import { userFields, type LatencySummary } from "../lib/bodies";
import { closedLoop } from "../lib/closed-loop";
import { serveOnce } from "../lib/proc";

export interface RawPgInput {
  url: string;
  poolSize: number;
  concurrency: number;
  durationS: number;
  warmupS: number;
  deploymentId: string;
  seqStart: number;
  tag: string;
}

export interface RawPgResult extends LatencySummary {
  durationS: number;
  transactionsPerSecond: number;
  errors: number;
}

serveOnce<RawPgInput, RawPgResult>(async (input) => {
  const pool = new pg.Pool({ connectionString: input.url, max: input.poolSize });
  let seq = input.seqStart;
  let errors = 0;

  async function insertOne(): Promise<void> {
    const fields = userFields(seq++, { tag: input.tag });
    const now = new Date();
    const userId = newId("user");
    const email = fields.email_address as string;
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO users (id, deployment_id, first_name, last_name, username, username_normalized, password_hash,
           profile_image_id, profile_image_status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, NULL, NULL, NULL, NULL, 'none', $5, $5)`,
        [userId, input.deploymentId, fields.first_name, fields.last_name, now],
      );
      await client.query(
        `INSERT INTO user_email_addresses (id, deployment_id, user_id, email_address, email_normalized, is_primary,
           verified, verified_at, created_at)
         VALUES ($1, $2, $3, $4, $5, true, true, $6, $6)`,
        [newId("email"), input.deploymentId, userId, email, email.toLowerCase(), now],
      );
      await client.query(
        `INSERT INTO user_phone_numbers (id, deployment_id, user_id, phone_number, is_primary, verified, verified_at, created_at)
         VALUES ($1, $2, $3, $4, true, true, $5, $5)`,
        [newId("phone"), input.deploymentId, userId, fields.phone_number, now],
      );
      await client.query("COMMIT");
    } catch (error) {
      errors++;
      await client.query("ROLLBACK").catch(() => undefined);
      if (errors > 100) throw error;
    } finally {
      client.release();
    }
  }

  const { perSecond, ...result } = await closedLoop(input, insertOne);
  await pool.end();
  return { ...result, transactionsPerSecond: perSecond, errors };
});
