// The front door: `npm start` on a fresh data folder prints a key and a curl
// example, and that very curl example creates a user with an image.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { solid } from "./support/images";
import { uniqueSuffix } from "./support/harness";

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function env(dataDir: string) {
  const services = inject("services");
  return {
    ...process.env,
    DATABASE_URL: services.DATABASE_URL,
    REDIS_URL: services.REDIS_URL,
    S3_ENDPOINT: "",
    DATA_DIR: dataDir,
    PORT: "0",
    S3_EMBEDDED_PORT: "0",
    WORKER_PORT: "0",
    QUEUE_PREFIX: `{start-${uniqueSuffix()}}`,
    LOG_PRETTY: "false",
    LOG_LEVEL: "warn",
    BCRYPT_COST: "4",
  };
}

describe("npm start", () => {
  it("prints a key and a curl example that creates a user with an image", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "start-"));
    dirs.push(dataDir);
    const child = spawn("npx", ["tsx", "scripts/start.ts"], { cwd: root, env: env(dataDir), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!/Try it:[\s\S]*profile_image=@\S+/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not get ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(out).toMatch(/Secret key\s+sk_test_[A-Za-z0-9_-]{32}/);
      const curl = out.slice(out.indexOf("curl ")).split("\n").map((l) => l.trim()).join(" ").replace(/\\ /g, "");
      const photo = path.join(dataDir, "photo.jpg");
      await writeFile(photo, await solid(640, 480).jpeg().toBuffer());
      const command = curl.replace(/profile_image=@\S+/, `profile_image=@${photo}`).replace("ada@example.com", `ada.${uniqueSuffix()}@example.com`);
      const { stdout } = await exec("bash", ["-c", command]);
      const user = JSON.parse(stdout);
      expect(user).toMatchObject({ first_name: "Ada", profile_image_status: "ready", profile_picture_url: expect.stringMatching(/^http/) });
      const image = await fetch(user.profile_picture_url);
      expect(image.headers.get("content-type")).toBe("image/webp");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    expect(child.exitCode ?? 0).toBe(0);
  }, 60_000);
});

describe("npm run deployment:create", () => {
  it("prints the new key alone on its last line, and the key works", async () => {
    const services = inject("services");
    const { stdout } = await exec("npm", ["run", "--silent", "deployment:create", "--", "--name", "cli-test"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: services.DATABASE_URL },
    });
    const lines = stdout.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^sk_test_[A-Za-z0-9_-]{32}$/);
    const { authenticateSecretKey } = await import("@svc/users");
    const { createDb } = await import("@svc/db");
    const db = createDb({ url: services.DATABASE_URL, poolSize: 1 });
    try {
      expect(await authenticateSecretKey(db, lines.at(-1) as string)).toMatchObject({ deploymentId: expect.stringMatching(/^dep_/) });
    } finally {
      await db.$disconnect();
    }
  }, 30_000);
});
