// Proves the committed SQL migrations produce the database schema.prisma
// describes: the same tables, columns, types, nullability and unique indexes,
// and every model's every field written and read back through the client.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createDb, migrate, newId, type Db } from "@svc/db";

interface FieldSpec {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  relation: boolean;
}
interface ModelSpec {
  name: string;
  table: string;
  fields: FieldSpec[];
  uniques: string[][];
}

const SCALARS: Record<string, string> = {
  String: "text",
  DateTime: "timestamp with time zone",
  Boolean: "boolean",
  Int: "integer",
  Json: "jsonb",
};

/** A small reader of our schema.prisma: models, fields with @map, optionality, @@map, @unique/@@unique/@id. */
function readSchema(): ModelSpec[] {
  const text = readFileSync(fileURLToPath(new URL("../../../prisma/schema.prisma", import.meta.url)), "utf8");
  const enums = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1] as string));
  const models: ModelSpec[] = [];
  for (const block of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, name, body] = block as unknown as [string, string, string];
    const fields: FieldSpec[] = [];
    const uniques: string[][] = [];
    for (const line of body.split("\n").map((l) => l.trim())) {
      if (!line || line.startsWith("//")) continue;
      if (line.startsWith("@@")) {
        const cols = line.match(/^@@(unique|id)\(\[([^\]]+)\]/);
        if (cols?.[2]) uniques.push(cols[2].split(",").map((c) => c.trim().replace(/\(.*\)$/, "")));
        continue;
      }
      const m = line.match(/^(\w+)\s+(\w+)(\?|\[\])?/);
      if (!m) continue;
      const [, fname, type, mod] = m as unknown as [string, string, string, string | undefined];
      const column = line.match(/@map\("([^"]+)"\)/)?.[1] ?? fname;
      const relation = !(type in SCALARS) && !enums.has(type);
      fields.push({ name: fname, column, type, optional: mod === "?", list: mod === "[]", relation });
      if (/@(unique|id)\b/.test(line)) uniques.push([fname]);
    }
    const table = body.match(/@@map\("([^"]+)"\)/)?.[1] ?? name;
    const toColumn = (f: string) => fields.find((x) => x.name === f)?.column ?? f;
    models.push({ name, table, fields, uniques: uniques.map((u) => u.map(toColumn)) });
  }
  return models;
}

const models = readSchema();
let client: pg.Client;
let db: Db;
let url: string;

beforeAll(async () => {
  url = inject("services").DATABASE_URL;
  await migrate(url);
  client = new pg.Client({ connectionString: url });
  await client.connect();
  db = createDb({ url, poolSize: 2 });
});
afterAll(async () => {
  await client.end();
  await db.$disconnect();
});

describe("migrated database matches schema.prisma", () => {
  it("reads the models of the schema", () => {
    expect(models.map((m) => m.name).sort()).toEqual(
      ["Deployment", "DeploymentAuthSettings", "IdempotencyRecord", "ProfileImage", "SecretKey", "User", "UserEmailAddress", "UserPhoneNumber"].sort(),
    );
  });

  it.each(models.map((m) => [m.name, m] as const))("%s has exactly its columns, types and nullability", async (_, model) => {
    const { rows } = await client.query<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = $1`,
      [model.table],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.column_name, r]));
    const scalars = model.fields.filter((f) => !f.relation);
    expect(Object.keys(actual).sort()).toEqual(scalars.map((f) => f.column).sort());
    for (const field of scalars) {
      const col = actual[field.column];
      const expectedType = SCALARS[field.type] ?? "USER-DEFINED";
      expect({ column: field.column, type: col?.data_type, nullable: col?.is_nullable === "YES" }).toEqual({
        column: field.column,
        type: expectedType,
        nullable: field.optional,
      });
    }
  });

  it.each(models.map((m) => [m.name, m] as const))("%s has its unique indexes", async (_, model) => {
    const { rows } = await client.query<{ columns: string[] }>(
      `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS columns
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE t.relname = $1 AND i.indisunique
       GROUP BY i.indexrelid`,
      [model.table],
    );
    const actual = rows.map((r) => r.columns.join(",")).sort();
    expect(actual).toEqual(model.uniques.map((u) => u.join(",")).sort());
  });

  it("writes and reads back every field of every model through the client", async () => {
    const now = new Date("2026-01-02T03:04:05.678Z");
    const dep = await db.deployment.create({ data: { id: newId("dep"), name: "schema", createdAt: now } });
    const settings = await db.deploymentAuthSettings.create({ data: { deploymentId: dep.id, settings: { a: 1 } } });
    const key = await db.secretKey.create({
      data: { id: newId("sk"), deploymentId: dep.id, keyHash: newId("sk"), hint: "sk_…abcd", createdAt: now, revokedAt: now },
    });
    const user = await db.user.create({
      data: {
        id: newId("user"),
        deploymentId: dep.id,
        firstName: "F",
        lastName: "L",
        username: "U",
        usernameNormalized: "u",
        passwordHash: "h",
        profilePictureUrl: "http://x/y.webp",
        profileImageId: "img_x",
        profileImageStatus: "ready",
        createdAt: now,
        updatedAt: now,
      },
    });
    const email = await db.userEmailAddress.create({
      data: {
        id: newId("email"), deploymentId: dep.id, userId: user.id, emailAddress: "A@b.co", emailNormalized: "a@b.co",
        isPrimary: true, verified: true, verifiedAt: now, verificationStrategy: "admin", createdAt: now,
      },
    });
    const phone = await db.userPhoneNumber.create({
      data: { id: newId("phone"), deploymentId: dep.id, userId: user.id, phoneNumber: "+14155552671", isPrimary: true, verified: true, verifiedAt: now, createdAt: now },
    });
    const image = await db.profileImage.create({
      data: {
        id: newId("img"), deploymentId: dep.id, userId: user.id, status: "failed", stagingKey: "s", sourceSha256: "0".repeat(64),
        objectKey: "o", url: "u", failureReason: "r", createdAt: now,
      },
    });
    const record = await db.idempotencyRecord.create({
      data: { deploymentId: dep.id, key: "k", requestHash: "h", responseStatus: 201, responseBody: { ok: true }, createdAt: now },
    });
    expect(await db.deployment.findUnique({ where: { id: dep.id } })).toEqual(dep);
    expect(await db.deploymentAuthSettings.findUnique({ where: { deploymentId: dep.id } })).toEqual(settings);
    expect(await db.secretKey.findUnique({ where: { id: key.id } })).toEqual(key);
    expect(await db.user.findUnique({ where: { id: user.id } })).toEqual(user);
    expect(await db.userEmailAddress.findUnique({ where: { id: email.id } })).toEqual(email);
    expect(await db.userPhoneNumber.findUnique({ where: { id: phone.id } })).toEqual(phone);
    expect(await db.profileImage.findUnique({ where: { id: image.id } })).toEqual(image);
    expect(await db.idempotencyRecord.findUnique({ where: { deploymentId_key: { deploymentId: dep.id, key: "k" } } })).toEqual(record);
    await db.deployment.delete({ where: { id: dep.id } }); // cascades to everything above
    expect(await db.user.count({ where: { deploymentId: dep.id } })).toBe(0);
  });

  it("applies migrations idempotently and safely from concurrent runners", async () => {
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    for (const r of results) expect(r.applied).toEqual([]);
  });
});
