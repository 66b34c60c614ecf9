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
  /** Whole machine, in ticks. */
  machineBusy: number;
  machineTotal: number;
  /** All postgres processes (server + backends), in ticks. */
  postgres: number;
  /** This Node process (every thread), microseconds. */
  node: NodeJS.CpuUsage;
}

export interface CpuUse {
  seconds: number;
  /** Cores' worth of CPU (e.g. 1.7 of 2). */
  machineCores: number;
  postgresCores: number;
  nodeCores: number;
  /** Everything else on the machine (kernel interrupts, other programs): high values spoil the figures. */
  otherCores: number;
  cores: number;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function postgresTicks(): number {
  let total = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    if (comm !== 'postgres' && comm !== 'postmaster') continue;
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is state; utime and stime are fields 14 and 15 of the whole line → index 11, 12 here.
    total += Number(fields[11]) + Number(fields[12]);
  }
  return total;
}

export function sampleCpu(): CpuSample {
  const line = read('/proc/stat').split('\n')[0] ?? '';
  const nums = line.trim().split(/\s+/).slice(1).map(Number);
  const total = nums.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (nums[3] ?? 0) + (nums[4] ?? 0);
  return { at: performance.now(), machineBusy: total - idle, machineTotal: total, postgres: postgresTicks(), node: process.cpuUsage() };
}

export function cpuBetween(a: CpuSample, b: CpuSample, cores: number): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const totalTicks = b.machineTotal - a.machineTotal;
  const machineCores = totalTicks > 0 ? ((b.machineBusy - a.machineBusy) / totalTicks) * cores : 0;
  const nodeMicros = b.node.user - a.node.user + (b.node.system - a.node.system);
  const postgresCores = (b.postgres - a.postgres) / TICKS_PER_SEC / seconds;
  const nodeCores = nodeMicros / 1e6 / seconds;
  return { seconds, machineCores, postgresCores, nodeCores, otherCores: Math.max(0, machineCores - postgresCores - nodeCores), cores };
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
  byBucket: { bucket: string; ms: number; pct: number }[];
  topFunctions: { fn: string; where: string; ms: number; pct: number }[];
}

/** Self time per bucket and per function. */
export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
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
  return {
    totalMs: total / 1000,
    byBucket: [...buckets].sort((a, b) => b[1] - a[1]).map(([bucket, us]) => ({ bucket, ms: us / 1000, pct: pct(us) })),
    topFunctions: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ fn: f.fn, where: f.where, ms: f.us / 1000, pct: pct(f.us) })),
  };
}
