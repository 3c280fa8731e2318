// The migration runner on a scratch database: applies in order, records
// checksums as Prisma does, refuses an edited migration, and is safe in parallel.
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { migrate } from "./migrate";

async function scratchDatabase() {
  const base = new URL(inject("services").DATABASE_URL);
  base.pathname = `/migrate_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  return base.toString();
}

async function migrationsDir(files: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migrate", () => {
  it("applies pending migrations once, in name order, from concurrent runners", async () => {
    const url = await scratchDatabase();
    const dir = await migrationsDir({
      "2_second": "INSERT INTO t VALUES (2);",
      "1_first": "CREATE TABLE t (n int); INSERT INTO t VALUES (1);",
    });
    const runs = await Promise.all([migrate(url, dir), migrate(url, dir), migrate(url, dir)]);
    expect(runs.flatMap((r) => r.applied).sort()).toEqual(["1_first", "2_second"]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT n FROM t ORDER BY n");
      expect(rows.map((r) => r.n)).toEqual([1, 2]);
      const recorded = await client.query("SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name");
      expect(recorded.rows.map((r) => r.migration_name)).toEqual(["1_first", "2_second"]);
      expect(recorded.rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await client.end();
    }
  });

  it("rolls back a failing migration and refuses one edited after it was applied", async () => {
    const url = await scratchDatabase();
    const broken = await migrationsDir({ "1_ok": "CREATE TABLE a (n int);", "2_bad": "CREATE TABLE b (n int); SELECT nope;" });
    await expect(migrate(url, broken)).rejects.toThrow(/2_bad failed/);
    const fixed = await migrationsDir({ "1_ok": "CREATE TABLE a (n int);", "2_bad": "CREATE TABLE b (n int);" });
    expect((await migrate(url, fixed)).applied).toEqual(["2_bad"]); // b did not survive the failed attempt
    const edited = await migrationsDir({ "1_ok": "CREATE TABLE a (n bigint);", "2_bad": "CREATE TABLE b (n int);" });
    await expect(migrate(url, edited)).rejects.toThrow(/1_ok was changed/);
  });
});
