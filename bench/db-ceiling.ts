/**
 * The database's own ceiling on this machine, measured on the same server as the order phases:
 * single-row INSERT transactions per second into a scratch table, with N concurrent callers,
 *
 *   - through Prisma + @prisma/adapter-pg (the product's driver), as one autocommit statement, raw
 *     ($executeRaw) and through the model API (an AuditLog row, deleted afterwards);
 *   - through Prisma + adapter-pg as an interactive transaction (BEGIN; INSERT; COMMIT), the shape
 *     the order path uses for its state changes;
 *   - through a plain node-postgres pool;
 *   - through pgbench (C, libpq), when it is installed: the server without any Node in the way.
 *
 * The Node pools have 16 connections, like the product's Prisma pool (main.ts: poolMax 16).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { cpuBetween, sampleCpu, type CpuUse } from './system.ts';

export const SCRATCH_TABLE = 'bench_insert';
export const NODE_POOL_MAX = 16;
const BENCH_ACTOR = 'bench:db-ceiling';

export interface LoopResult {
  name: string;
  callers: number;
  ops: number;
  windowMs: number;
  latencies: number[];
  errors: Record<string, number>;
  /** Set for pgbench (it reports its own figures). */
  tps?: number;
  avgLatencyMs?: number;
  note?: string;
  /** CPU during the measured window (Node: the whole process, callers included). */
  cpu?: CpuUse;
}

/**
 * Runs `callers` concurrent loops of `op` for warmupMs + measureMs and counts the operations that
 * completed inside the measured window.
 */
export async function closedLoop(name: string, callers: number, warmupMs: number, measureMs: number, op: (caller: number, seq: number) => Promise<unknown>): Promise<LoopResult> {
  const start = performance.now();
  const from = start + warmupMs;
  const to = from + measureMs;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let ops = 0;
  let cpu0 = sampleCpu();
  const t0 = setTimeout(() => (cpu0 = sampleCpu()), warmupMs);
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      let seq = 0;
      while (performance.now() < to) {
        const t0 = performance.now();
        try {
          await op(caller, seq++);
        } catch (err) {
          const key = (err as Error).message.slice(0, 80);
          errors[key] = (errors[key] ?? 0) + 1;
          continue;
        }
        const t1 = performance.now();
        if (t1 >= from && t1 <= to) {
          ops++;
          latencies.push(t1 - t0);
        }
      }
    }),
  );
  // The callers stop at the window's end (a few in-flight calls finish just after).
  const cpu1 = sampleCpu();
  clearTimeout(t0);
  return { name, callers, ops, windowMs: measureMs, latencies, errors, cpu: cpuBetween(cpu0, cpu1, os.availableParallelism()) };
}

export async function createScratchTable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, application_name: 'bench-admin' });
  await c.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS ${SCRATCH_TABLE}`);
    await c.query(`CREATE TABLE ${SCRATCH_TABLE} (id bigserial PRIMARY KEY, caller int NOT NULL, v text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  } finally {
    await c.end();
  }
}

export async function dropScratchTable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, application_name: 'bench-admin' });
  await c.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS ${SCRATCH_TABLE}`);
  } finally {
    await c.end();
  }
}

export async function prismaInserts(url: string, callers: number, warmupMs: number, measureMs: number): Promise<LoopResult[]> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: NODE_POOL_MAX, application_name: 'bench-prisma' }) });
  try {
    await prisma.$executeRaw`SELECT 1`;
    const autocommit = await closedLoop('Prisma+adapter-pg INSERT (autocommit)', callers, warmupMs, measureMs, (caller, seq) =>
      prisma.$executeRawUnsafe(`INSERT INTO ${SCRATCH_TABLE} (caller, v) VALUES ($1, $2)`, caller, `p${seq}`),
    );
    // The ORM path (query compiler + result mapping), as the product's own writes go; rows removed below.
    const model = await closedLoop('Prisma+adapter-pg model create (AuditLog row)', callers, warmupMs, measureMs, (caller, seq) =>
      prisma.auditLog.create({ data: { actor: BENCH_ACTOR, action: 'bench.insert', subject: `c${caller}`, details: { seq } } }),
    );
    await prisma.auditLog.deleteMany({ where: { actor: BENCH_ACTOR } });
    const interactive = await closedLoop('Prisma+adapter-pg $transaction(BEGIN;INSERT;COMMIT)', callers, warmupMs, measureMs, (caller, seq) =>
      prisma.$transaction((tx) => tx.$executeRawUnsafe(`INSERT INTO ${SCRATCH_TABLE} (caller, v) VALUES ($1, $2)`, caller, `t${seq}`)),
    );
    return [autocommit, model, interactive];
  } finally {
    await prisma.$disconnect();
  }
}

export async function pgPoolInserts(url: string, callers: number, warmupMs: number, measureMs: number): Promise<LoopResult> {
  const pool = new pg.Pool({ connectionString: url, max: NODE_POOL_MAX, application_name: 'bench-pg' });
  try {
    await pool.query('SELECT 1');
    return await closedLoop('node-postgres Pool INSERT (autocommit)', callers, warmupMs, measureMs, (caller, seq) =>
      pool.query(`INSERT INTO ${SCRATCH_TABLE} (caller, v) VALUES ($1, $2)`, [caller, `g${seq}`]),
    );
  } finally {
    await pool.end();
  }
}

/** pgbench from BENCH_PGBENCH, PATH, or /usr/lib/postgresql/<v>/bin; null when absent or broken. */
export function findPgbench(): string | null {
  const candidates: string[] = [];
  if (process.env.BENCH_PGBENCH) candidates.push(process.env.BENCH_PGBENCH);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'pgbench'));
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) candidates.push(path.join(base, v, 'bin', 'pgbench'));
  }
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const r = spawnSync(c, ['--version'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return c;
  }
  return null;
}

export async function pgbenchInserts(bin: string, url: string, clients: number, seconds: number): Promise<LoopResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-bench-pgbench-'));
  const script = path.join(dir, 'insert.sql');
  await fs.writeFile(script, `INSERT INTO ${SCRATCH_TABLE} (caller, v) VALUES (:client_id, 'b');\n`);
  await fs.chmod(dir, 0o755);
  const threads = Math.max(1, Math.min(clients, os.availableParallelism()));
  const args = ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(threads), '-T', String(seconds), '-f', script, url];
  try {
    let cpu0 = sampleCpu();
    let cpu1 = cpu0;
    // CPU over the middle of the run (pgbench's connections are gone once it exits).
    const t0 = setTimeout(() => (cpu0 = sampleCpu()), seconds * 100);
    const t1 = setTimeout(() => (cpu1 = sampleCpu()), seconds * 900);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PGAPPNAME: 'bench-pgbench' } });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), (seconds + 30) * 1000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(text);
        else reject(new Error(`pgbench exited with ${code}: ${text.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
    const tps = Number(out.match(/tps = ([\d.]+) \(without initial connection time\)/)?.[1] ?? out.match(/tps = ([\d.]+)/)?.[1]);
    const lat = Number(out.match(/latency average = ([\d.]+) ms/)?.[1]);
    const processed = Number(out.match(/number of transactions actually processed: (\d+)/)?.[1]);
    return {
      name: `pgbench INSERT (-c ${clients} -j ${threads}, prepared)`,
      callers: clients,
      ops: Number.isFinite(processed) ? processed : Math.round(tps * seconds),
      windowMs: seconds * 1000,
      latencies: [],
      errors: {},
      tps,
      avgLatencyMs: Number.isFinite(lat) ? lat : undefined,
      note: (out.match(/pgbench \(.*\)/)?.[0] ?? '').trim(),
      cpu: (clearTimeout(t0), clearTimeout(t1), cpuBetween(cpu0, cpu1, os.availableParallelism())),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
