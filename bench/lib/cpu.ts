// CPU accounting from /proc: what the API and worker spent per request, and
// how the machine's cores were shared between the bench, PostgreSQL/Redis and
// whatever else was running (the machine may be shared).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";

let ticks: number | undefined;
function ticksPerSecond(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** Own CPU seconds (utime + stime). */
  own: number;
  /** CPU seconds of children it has reaped (cutime + cstime). */
  reaped: number;
}

function readStat(pid: number | "self"): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const f = text.slice(close + 2).split(" ");
    const n = (i: number) => Number(f[i]);
    // after "pid (comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
    return {
      pid: pid === "self" ? process.pid : pid,
      ppid: n(1),
      comm,
      own: (n(11) + n(12)) / ticksPerSecond(),
      reaped: (n(13) + n(14)) / ticksPerSecond(),
    };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
  return busy / ticksPerSecond();
}

export interface CpuSnapshot {
  at: number;
  machine: number;
  bench: number;
  /** CPU seconds of each PostgreSQL or Redis process, by pid. */
  services: Map<number, number>;
  watched: Record<string, number>;
}

export interface CpuShare {
  seconds: number;
  /** Busy cores on the whole machine (0 … number of cores). */
  machineCores: number;
  /** Cores used by the bench process and all its descendants (API, worker, load, baselines). */
  benchCores: number;
  /** Cores used by PostgreSQL and Redis processes (of any client). */
  servicesCores: number;
  /** Everything else: other users of the machine. */
  otherCores: number;
  /** CPU seconds of each watched process (e.g. api, worker). */
  watched: Record<string, number>;
}

/** The bench's own CPU and its descendants', the database servers', and the machine's. */
export function cpuSnapshot(watch: Record<string, number> = {}): CpuSnapshot {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const self = readStat("self");
  let bench = self ? self.own + self.reaped : 0;
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const s = stack.pop() as ProcStat;
    bench += s.own + s.reaped;
    stack.push(...(children.get(s.pid) ?? []));
  }
  // The postmaster's reaped time holds the CPU of backends that have ended (pools that closed).
  const services = new Map(
    stats.filter((s) => s.comm === "postgres" || s.comm.startsWith("redis")).map((s) => [s.pid, s.own + s.reaped]),
  );
  const watched: Record<string, number> = {};
  for (const [name, pid] of Object.entries(watch)) {
    watched[name] = (pid === process.pid ? self?.own : stats.find((s) => s.pid === pid)?.own) ?? 0;
  }
  return { at: performance.now(), machine: machineBusySeconds(), bench, services, watched };
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuShare {
  const seconds = (b.at - a.at) / 1000;
  const per = (x: number) => (seconds > 0 ? x / seconds : 0);
  const machine = b.machine - a.machine;
  const bench = b.bench - a.bench;
  // Per process: a backend that ended in between takes its CPU with it (it then counts as "other").
  let services = 0;
  for (const [pid, own] of b.services) services += own - (a.services.get(pid) ?? 0);
  const watched: Record<string, number> = {};
  for (const name of Object.keys(b.watched)) watched[name] = (b.watched[name] ?? 0) - (a.watched[name] ?? 0);
  return {
    seconds,
    machineCores: per(machine),
    benchCores: per(bench),
    servicesCores: per(services),
    otherCores: Math.max(0, per(machine - bench - services)),
    watched,
  };
}

export const coreCount = () => os.cpus().length;
