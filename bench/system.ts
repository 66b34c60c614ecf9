/**
 * Where the machine's CPU went during a phase (Linux /proc; zeros elsewhere), and an optional
 * sampling CPU profile of this thread (node:inspector), summarised by package / project file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

export interface CpuSample {
  at: number;
  /** Whole machine, in ticks: busy (everything but idle and iowait), of which interrupts (irq + softirq) and steal. */
  machineBusy: number;
  machineTotal: number;
  interrupts: number;
  steal: number;
  /** Ticks (utime + stime) per process: pid → [command, ticks]. */
  procs: Map<number, [string, number, number]>;
  /** This Node process (every thread), microseconds. */
  node: NodeJS.CpuUsage;
}

export interface CpuUse {
  seconds: number;
  /** Cores' worth of CPU (e.g. 1.7 of 2). */
  machineCores: number;
  /** All postgres processes (server + backends). */
  postgresCores: number;
  nodeCores: number;
  /** Interrupt handling (irq + softirq: e.g. loopback TCP) and hypervisor steal. */
  interruptCores: number;
  stealCores: number;
  /** Other programs: high values spoil the figures. */
  otherCores: number;
  /** The busiest other programs. */
  others: { command: string; cores: number }[];
  cores: number;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The bench database's postmaster (set by the bench): only its processes count as "postgres". */
let ourPostmaster: number | null = null;

/**
 * Counts as "postgres" only the server with this backend (the postmaster is its parent): other
 * clusters on the machine (e.g. other test runs) are "other programs". Without it (a remote
 * server), every local postgres process counts.
 */
export function setBenchServerBackendPid(backendPid: number): void {
  const status = read(`/proc/${backendPid}/status`);
  const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  ourPostmaster = Number.isInteger(ppid) && ppid > 1 ? ppid : null;
}

function processTicks(): Map<number, [string, number, number]> {
  const out = new Map<number, [string, number, number]>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line; after "pid (comm) " they are at index 11 and 12.
    out.set(Number(pid), [comm, Number(fields[11]) + Number(fields[12]), Number(fields[1])]);
  }
  return out;
}

export function sampleCpu(): CpuSample {
  const line = read('/proc/stat').split('\n')[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map((x) => (Number.isFinite(Number(x)) ? Number(x) : 0));
  const at = (i: number) => n[i] ?? 0;
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return {
    at: performance.now(),
    machineBusy: total - at(3) - at(4),
    machineTotal: total,
    interrupts: at(5) + at(6),
    steal: at(7),
    procs: processTicks(),
    node: process.cpuUsage(),
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample, cores: number): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const totalTicks = b.machineTotal - a.machineTotal;
  const share = (ticks: number) => (totalTicks > 0 ? (ticks / totalTicks) * cores : 0);
  const perSec = (ticks: number) => ticks / TICKS_PER_SEC / seconds;
  let postgres = 0;
  const others = new Map<string, number>();
  for (const [pid, [comm, ticks, ppid]] of b.procs) {
    if (pid === process.pid) continue;
    const delta = ticks - (a.procs.get(pid)?.[1] ?? 0);
    if (delta <= 0) continue;
    const isPostgres = comm === 'postgres' || comm === 'postmaster';
    const ours = ourPostmaster === null || pid === ourPostmaster || ppid === ourPostmaster;
    if (isPostgres && ours) postgres += delta;
    else others.set(isPostgres ? 'postgres (other clusters)' : comm, (others.get(isPostgres ? 'postgres (other clusters)' : comm) ?? 0) + delta);
  }
  const nodeMicros = b.node.user - a.node.user + (b.node.system - a.node.system);
  let otherTicks = 0;
  for (const t of others.values()) otherTicks += t;
  return {
    seconds,
    machineCores: share(b.machineBusy - a.machineBusy),
    postgresCores: perSec(postgres),
    nodeCores: nodeMicros / 1e6 / seconds,
    interruptCores: share(b.interrupts - a.interrupts),
    stealCores: share(b.steal - a.steal),
    otherCores: perSec(otherTicks),
    others: [...others]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([command, t]) => ({ command, cores: perSec(t) })),
    cores,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU profile of the main thread
// ---------------------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export class MainThreadProfiler {
  private session: Session | null = null;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  /** Stops, writes the .cpuprofile (open it in Chrome DevTools) and returns it. */
  async stop(file: string): Promise<CpuProfile> {
    if (!this.session) throw new Error('profiler not started');
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await this.session.post('Profiler.disable');
    this.session.disconnect();
    this.session = null;
    await fs.writeFile(file, JSON.stringify(profile));
    return profile;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** "pkg" for node_modules/pkg/..., "core/x.ts" for project files, "node:internal", or the V8 pseudo-frame. */
function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/v8)';
  if (url.startsWith('node:')) return 'node: (runtime)';
  const p = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = p.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (p.startsWith(ROOT)) {
    const rel = path.relative(ROOT, p);
    return rel.startsWith('generated') ? 'generated/prisma' : rel;
  }
  return p;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time of the samples whose stack contains a frame of each kind (kinds overlap). */
  inclusive: { name: string; ms: number; pct: number }[];
  byBucket: { bucket: string; ms: number; pct: number }[];
  topFunctions: { fn: string; where: string; ms: number; pct: number }[];
}

type Frame = ProfileNode['callFrame'];
const INCLUSIVE: { name: string; match: (f: Frame) => boolean }[] = [
  { name: 'Prisma client runtime (query building, compiling, interpreting, mapping)', match: (f) => f.url.includes('@prisma/client/runtime') },
  { name: '  of which the query compiler (wasm compile)', match: (f) => f.functionName === 'compile' && f.url.includes('query_compiler') },
  { name: 'pg Client#query (encode + socket write)', match: (f) => f.functionName === 'query' && f.url.endsWith('pg/lib/client.js') },
  { name: '  of which the write syscall (writev)', match: (f) => f.functionName === 'writev' && !f.url },
  { name: 'socket reads + Postgres protocol parsing', match: (f) => f.functionName === 'onStreamRead' },
  { name: 'pg-pool (acquire / release)', match: (f) => f.url.includes('pg-pool/') },
  { name: 'fastify (HTTP routing, hooks, validation, serialisation)', match: (f) => f.url.includes('/fastify/') },
  { name: 'decimal.js', match: (f) => f.url.includes('decimal.js') },
  { name: 'pg-boss', match: (f) => f.url.includes('pg-boss/') },
  { name: 'synthetic market feed (book rebuilds)', match: (f) => f.url.includes('synthetic-feed') },
  { name: 'bench instrumentation', match: (f) => f.url.includes('bench/instrument') },
  { name: 'garbage collector', match: (f) => f.functionName === '(garbage collector)' },
  { name: 'idle', match: (f) => f.functionName === '(idle)' },
];

/** Self time per bucket and per function, and inclusive time of a few kinds of frame. */
export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const buckets = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const bucket = bucketOf(url, functionName || '(anonymous)');
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const fn = functionName || '(anonymous)';
    const where = url ? `${bucket}:${lineNumber + 1}` : bucket;
    const key = `${fn}@${where}`;
    const f = fns.get(key) ?? { fn, where, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const pct = (us: number) => (total ? (100 * us) / total : 0);
  const inclusiveUs = INCLUSIVE.map(() => 0);
  for (const [id, us] of selfUs) {
    const hit = INCLUSIVE.map(() => false);
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      INCLUSIVE.forEach((k, i) => {
        if (!hit[i] && k.match(frame)) hit[i] = true;
      });
    }
    hit.forEach((h, i) => {
      if (h) inclusiveUs[i]! += us;
    });
  }
  return {
    totalMs: total / 1000,
    inclusive: INCLUSIVE.map((k, i) => ({ name: k.name, ms: inclusiveUs[i]! / 1000, pct: pct(inclusiveUs[i]!) })),
    byBucket: [...buckets].sort((a, b) => b[1] - a[1]).map(([bucket, us]) => ({ bucket, ms: us / 1000, pct: pct(us) })),
    topFunctions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ fn: f.fn, where: f.where, ms: f.us / 1000, pct: pct(f.us) })),
  };
}
