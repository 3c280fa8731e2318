// Child processes of the bench: the services under test, the baselines and the
// load generators. Every child is registered so that it is stopped when the
// bench ends, on success, on failure, and on Ctrl-C.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Stops every child still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(graceMs = 8_000): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, graceMs)));
}

export async function stopChild(child: ChildProcess, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

let hooked = false;
/** Last-resort cleanup: signals and a synchronous kill of whatever is left when the process exits. */
export function installCleanup(onSignal: () => Promise<void>): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}, stopping child processes…`);
      onSignal().finally(() => process.exit(130));
    });
  }
}

export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** The last lines the service wrote, for error messages. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

/** Starts an entry point as its own Node process: a .js bundle as is, TypeScript through tsx's loader (no wrapper process). */
export function startService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nodeArgs: string[] = [],
): Service {
  const logFile = path.join(logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = track(
    spawn(process.execPath, [...nodeArgs, ...(entry.endsWith(".ts") ? ["--import", "tsx"] : []), entry], {
      cwd: ROOT,
      env,
      stdio: ["ignore", fd, fd],
    }),
  );
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  return {
    name,
    child,
    pid: child.pid,
    logFile,
    tail(lines = 20) {
      try {
        return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
    stop: () => stopChild(child),
  };
}

/**
 * Runs a bench script (bench/baselines/*, bench/load/*) in a child process:
 * sends it `input` over IPC and resolves with the one message it answers.
 */
export function runScript<I, O>(script: string, input: I, env: NodeJS.ProcessEnv = process.env): Promise<O> {
  return new Promise<O>((resolve, reject) => {
    const child = track(
      fork(path.join(ROOT, script), [], { cwd: ROOT, env, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "pipe", "ipc"] }),
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000);
    });
    let answer: { ok: true; value: O } | { ok: false; error: string } | undefined;
    child.on("message", (message) => {
      answer = message as typeof answer;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (answer?.ok) resolve(answer.value);
      else if (answer) reject(new Error(`${script}: ${answer.error}`));
      else reject(new Error(`${script} exited (${signal ?? code}) without an answer\n${stderr}`));
    });
    child.send(input as object);
  });
}

/**
 * Starts a bench server script (bare Express, naive sharp) that answers with
 * `{ port }` over IPC once it listens; it runs until stopped.
 */
export function startScriptServer(script: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ port: number; pid: number; stop(): Promise<void> }>((resolve, reject) => {
    const child = track(fork(path.join(ROOT, script), [], { cwd: ROOT, env, execArgv: ["--import", "tsx"] }));
    child.once("message", (message) => {
      const { port } = message as { port: number };
      resolve({ port, pid: child.pid as number, stop: () => stopChild(child, 3_000) });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

/** For scripts run by runScript: read the input, run, answer once, exit. */
export function serveOnce<I, O>(run: (input: I) => Promise<O>): void {
  process.once("message", (input) => {
    run(input as I).then(
      (value) => process.send?.({ ok: true, value }, () => process.exit(0)),
      (error: unknown) =>
        process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
          process.exit(1),
        ),
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it resolves true, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
