// The fault suite's child processes: each one in a process group of its own,
// output to a log file, killed (group and all) when the suite ends however it ends.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Child {
  name: string;
  pid: number;
  log: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<string>;
  /** True while the process runs. */
  alive(): boolean;
}

const running = new Set<{ child: Child; proc: ChildProcess; expectedExit: boolean }>();
const unexpectedExits: string[] = [];
const exitHooks: (() => void)[] = [];

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logDir: string; uid?: number; gid?: number },
): Child {
  const log = path.join(options.logDir, `${name}.log`);
  const fd = openSync(log, "a");
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    // A group of its own: a kill reaches whatever the command started, and Ctrl-C
    // in the terminal reaches only the suite, which then stops everything in order.
    detached: true,
    stdio: ["ignore", fd, fd],
    uid: options.uid,
    gid: options.gid,
  });
  closeSync(fd);
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let alive = true;
  const entry = { child: undefined as unknown as Child, proc, expectedExit: false };
  const exited = new Promise<string>((resolve) => {
    proc.on("exit", (code, signal) => {
      alive = false;
      running.delete(entry);
      const how = signal ?? `code ${code}`;
      if (!entry.expectedExit) unexpectedExits.push(`${name} exited unexpectedly (${how}); log: ${log}`);
      resolve(how);
    });
    proc.on("error", (error) => {
      alive = false;
      running.delete(entry);
      unexpectedExits.push(`${name} failed to run: ${error.message}`);
      resolve("error");
    });
  });
  entry.child = { name, pid: proc.pid, log, exited, alive: () => alive };
  running.add(entry);
  return entry.child;
}

function entryOf(child: Child) {
  for (const entry of running) if (entry.child === child) return entry;
  return undefined;
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILL, as a crash would: no handler runs. The exit is expected, not a finding. */
export async function killChild(child: Child): Promise<void> {
  const entry = entryOf(child);
  if (!entry) return;
  entry.expectedExit = true;
  signalGroup(child.pid, "SIGKILL");
  await child.exited;
}

/** SIGTERM and a graceful stop; SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<string> {
  const entry = entryOf(child);
  if (!entry) return "gone";
  entry.expectedExit = true;
  signalGroup(child.pid, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), graceMs);
  const how = await child.exited;
  clearTimeout(timer);
  return how;
}

/** Children that died without being asked to, since the last call. */
export function takeUnexpectedExits(): string[] {
  return unexpectedExits.splice(0);
}

/** Runs `hook` (synchronously) when the suite exits, before the children are killed. */
export function onSuiteExit(hook: () => void) {
  exitHooks.push(hook);
}

/** Kills every child still running; safe to call from an 'exit' handler (synchronous). */
export function killAllChildren() {
  for (const hook of exitHooks.splice(0).reverse()) {
    try {
      hook();
    } catch {
      // keep cleaning up
    }
  }
  for (const entry of running) {
    entry.expectedExit = true;
    signalGroup(entry.child.pid, "SIGKILL");
  }
}

/** The last lines of a child's log, to show why something failed. */
export function logTail(child: Child, lines = 15): string {
  try {
    return readFileSync(child.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export function runSync(command: string, args: string[], options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options, timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(" ")} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

/** Like runSync, without blocking the event loop (the load keeps running meanwhile). */
export function run(command: string, args: string[], options: { uid?: number; gid?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (output += d.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} ${args.join(" ")} failed (${code}): ${output}`)),
    );
  });
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it is true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** True when `url` answers within a second, with `status` when one is given. */
export async function answers(url: string, status?: number): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await res.arrayBuffer();
  return status === undefined || res.status === status;
}
