/**
 * `npm run bench`: orders per second over real HTTP against the whole product, and the database's
 * own ceiling on the same server, in one run. Not a test: it prints a report and writes the figures
 * as JSON to the OS temp directory.
 *
 * Zero setup: without BENCH_DATABASE_URL / DATABASE_URL it starts an embedded PostgreSQL in a
 * temporary directory (removed at the end). Then startYesno() runs the product in this process
 * (HTTP on an ephemeral port, pg-boss workers, the synthetic market feed ticking every
 * BENCH_TICK_MS so the paper books refill), one user per client is created through POST /admin/users,
 * and a worker thread drives N closed-loop HTTP clients (keep-alive) against POST /api/v1/trading/order.
 *
 * Environment (all optional):
 *   BENCH_SECONDS=10          measured seconds per phase (orders and DB ceiling)
 *   BENCH_WARMUP_SECONDS=2    warm-up per order phase (not counted)
 *   BENCH_DB_SECONDS          measured seconds per DB-ceiling phase (default BENCH_SECONDS)
 *   BENCH_CLIENTS=1,8,32      concurrent HTTP clients per order phase
 *   BENCH_DB_CALLERS=32       concurrent callers in the DB-ceiling phases
 *   BENCH_ORDER=market        market: market buys of BENCH_AMOUNT USD; mixed: alternate market buys and resting limit buys
 *   BENCH_AMOUNT=5            USD per market buy
 *   BENCH_TICK_MS=100         synthetic feed tick (the paper venue's consumed liquidity returns on the next tick)
 *   BENCH_WORKERS=1           run the pg-boss workers (notification delivery) in-process, as `npm start` does
 *   BENCH_PG_FAST=0           1: embedded Postgres without fsync/synchronous_commit (not how the product runs)
 *   BENCH_PROFILE=0           1: sampling CPU profile of the server thread during the last order phase
 *   BENCH_LOG_LEVEL=warn      the product's log level
 *   BENCH_INSTRUMENT=1        0: no query counting / spans (a few % less overhead, no breakdown)
 *   BENCH_DATABASE_URL        use this database as is (it receives bench users, orders and a scratch table)
 *   DATABASE_URL              use a fresh scratch database created on this server (dropped at the end)
 *   BENCH_PGBENCH             path of pgbench (default: PATH, then /usr/lib/postgresql/<v>/bin)
 *   BENCH_TRIGGERS=1          0: skip the trigger-monitor benchmark (bench/triggers.ts, its own BENCH_TRIGGER_* settings)
 *   BENCH_NOTIFY=1            0: skip the notification benchmark (bench/notify.ts: fill notification latency and alert fan-out over Telegram, its own BENCH_NOTIFY_* settings)
 */
import { benchKalshiAdapter, formatKalshiAdapterBench } from './adapter-kalshi.ts';
import { benchPolymarketAdapter, formatPolymarketAdapterBench } from './adapter-polymarket.ts';
import { benchFollow, formatFollowReport } from './follow.ts';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance as nodePerformance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { pino } from 'pino';
import { diff, installPgInstrumentation, resetMaxima, snapshot, wrapSpan, type Snapshot, type StatTable } from './instrument.ts';
import { loadConfig } from '../core/config.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../core/db/embedded.ts';
import { startYesno, type Yesno } from '../main.ts';
import {
  createScratchTable,
  dropScratchTable,
  findPgbench,
  pgbenchInserts,
  pgPoolInserts,
  prismaInserts,
  NODE_POOL_MAX,
  type LoopResult,
} from './db-ceiling.ts';
import type { PhaseRequest, PhaseResult, WorkerInit } from './load-worker.ts';
import { formatTriggersReport, runTriggersBench, triggersBenchOptionsFromEnv } from './triggers.ts';
import { formatNotifyReport, notifyBenchOptionsFromEnv, runNotifyBench } from './notify.ts';
import { MainThreadProfiler, cpuBetween, sampleCpu, setBenchServerBackendPid, summariseProfile, type CpuUse, type ProfileSummary } from './system.ts';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const env = process.env;
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const SECONDS = num(env.BENCH_SECONDS, 10);
const WARMUP_SECONDS = num(env.BENCH_WARMUP_SECONDS, 2);
const DB_SECONDS = num(env.BENCH_DB_SECONDS, SECONDS);
const CLIENTS = (env.BENCH_CLIENTS ?? '1,8,32').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const DB_CALLERS = num(env.BENCH_DB_CALLERS, 32);
const MODE: WorkerInit['mode'] = env.BENCH_ORDER === 'mixed' ? 'mixed' : 'market';
const AMOUNT = env.BENCH_AMOUNT ?? '5';
const TICK_MS = String(num(env.BENCH_TICK_MS, 100));
const WORKERS = env.BENCH_WORKERS !== '0';
const PG_FAST = env.BENCH_PG_FAST === '1';
const PROFILE = env.BENCH_PROFILE === '1';
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'warn';
const INSTRUMENT = env.BENCH_INSTRUMENT !== '0';
const CORES = os.availableParallelism();
const IDLE_SECONDS = num(env.BENCH_IDLE_SECONDS, 3);
const TARGET = { ordersPerSec: 500, p99Ms: 50, clients: 32 };

// Count and time every node-postgres query; no connection is open before this point.
if (INSTRUMENT) installPgInstrumentation();

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function summarise(latencies: number[]): LatencySummary {
  if (latencies.length === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = Float64Array.from(latencies).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '-');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function fmtRecord(r: Record<string, number>): string {
  const entries = Object.entries(r);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : 'none';
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'bench-stats' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface DbStats {
  xactCommit: number;
  xactRollback: number;
  tupInserted: number;
  tupUpdated: number;
}

async function dbStats(c: pg.Client): Promise<DbStats> {
  const { rows } = await c.query<{ xact_commit: string; xact_rollback: string; tup_inserted: string; tup_updated: string }>(
    'SELECT xact_commit, xact_rollback, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = current_database()',
  );
  const r = rows[0]!;
  return { xactCommit: Number(r.xact_commit), xactRollback: Number(r.xact_rollback), tupInserted: Number(r.tup_inserted), tupUpdated: Number(r.tup_updated) };
}

async function notifyBacklog(c: pg.Client): Promise<number> {
  const { rows } = await c
    .query<{ n: string }>(`SELECT count(*)::text AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active')`)
    .catch(() => ({ rows: [{ n: '-1' }] }));
  return Number(rows[0]!.n);
}

// ---------------------------------------------------------------------------------------------
// Database
// ---------------------------------------------------------------------------------------------

interface BenchDatabase {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

async function openBenchDatabase(): Promise<BenchDatabase> {
  if (env.BENCH_DATABASE_URL) {
    return { url: env.BENCH_DATABASE_URL, kind: 'BENCH_DATABASE_URL (used as is)', stop: async () => {} };
  }
  if (env.DATABASE_URL) {
    const base = new URL(env.DATABASE_URL);
    const name = `yesno_bench_${Date.now().toString(36)}_${process.pid}`;
    try {
      await withClient(env.DATABASE_URL, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
    } catch (err) {
      throw new Error(
        `bench: cannot create a scratch database on DATABASE_URL's server (${(err as Error).message}). ` +
          'Grant CREATEDB, or set BENCH_DATABASE_URL to a database the bench may fill.',
      );
    }
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: `scratch database ${name} on DATABASE_URL's server`,
      stop: async () => {
        await withClient(env.DATABASE_URL!, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).catch((e: Error) =>
          log(`could not drop ${name}: ${e.message}`),
        );
      },
    };
  }
  // mkdtemp makes a 0700 directory; as root the server runs as `postgres`, which must traverse it.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-bench-'));
  await fs.chmod(dir, 0o755);
  const port = await freePort();
  let server: EmbeddedPostgresHandle;
  try {
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'yesno_bench', fast: PG_FAST });
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  log(`embedded PostgreSQL in ${dir} on port ${port} (initdb ${server.timings.initdbMs} ms, start ${server.timings.startMs} ms)`);
  return {
    url: server.url,
    kind: `embedded PostgreSQL 18 (temp dir, ${PG_FAST ? 'fsync OFF (BENCH_PG_FAST=1)' : 'durable: fsync and synchronous_commit on, as the product runs'})`,
    stop: async () => {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Product
// ---------------------------------------------------------------------------------------------

async function adminCall<T>(address: string, token: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(route, address), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Spans around the phases of the order path (wrapping live instances; core is not modified). */
function instrumentOrderPath(app: Yesno): void {
  const { core } = app;
  const trading = core.trading as unknown as Record<string, unknown> & { deps: { adapters: Map<string, object> } };
  wrapSpan(trading, 'placeOrder', 'TradingService.placeOrder (total)', 'order');
  wrapSpan(trading, 'quote', '  quote (route: books in memory)');
  wrapSpan(trading, 'checkMaxSize', '  checkMaxSize (SELECT User)');
  wrapSpan(core.store, 'create', '  OrderStore.create (INSERT Order)');
  wrapSpan(trading, 'submit', '  submit (venue + apply)');
  for (const [venue, adapter] of trading.deps.adapters) wrapSpan(adapter, 'placeOrder', `    ${venue}.placeOrder (paper ledger)`);
  wrapSpan(core.store, 'applyVenueOrder', '    OrderStore.applyVenueOrder (tx)');
  wrapSpan(core.admin, 'isHalted', '  AdminService.isHalted (cached 1 s)');
  wrapSpan(core.users, 'authenticate', 'UserService.authenticate (cached 5 s)');
}

// ---------------------------------------------------------------------------------------------
// Order phases
// ---------------------------------------------------------------------------------------------

interface OrderPhase {
  clients: number;
  ok: number;
  ordersPerSec: number;
  latency: LatencySummary;
  errors: Record<string, number>;
  warmupErrors: Record<string, number>;
  statuses: Record<string, number>;
  /** Server side, from the main thread's snapshot window. */
  placeOrderCompleted: number;
  /** Per placed order: queries sent inside placeOrder, by the product's pool in the background (notification delivery), by pg-boss. */
  queriesPerOrder: { order: number; appBackground: number; jobs: number; total: number };
  queryBreakdown: { pool: string; context: string; label: string; perOrder: number; avgMs: number; maxMs: number }[];
  poolWaits: { pool: string; count: number; avgMs: number; maxMs: number }[];
  spans: { name: string; count: number; avgMs: number; maxMs: number }[];
  commitsPerOrder: number;
  rollbacks: number;
  cpu: CpuUse;
  mainEventLoopUtilization: number;
  /**
   * CPU per order (ms): the server's main thread (process.threadCpuUsage), this whole Node process
   * without the load-generating thread (the product: HTTP thread, GC and libuv helpers), Postgres.
   */
  cpuMsPerOrder: { serverThread: number; node: number; postgres: number };
  /** The order store's first-answer path in the window: one round trip, or fell back to the general transaction (by reason). */
  firstAnswer: { fast: number; fallback: Record<string, number> };
  /** Event-loop busy time of the server thread per order placed (ms). */
  serverBusyMsPerOrder: number;
  workerEventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  notifyBacklogAtEnd: number;
  notifyDrainMs: number | null;
  profile?: { file: string; summary: ProfileSummary };
}

class LoadDriver {
  private readonly worker: Worker;
  private listener: ((msg: { type: string; result?: PhaseResult; message?: string }) => void) | null = null;

  constructor(init: WorkerInit) {
    this.worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: init });
    this.worker.on('message', (m) => this.listener?.(m));
    this.worker.on('error', (err) => log(`load worker error: ${err.stack ?? err}`));
  }

  get elu() {
    return this.worker.performance.eventLoopUtilization();
  }

  /** CPU time of the load-generating thread so far (µs). */
  async cpu(): Promise<number> {
    const u = await this.worker.cpuUsage();
    return u.user + u.system;
  }

  eluBetween(a: ReturnType<Worker['performance']['eventLoopUtilization']>, b: ReturnType<Worker['performance']['eventLoopUtilization']>): number {
    return this.worker.performance.eventLoopUtilization(b, a).utilization;
  }

  /** Runs a phase; `onMeasuring` / `onMeasured` fire at the window's start and end (worker clock). */
  run(phase: PhaseRequest, onMeasuring: () => void | Promise<void>, onMeasured: () => void | Promise<void>): Promise<PhaseResult> {
    return new Promise((resolve, reject) => {
      const pending: Promise<void>[] = [];
      this.listener = (m) => {
        if (m.type === 'measuring') pending.push(Promise.resolve(onMeasuring()));
        else if (m.type === 'measured') pending.push(Promise.resolve(onMeasured()));
        else if (m.type === 'done') Promise.all(pending).then(() => resolve(m.result!), reject);
        else if (m.type === 'failed') reject(new Error(m.message));
      };
      this.worker.postMessage({ type: 'run', phase });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function perOrderBreakdown(d: Snapshot, orders: number) {
  const rows: OrderPhase['queryBreakdown'] = [];
  let order = 0;
  let appBackground = 0;
  let jobs = 0;
  for (const [key, s] of d.queries) {
    const [pool, ctx, label] = key.split('\t') as [string, string, string];
    if (pool.startsWith('bench')) continue;
    if (ctx === 'order') order += s.count;
    else if (pool === 'app') appBackground += s.count;
    else jobs += s.count;
    rows.push({ pool, context: ctx, label, perOrder: orders ? s.count / orders : 0, avgMs: s.totalMs / s.count, maxMs: s.maxMs });
  }
  const rank = (r: { pool: string; context: string }) => (r.context === 'order' ? 0 : r.pool === 'app' ? 1 : 2);
  rows.sort((a, b) => rank(a) - rank(b) || b.perOrder - a.perOrder);
  return { rows, order, appBackground, jobs };
}

function spansOf(t: StatTable) {
  return [...t].map(([name, s]) => ({ name, count: s.count, avgMs: s.totalMs / s.count, maxMs: s.maxMs }));
}

const cpuMicros = (u: NodeJS.CpuUsage) => u.user + u.system;

/** Fast-path counters of the order store (core/orders/order-store.ts firstAnswerStats). */
function firstAnswerCounts(app: Yesno): { fast: number; fallback: Record<string, number> } {
  const stats = (app.core.store as unknown as { firstAnswerStats?: { fast: number; fallback: Map<string, number> } }).firstAnswerStats;
  return { fast: stats?.fast ?? 0, fallback: Object.fromEntries(stats?.fallback ?? []) };
}

async function runOrderPhase(app: Yesno, driver: LoadDriver, statsClient: pg.Client, clients: number, profileThis: boolean): Promise<OrderPhase> {
  let before: Snapshot | null = null;
  let thread0 = 0;
  let thread1 = 0;
  let proc0 = 0;
  let proc1 = 0;
  let load0 = 0;
  let load1 = 0;
  let fa0 = firstAnswerCounts(app);
  let fa1 = fa0;
  let after: Snapshot | null = null;
  let cpu0 = sampleCpu();
  let cpu1 = cpu0;
  let db0: DbStats | null = null;
  let db1: DbStats | null = null;
  let elu0 = nodePerformance.eventLoopUtilization();
  let elu1 = elu0;
  let welu0 = driver.elu;
  let welu1 = welu0;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const profiler = profileThis ? new MainThreadProfiler() : null;
  let profile: OrderPhase['profile'];

  const result = await driver.run(
    { clients, warmupMs: WARMUP_SECONDS * 1000, measureMs: SECONDS * 1000 },
    async () => {
      resetMaxima();
      before = snapshot();
      load0 = await driver.cpu();
      thread0 = cpuMicros(process.threadCpuUsage());
      proc0 = cpuMicros(process.cpuUsage());
      fa0 = firstAnswerCounts(app);
      cpu0 = sampleCpu();
      elu0 = nodePerformance.eventLoopUtilization();
      welu0 = driver.elu;
      delay.enable();
      if (profiler) await profiler.start();
      db0 = await dbStats(statsClient);
    },
    async () => {
      after = snapshot();
      cpu1 = sampleCpu();
      thread1 = cpuMicros(process.threadCpuUsage());
      proc1 = cpuMicros(process.cpuUsage());
      fa1 = firstAnswerCounts(app);
      load1 = await driver.cpu();
      elu1 = nodePerformance.eventLoopUtilization(elu0);
      welu1 = driver.elu;
      delay.disable();
      if (profiler) {
        const file = path.join(os.tmpdir(), `yesno-bench-${Date.now()}-${clients}clients.cpuprofile`);
        const p = await profiler.stop(file);
        profile = { file, summary: summariseProfile(p) };
      }
      // pg_stat_database is flushed by backends at most once a second: give it a moment.
      await new Promise((r) => setTimeout(r, 1100));
      db1 = await dbStats(statsClient);
    },
  );
  // Without instrumentation (BENCH_INSTRUMENT=0) there are no spans: count the 201 answers instead.
  const d = before && after ? diff(before, after) : { queries: new Map(), poolWaits: new Map(), spans: new Map() };
  const placed = d.spans.get('TradingService.placeOrder (total)')?.count ?? result.ok;
  const cpu = cpuBetween(cpu0, cpu1, CORES);
  const perOrder = (micros: number) => (placed ? micros / 1000 / placed : NaN);
  const { rows, order, appBackground, jobs } = perOrderBreakdown(d, placed);
  const backlog = await notifyBacklog(statsClient);
  // Let the notification workers catch up before the next phase (bounded).
  let drainMs: number | null = null;
  if (WORKERS) {
    const t0 = performance.now();
    let left = backlog;
    while (left > 0 && performance.now() - t0 < 15_000) {
      await new Promise((r) => setTimeout(r, 250));
      left = await notifyBacklog(statsClient);
    }
    drainMs = left <= 0 ? performance.now() - t0 : null;
  }
  return {
    clients,
    ok: result.ok,
    ordersPerSec: result.ok / (result.windowMs / 1000),
    latency: summarise(result.latencies),
    errors: result.errors,
    warmupErrors: result.warmupErrors,
    statuses: result.statuses,
    placeOrderCompleted: placed,
    queriesPerOrder: {
      order: placed ? order / placed : 0,
      appBackground: placed ? appBackground / placed : 0,
      jobs: placed ? jobs / placed : 0,
      total: placed ? (order + appBackground + jobs) / placed : 0,
    },
    queryBreakdown: rows,
    poolWaits: [...d.poolWaits].filter(([p]) => !p.startsWith('bench')).map(([pool, s]) => ({ pool, count: s.count, avgMs: s.totalMs / s.count, maxMs: s.maxMs })),
    spans: spansOf(d.spans),
    commitsPerOrder: placed && db0 && db1 ? ((db1 as DbStats).xactCommit - (db0 as DbStats).xactCommit) / placed : NaN,
    rollbacks: db0 && db1 ? (db1 as DbStats).xactRollback - (db0 as DbStats).xactRollback : NaN,
    cpu,
    cpuMsPerOrder: {
      serverThread: perOrder(thread1 - thread0),
      node: perOrder(proc1 - proc0 - (load1 - load0)),
      postgres: perOrder(cpu.postgresCores * cpu.seconds * 1e6),
    },
    firstAnswer: {
      fast: fa1.fast - fa0.fast,
      fallback: Object.fromEntries(Object.entries(fa1.fallback).map(([k, v]) => [k, v - (fa0.fallback[k] ?? 0)]).filter(([, v]) => (v as number) > 0)),
    },
    mainEventLoopUtilization: elu1.utilization,
    serverBusyMsPerOrder: elu1.active / (placed || result.ok),
    workerEventLoopUtilization: driver.eluBetween(welu0, welu1),
    eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    notifyBacklogAtEnd: backlog,
    notifyDrainMs: drainMs,
    profile,
  };
}

/** CPU with the product up and no orders (feed ticking, monitors, workers): the fixed background. */
interface IdleCpu {
  seconds: number;
  serverThreadCores: number;
  nodeCores: number;
  postgresCores: number;
  otherCores: number;
}

async function measureIdle(seconds: number): Promise<IdleCpu> {
  const c0 = sampleCpu();
  const t0 = cpuMicros(process.threadCpuUsage());
  const p0 = cpuMicros(process.cpuUsage());
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const t1 = cpuMicros(process.threadCpuUsage());
  const p1 = cpuMicros(process.cpuUsage());
  const c = cpuBetween(c0, sampleCpu(), CORES);
  return { seconds: c.seconds, serverThreadCores: (t1 - t0) / 1e6 / c.seconds, nodeCores: (p1 - p0) / 1e6 / c.seconds, postgresCores: c.postgresCores, otherCores: c.otherCores };
}

/**
 * The benchmark's further sections, each with the env switch that skips it. Each runs after the
 * order phases, on its own database; add a section here to have `npm run bench` run and print it.
 */
const SECTIONS: { name: string; skipWith: string; run: () => Promise<string> }[] = [
  // Issue 5: the trigger monitors (price update → order at the venue adapter, vs a naive scan).
  {
    name: 'trigger monitors (bench/triggers.ts)',
    skipWith: 'BENCH_TRIGGERS',
    run: async () => formatTriggersReport(await runTriggersBench(triggersBenchOptionsFromEnv((line) => log(`  ${line}`), { ownDatabase: true }))),
  },
  // Issue 4: fill notification latency and alert fan-out through the real Telegram bot against the fake Bot API.
  {
    name: 'notifications (bench/notify.ts)',
    skipWith: 'BENCH_NOTIFY',
    run: async () => formatNotifyReport(await runNotifyBench(notifyBenchOptionsFromEnv((line) => log(`  ${line}`)))),
  },
  // Issue 3: each live adapter's own cost per order (signing, encoding, parsing) vs the round trip to its local fake venue.
  {
    name: 'Polymarket adapter (bench/adapter-polymarket.ts)',
    skipWith: 'BENCH_ADAPTERS',
    run: async () => formatPolymarketAdapterBench(await benchPolymarketAdapter({ orders: Number(env.BENCH_PM_ORDERS ?? 200) })),
  },
  {
    name: 'Kalshi adapter (bench/adapter-kalshi.ts)',
    skipWith: 'BENCH_ADAPTERS',
    run: async () => formatKalshiAdapterBench(await benchKalshiAdapter({ orders: Number(env.BENCH_KALSHI_ORDERS ?? 500) })),
  },
  // Issue 6: target trade seen → our order at the adapter, and the polling cost of 1,000 followed wallets.
  {
    name: 'following wallets (bench/follow.ts)',
    skipWith: 'BENCH_FOLLOW',
    run: async () => formatFollowReport(await benchFollow({ log: (line) => log(`  ${line}`) })),
  },
];

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  log(`${CORES} CPU cores, Node ${process.version}; phases: ${CLIENTS.join(', ')} clients × (${WARMUP_SECONDS} s warm-up + ${SECONDS} s), DB ceiling ${DB_CALLERS} callers × ${DB_SECONDS} s`);
  const q0 = sampleCpu();
  await new Promise((r) => setTimeout(r, 1000));
  const quiet = cpuBetween(q0, sampleCpu(), CORES);
  if (quiet.machineCores > 0.25) {
    log(
      `!! the machine is already ${f2(quiet.machineCores)} of ${CORES} cores busy before the bench starts ` +
        `(${quiet.others.map((o) => `${o.command} ${f2(o.cores)}`).join(', ')}): the figures will be pessimistic`,
    );
  }
  const db = await openBenchDatabase();
  // Postgres CPU: only this server's processes (other clusters on the machine count as other programs).
  await withClient(db.url, async (c) => setBenchServerBackendPid((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid)).catch(() => {});
  let app: Yesno | null = null;
  let driver: LoadDriver | null = null;
  try {
    const adminToken = randomBytes(24).toString('hex');
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      DATA_DIR: path.join(os.tmpdir(), 'yesno-bench-unused'),
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: LOG_LEVEL,
      MARKET_TICK_MS: TICK_MS,
      // The synthetic catalog: never the venues' real endpoints (MARKET_DATA=auto would probe them).
      MARKET_DATA: 'synthetic',
      PAPER_BALANCE: '10000000',
      RATE_LIMIT_PER_MIN: '100000000',
      RUN_WORKERS: WORKERS ? 'true' : 'false',
    });
    const tStart = performance.now();
    app = await startYesno(config, { http: true, workers: WORKERS, log: pino({ level: config.LOG_LEVEL }) });
    const address = app.address!;
    log(`yesno started in ${f0(performance.now() - tStart)} ms at ${address} (database: ${db.kind}; feed tick ${TICK_MS} ms; workers ${WORKERS ? 'on' : 'off'})`);
    if (INSTRUMENT) instrumentOrderPath(app);

    const maxClients = Math.max(...CLIENTS);
    const clients: { token: string }[] = [];
    for (let i = 0; i < maxClients; i++) {
      const r = await adminCall<{ apiToken: string }>(address, adminToken, 'POST', '/admin/users', { name: `bench-${i + 1}` });
      clients.push({ token: r.apiToken });
    }
    const { markets } = await adminCall<{ markets: { id: string; status: string }[] }>(address, clients[0]!.token, 'GET', '/api/v1/markets?limit=100');
    const open = markets.filter((m) => m.status === 'open').map((m) => m.id);
    if (open.length === 0) throw new Error('bench: no open market in the catalog');
    log(`${clients.length} users created through POST /admin/users; ${open.length} open markets; orders: ${MODE === 'market' ? `market buys of $${AMOUNT} (YES, spread over the markets)` : `alternating market buys of $${AMOUNT} and limit GTC buys of 5 YES @ 0.05`}`);

    log(`background with no orders (${IDLE_SECONDS} s) …`);
    const idle = await measureIdle(IDLE_SECONDS);
    driver = new LoadDriver({ address, clients, markets: open, mode: MODE, amount: AMOUNT });
    const statsClient = new pg.Client({ connectionString: db.url, application_name: 'bench-stats' });
    await statsClient.connect();

    const phases: OrderPhase[] = [];
    let failedReasons: { reason: string; count: number }[] = [];
    try {
      for (const [i, n] of CLIENTS.entries()) {
        log(`orders: ${n} client${n > 1 ? 's' : ''} …`);
        const phase = await runOrderPhase(app, driver, statsClient, n, PROFILE && i === CLIENTS.length - 1);
        phases.push(phase);
        log(
          `  ${f0(phase.ordersPerSec)} orders/s, p50 ${f1(phase.latency.p50)} ms, p99 ${f1(phase.latency.p99)} ms, errors: ${fmtRecord(phase.errors)}` +
            `, notify backlog ${phase.notifyBacklogAtEnd}${phase.notifyDrainMs !== null ? ` (drained in ${f0(phase.notifyDrainMs)} ms)` : ''}`,
        );
      }
      failedReasons = await statsClient
        .query<{ reason: string; n: string }>(
          `SELECT COALESCE("failureReason", '(none)') AS reason, count(*)::text AS n FROM "Order" WHERE status IN ('failed', 'cancelled') GROUP BY 1 ORDER BY count(*) DESC LIMIT 5`,
        )
        .then((r) => r.rows.map((x) => ({ reason: x.reason, count: Number(x.n) })));
    } finally {
      await statsClient.end();
    }
    await driver.terminate();
    driver = null;

    // DB ceiling, same server, same database. The product stays up; its market feed is stopped so
    // that per-book-update background work (quotes, automation monitors) does not compete.
    await app.feed.stop();
    log(`DB ceiling: single-row INSERT transactions, ${DB_CALLERS} callers (market feed stopped) …`);
    await createScratchTable(db.url);
    const ceilings: LoopResult[] = [];
    const dbWarm = 1000;
    ceilings.push(...(await prismaInserts(db.url, DB_CALLERS, dbWarm, DB_SECONDS * 1000)));
    ceilings.push(await pgPoolInserts(db.url, DB_CALLERS, dbWarm, DB_SECONDS * 1000));
    const pgbench = findPgbench();
    if (pgbench) {
      try {
        ceilings.push(await pgbenchInserts(pgbench, db.url, DB_CALLERS, DB_SECONDS));
      } catch (err) {
        log(`pgbench failed, skipped: ${(err as Error).message}`);
      }
    } else {
      log('pgbench not found (PATH, /usr/lib/postgresql/*/bin): skipped');
    }
    await dropScratchTable(db.url).catch(() => {});

    report(phases, ceilings, db.kind, failedReasons, idle);
    const file = path.join(os.tmpdir(), `yesno-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await fs.writeFile(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cores: CORES, node: process.version, platform: `${os.type()} ${os.release()}`, cpu: os.cpus()[0]?.model },
          idle,
          settings: { SECONDS, WARMUP_SECONDS, DB_SECONDS, CLIENTS, DB_CALLERS, MODE, AMOUNT, TICK_MS, WORKERS, PG_FAST, database: db.kind, nodePoolMax: NODE_POOL_MAX },
          target: TARGET,
          failedReasons,
          orders: phases.map(({ profile, ...p }) => ({ ...p, profile: profile ? { file: profile.file, summary: profile.summary } : undefined })),
          dbCeiling: ceilings.map(({ latencies, ...c }) => ({ ...c, opsPerSec: c.tps ?? c.ops / (c.windowMs / 1000), latency: latencies.length ? summarise(latencies) : undefined })),
        },
        null,
        2,
      ),
    );
    log(`figures written to ${file}`);
    log(`total ${f1((performance.now() - t0) / 1000)} s`);
  } finally {
    if (driver) await driver.terminate().catch(() => 0);
    if (app) await app.stop();
    await db.stop();
  }
  for (const section of SECTIONS) {
    if (env[section.skipWith] === '0') continue;
    log(`${section.name} (${section.skipWith}=0 skips) …`);
    console.log(await section.run());
  }
}

function report(phases: OrderPhase[], ceilings: LoopResult[], dbKind: string, failedReasons: { reason: string; count: number }[], idle: IdleCpu): void {
  const out: string[] = [];
  const rate = (c: LoopResult) => c.tps ?? c.ops / (c.windowMs / 1000);
  const ref = ceilings[0] ? rate(ceilings[0]) : NaN;
  out.push('');
  out.push(`== Orders over HTTP (POST /api/v1/trading/order, ${MODE === 'market' ? `market buy $${AMOUNT}` : 'mixed'}), ${SECONDS} s each; database: ${dbKind}`);
  out.push(
    table(
      ['clients', 'orders/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-201', 'queries/order (placeOrder + bg)', 'commits/order', 'CPU ms/order: thread / node / pg', `÷ ${ceilings[0] ? 'Prisma INSERT tx/s' : 'DB'}`],
      phases.map((p) => [
        String(p.clients),
        f0(p.ordersPerSec),
        f1(p.latency.p50),
        f1(p.latency.p95),
        f1(p.latency.p99),
        f1(p.latency.max),
        String(Object.values(p.errors).reduce((a, b) => a + b, 0)),
        `${f1(p.queriesPerOrder.order)} + ${f1(p.queriesPerOrder.appBackground + p.queriesPerOrder.jobs)}`,
        f2(p.commitsPerOrder),
        `${f2(p.cpuMsPerOrder.serverThread)} / ${f2(p.cpuMsPerOrder.node)} / ${f2(p.cpuMsPerOrder.postgres)}`,
        f3(p.ordersPerSec / ref),
      ]),
    ),
  );
  for (const p of phases) {
    out.push(
      `  ${p.clients} clients: non-201 ${fmtRecord(p.errors)}; warm-up non-201 ${fmtRecord(p.warmupErrors)}; order statuses ${fmtRecord(p.statuses)}; rollbacks ${p.rollbacks}; ` +
        `first venue answer in one round trip ${p.firstAnswer.fast}×, general transaction ${fmtRecord(p.firstAnswer.fallback)}`,
    );
  }
  out.push(
    `  CPU ms/order: the server's main thread, the Node process without the load generator, Postgres; it includes the fixed background, which with no orders ` +
      `(${f0(idle.seconds)} s) was: thread ${f2(idle.serverThreadCores)} cores, node ${f2(idle.nodeCores)}, postgres ${f2(idle.postgresCores)}` +
      `${idle.otherCores > 0.2 ? ` (other programs ${f2(idle.otherCores)} cores: noisy)` : ''}`,
  );
  if (failedReasons.length) out.push(`  failed/cancelled orders (201 answers, whole run): ${failedReasons.map((r) => `${r.count}× "${r.reason}"`).join('; ')}`);

  out.push('');
  out.push(`== Database ceiling (same server, scratch table), ${DB_CALLERS} concurrent callers, ${DB_SECONDS} s each; Node pools max ${NODE_POOL_MAX}`);
  out.push(
    table(
      ['path', 'tx/s', 'p50 ms', 'p99 ms', 'postgres cores', 'client cores', 'client µs/tx', 'errors'],
      ceilings.map((c) => {
        const l = summarise(c.latencies);
        const r = rate(c);
        // pgbench is a separate program: count it as the client.
        const client = c.cpu ? (c.tps ? (c.cpu.others.find((o) => o.command === 'pgbench')?.cores ?? NaN) : c.cpu.nodeCores) : NaN;
        return [
          c.name,
          f0(r),
          c.tps ? f1(c.avgLatencyMs ?? NaN) + ' (avg)' : f1(l.p50),
          c.tps ? '-' : f1(l.p99),
          f2(c.cpu?.postgresCores ?? NaN),
          f2(client),
          f0((client * 1e6) / r),
          fmtRecord(c.errors),
        ];
      }),
    ),
  );
  const last = phases[phases.length - 1];
  if (last) {
    out.push('');
    out.push(`== Ratios at ${last.clients} clients: orders/s ÷ DB single-insert tx/s`);
    for (const c of ceilings) out.push(`  ${c.name}: ${f0(last.ordersPerSec)} / ${f0(rate(c))} = ${f3(last.ordersPerSec / rate(c))}`);
    const met = last.clients === TARGET.clients && last.ordersPerSec >= TARGET.ordersPerSec && last.latency.p99 < TARGET.p99Ms;
    out.push(`  target (≥ ${TARGET.ordersPerSec} orders/s and p99 < ${TARGET.p99Ms} ms at ${TARGET.clients} clients): ${met ? 'MET' : 'MISSED'}`);
  }

  for (const p of phases) {
    out.push('');
    out.push(`== Where the time goes, ${p.clients} client${p.clients > 1 ? 's' : ''} (server side, ${p.placeOrderCompleted} placeOrder calls in the window)`);
    out.push(
      `  CPU: machine ${f2(p.cpu.machineCores)} of ${p.cpu.cores} cores busy: postgres ${f2(p.cpu.postgresCores)}, this Node process ${f2(p.cpu.nodeCores)}, ` +
        `interrupts ${f2(p.cpu.interruptCores)}, steal ${f2(p.cpu.stealCores)}, other programs ${f2(p.cpu.otherCores)}` +
        `${p.cpu.otherCores > 0.2 ? ` (!! ${p.cpu.others.map((o) => `${o.command} ${f2(o.cores)}`).join(', ')} were running too: figures are pessimistic)` : ''}\n  ` +
        `server thread event-loop utilisation ${f0(p.mainEventLoopUtilization * 100)}% = ${f2(p.serverBusyMsPerOrder)} ms busy per order, ` +
        `load-generator thread ${f0(p.workerEventLoopUtilization * 100)}%; server event-loop delay p99 ${f1(p.eventLoopDelayP99Ms)} ms`,
    );
    if (INSTRUMENT) {
      out.push(
        table(
          ['span', 'calls', 'avg ms', 'max ms'],
          p.spans.map((s) => [s.name, String(s.count), f2(s.avgMs), f1(s.maxMs)]),
        ),
      );
      out.push('');
      out.push(
        table(
          ['pool', 'sent from', 'query', 'per order', 'avg ms', 'max ms'],
          p.queryBreakdown
            .filter((q) => q.perOrder >= 0.01)
            .map((q) => [q.pool, q.context === 'order' ? 'placeOrder' : 'background', q.label, f2(q.perOrder), f2(q.avgMs), f1(q.maxMs)]),
        ),
      );
      out.push(
        `  queries per order: ${f1(p.queriesPerOrder.order)} inside placeOrder (the app pool: Prisma and raw node-postgres) + ${f1(p.queriesPerOrder.appBackground)} in the background on that pool ` +
          `(notification delivery) + ${f1(p.queriesPerOrder.jobs)} by pg-boss's own pool; ` +
          `pool waits: ${p.poolWaits.map((w) => `${w.pool} ${w.count}× avg ${f2(w.avgMs)} ms max ${f1(w.maxMs)} ms`).join('; ') || 'none'}`,
      );
    }
    if (p.profile) {
      out.push('');
      out.push(`  CPU profile of the server thread (${f0(p.profile.summary.totalMs)} ms sampled) → ${p.profile.file}`);
      out.push(table(['inclusive time (stack contains …)', 'ms', '%'], p.profile.summary.inclusive.map((b) => [b.name, f0(b.ms), f1(b.pct)])));
      out.push('');
      out.push(table(['self time by package / file', 'ms', '%'], p.profile.summary.byBucket.slice(0, 15).map((b) => [b.bucket, f0(b.ms), f1(b.pct)])));
      out.push('');
      out.push(table(['top functions (self)', 'where', 'ms', '%'], p.profile.summary.topFunctions.map((f) => [f.fn.slice(0, 50), f.where.slice(0, 70), f0(f.ms), f1(f.pct)])));
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
