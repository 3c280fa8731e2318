// The suite's own PostgreSQL cluster, Redis and S3 server, on ports of their
// own, so stopping them never touches the machine's shared services.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { answers, freePort, killChild, run, runSync, spawnChild, waitFor, type Child } from "./children";

export interface Postgres {
  url: string;
  /** `pg_ctl stop -m fast`: sessions are cut, in-flight transactions roll back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Synchronous, for exit handlers. */
  kill(): void;
}

/** The newest PostgreSQL server binaries installed (Debian keeps them out of PATH). */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], "bin");
  }
  return ""; // rely on PATH
}

/** initdb and postgres refuse to run as root; as root the cluster belongs to the `postgres` user. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("running as root needs a `postgres` user to own the test cluster");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(dir: string): Promise<Postgres> {
  const bin = postgresBin();
  const tool = (name: string) => (bin ? path.join(bin, name) : name);
  const owner = clusterOwner();
  const as = owner ?? {};
  const data = path.join(dir, "data");
  const sockets = path.join(dir, "sockets");
  mkdirSync(sockets, { recursive: true });
  if (owner) {
    // The suite's temp folder is private (0700); the postgres user only needs to pass through it.
    chmodSync(path.dirname(dir), 0o711);
    chownSync(dir, owner.uid, owner.gid);
    chownSync(sockets, owner.uid, owner.gid);
  }
  const port = await freePort();
  runSync(tool("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], as);
  const options = [
    `-p ${port}`,
    `-k ${sockets}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    // A throw-away cluster: durability is not what is under test, speed is welcome.
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
  ].join(" ");
  const log = path.join(dir, "postgres.log");
  const pgCtl = (...args: string[]) => run(tool("pg_ctl"), ["-D", data, ...args], as);
  const start = async () => {
    await pgCtl("-l", log, "-w", "-t", "60", "-o", options, "start");
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pgCtl("-w", "-t", "60", "-m", "fast", "stop");
    },
    start,
    kill: () => {
      try {
        runSync(tool("pg_ctl"), ["-D", data, "-m", "immediate", "stop"], as);
      } catch {
        // not running
      }
    },
  };
}

export interface Redis {
  url: string;
  /** SIGKILL: a crash of a Redis without persistence loses every job it held. */
  crash(): Promise<void>;
  start(): Promise<void>;
  isUp(): Promise<boolean>;
}

/** PING over a raw socket; true on +PONG. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(d.toString().startsWith("+PONG")));
  });
}

export async function startRedis(logDir: string): Promise<Redis> {
  const port = await freePort();
  let child: Child | undefined;
  let starts = 0;
  const start = async () => {
    child = spawnChild(
      `redis-${++starts}`,
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"],
      { logDir },
    );
    await waitFor("redis-server", () => redisPing(port), 15_000);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async crash() {
      if (child) await killChild(child);
      await waitFor("redis to be gone", async () => !(await redisPing(port)), 5_000);
    },
    start,
    isUp: () => redisPing(port),
  };
}

export interface S3Server {
  endpoint: string;
  /** SIGKILL: storage gone at once, requests in flight cut off. */
  crash(): Promise<void>;
  start(): Promise<void>;
  isUp(): Promise<boolean>;
  /**
   * Removes the half-written objects s3rver leaves behind (answers how many).
   * s3rver stores an object and its metadata as two files; a PUT cut off between
   * the two (server killed, client gone) leaves an object without metadata, which
   * S3 and MinIO never show, and which makes every later listing of its bucket a
   * 500. Removing it is what S3 would have done: a failed PUT stores nothing.
   */
  repair(): number;
}

function halfWrittenObjects(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith("._S3rver_object") && !existsSync(full.replace(/_object$/, "_metadata.json"))) found.push(full);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

/** scripts/s3-server.ts (s3rver) in a process of its own, its data in `dataDir` across restarts. */
export async function startS3(repo: string, dataDir: string, logDir: string): Promise<S3Server> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: Child | undefined;
  let starts = 0;
  const start = async () => {
    child = spawnChild(
      `s3-${++starts}`,
      process.execPath,
      ["--import", "tsx", "scripts/s3-server.ts", "--port", String(port), "--dir", dataDir, "--host", "127.0.0.1"],
      { cwd: repo, logDir },
    );
    await waitFor("the S3 server", () => answers(endpoint), 30_000);
  };
  await start();
  return {
    endpoint,
    async crash() {
      if (child) await killChild(child);
    },
    start,
    isUp: () => answers(endpoint).catch(() => false),
    repair() {
      const broken = halfWrittenObjects(dataDir);
      for (const file of broken) {
        rmSync(file, { force: true });
        rmSync(`${file}.md5`, { force: true });
      }
      return broken.length;
    },
  };
}
