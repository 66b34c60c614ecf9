/**
 * `npx tsx bench/follow.ts` (the lead wires benchFollow() into `npm run bench`): copy/counter-trading.
 *
 * (a) Latency: a target's trade seen (the data API answer containing it has arrived) → our order
 *     handed to the venue adapter (its placeOrder is wrapped to timestamp the call), delay 0, p50/p99
 *     over BENCH_FOLLOW_SAMPLES trades. Also from the start of the poll (includes the HTTP round trip).
 * (b) Polling cost of BENCH_FOLLOW_WALLETS (1,000) followed wallets per cycle against the local fake
 *     data API, which runs in its own process so the CPU figures are yesno's only: wall time and CPU
 *     (user + system of this process) per cycle, for quiet cycles (nothing new) and active ones (5 % of
 *     the wallets have a new trade, in markets yesno does not list: stored, one execution each,
 *     skipped with a message).
 *
 * Real code throughout: embedded PostgreSQL (durable unless BENCH_PG_FAST=1), Prisma, pg-boss job
 * port, TradingService + SmartRouter + paper venue, the follow engine, the data API client over HTTP.
 *
 * Environment (optional): BENCH_FOLLOW_SAMPLES=200  BENCH_FOLLOW_WALLETS=1000  BENCH_FOLLOW_CYCLES=10
 *   BENCH_PG_FAST=0  BENCH_DATABASE_URL (use this database as is)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createPrisma } from '../core/db/client.ts';
import { freePort, startEmbeddedPostgres } from '../core/db/embedded.ts';
import { createCore } from '../core/create-core.ts';
import { PolymarketDataApi } from '../core/exchanges/polymarket/data-api.ts';
import { createPaperRegistry } from '../core/exchanges/registry.ts';
import type { ExchangeAdapter, PlaceOrderRequest } from '../core/exchanges/types.ts';
import { createFollowEngine } from '../core/following/engine.ts';
import type { WalletTradeSource } from '../core/following/types.ts';
import { DEMO_CATALOG, demoConditionId, demoTokenId, seedCatalog } from '../core/markets/catalog.ts';
import { SyntheticMarketFeed } from '../core/markets/synthetic-feed.ts';
import { Decimal, dec } from '../core/money.ts';
import { createBoss, createJobPort, startBoss } from '../jobs/index.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { percentile, sortedCopy } from './stats.ts';

const env = process.env;
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const MARKET = 'apple-foldable-2026';

export interface FollowBenchOptions {
  samples?: number;
  wallets?: number;
  cycles?: number;
  pgFast?: boolean;
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface FollowBenchReport {
  setup: { cores: number; loadAvgAtStart: number; durable: boolean; pollConcurrency: number };
  /** Trade seen (data API answer in) → order handed to the adapter, delay 0. */
  latency: { samples: number; p50Ms: number; p99Ms: number; maxMs: number; pollToAdapterP50Ms: number; pollToAdapterP99Ms: number; orders: number };
  /** One polling cycle over `wallets` followed wallets. */
  polling: {
    wallets: number;
    quiet: { cycles: number; wallP50Ms: number; wallMaxMs: number; cpuP50Ms: number; requestsPerCycle: number };
    active: { cycles: number; newTradesPerCycle: number; wallP50Ms: number; wallMaxMs: number; cpuP50Ms: number };
  };
}

const pct = percentile;
const sorted = sortedCopy;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function startFakeProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fakes/polymarket/data-api-server.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake data API exited (${code})`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function addTrades(url: string, trades: { wallet: string; side: 'BUY' | 'SELL'; asset: string; size: number; price: number; timestamp?: number }[]): Promise<void> {
  for (let i = 0; i < trades.length; i += 500) {
    const res = await fetch(`${url}/__fake/trades`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trades: trades.slice(i, i + 500) }) });
    if (!res.ok) throw new Error(`fake data API: ${res.status}`);
  }
}

const walletOf = (i: number) => `0x${(0xbe000000 + i).toString(16).padStart(40, '0')}`;

export async function benchFollow(o: FollowBenchOptions = {}): Promise<FollowBenchReport> {
  const log = o.log ?? (() => {});
  const samples = o.samples ?? num(env.BENCH_FOLLOW_SAMPLES, 200);
  const walletCount = o.wallets ?? num(env.BENCH_FOLLOW_WALLETS, 1000);
  const cycles = o.cycles ?? num(env.BENCH_FOLLOW_CYCLES, 10);
  const pgFast = o.pgFast ?? env.BENCH_PG_FAST === '1';
  const loadAvgAtStart = os.loadavg()[0]!;
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  try {
    let url = o.databaseUrl ?? env.BENCH_DATABASE_URL;
    if (!url) {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-bench-follow-'));
      await fs.chmod(dir, 0o755);
      const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'yesno_bench', fast: pgFast });
      url = server.url;
      cleanup.unshift(async () => {
        await server.stop();
        await fs.rm(dir, { recursive: true, force: true });
      });
      log(`embedded PostgreSQL in ${dir} (${pgFast ? 'fsync OFF' : 'durable'})`);
    }
    await applyMigrations(url);
    const prisma = createPrisma(url, { poolMax: 16 });
    cleanup.unshift(() => prisma.$disconnect());
    await seedCatalog(prisma, DEMO_CATALOG);
    const fake = await startFakeProcess();
    cleanup.unshift(() => fake.child.kill('SIGTERM'));
    log(`fake data API (own process) at ${fake.url}`);

    const quiet = pino({ level: 'warn' });
    const boss = createBoss({ connectionString: url, log: quiet, supervise: false });
    await startBoss(boss);
    cleanup.unshift(() => boss.stop({ graceful: false, timeout: 1000 }));
    const jobs = createJobPort(boss);
    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: 7, tickMs: 0 });
    feed.setBook('polymarket', demoConditionId(MARKET), { bids: [{ price: dec('0.49'), size: dec('1000000') }], asks: [{ price: dec('0.51'), size: dec('1000000') }] });
    const adapters = createPaperRegistry({ prisma, feed, startingBalance: new Decimal(10_000_000) });
    cleanup.unshift(() => adapters.forEach((a) => (a as { close?: () => void }).close?.()));
    let handed: ((t: number) => void) | null = null;
    for (const adapter of adapters.values()) {
      const place = adapter.placeOrder.bind(adapter);
      (adapter as ExchangeAdapter).placeOrder = (req: PlaceOrderRequest) => {
        handed?.(performance.now());
        return place(req);
      };
    }
    const core = await createCore({ prisma, jobs, adapters, settings: { mode: 'paper', maxOrderUsd: new Decimal(10000), defaultSlippage: new Decimal('0.05') }, log: quiet });
    cleanup.unshift(() => core.detach());
    const api = new PolymarketDataApi({ baseUrl: fake.url, timeoutMs: 10_000 });
    let seenAt = 0;
    const source: WalletTradeSource = {
      name: api.name,
      async fetchNew(args) {
        const r = await api.fetchNew(args);
        if (r.trades.length > 0) seenAt = performance.now();
        return r;
      },
    };
    const engine = createFollowEngine({
      prisma,
      jobs,
      source,
      trading: core.trading,
      directory: core.directory,
      adapters,
      settings: { maxOrderUsd: new Decimal(10000), defaultSlippage: new Decimal('0.05') },
      pollSeconds: 5,
      tz: 'UTC',
      log: quiet,
    });
    const due = () => prisma.$executeRawUnsafe(`UPDATE "FollowedWallet" SET "lastPolledAt" = NULL`);

    // ---- (a) latency ----
    const { user } = await core.users.createUser({ name: 'bench' });
    const target = walletOf(999_999);
    const follow = await core.follow.create({ userId: user.id, kind: 'counter', targetWalletAddress: target });
    await engine.cycle(); // baseline
    const lat: number[] = [];
    const fromPoll: number[] = [];
    const warmup = 10;
    for (let i = 0; i < warmup + samples; i++) {
      await addTrades(fake.url, [{ wallet: target, side: 'BUY', asset: demoTokenId(MARKET, i % 2 ? 'yes' : 'no'), size: 10, price: 0.5 }]);
      await due();
      const got = new Promise<number>((resolve) => (handed = resolve));
      const t0 = performance.now();
      await engine.cycle();
      const t1 = await got;
      handed = null;
      await engine.idle();
      if (i >= warmup) {
        lat.push(t1 - seenAt);
        fromPoll.push(t1 - t0);
      }
    }
    const orders = await prisma.order.count({ where: { counterTradeId: follow.id } });
    log(`latency: ${warmup + samples} target trades → ${orders} orders (one each)`);
    await core.follow.stop({ userId: user.id, id: follow.id });

    // ---- (b) polling cost of N wallets ----
    await prisma.$executeRawUnsafe(
      `INSERT INTO "FollowedWallet" (address, "updatedAt") SELECT '0x' || lpad(to_hex(3187671040 + g), 40, '0'), now() FROM generate_series(0, $1::int - 1) g`,
      walletCount,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "CounterTradeConfig" (id, "userId", "targetWalletAddress", categories, "dailyResetAt", "updatedAt")
       SELECT gen_random_uuid(), $2::uuid, '0x' || lpad(to_hex(3187671040 + g), 40, '0'), '{}', now(), now() FROM generate_series(0, $1::int - 1) g`,
      walletCount,
      user.id,
    );
    const past = Math.floor(Date.now() / 1000) - 3600;
    await addTrades(
      fake.url,
      Array.from({ length: walletCount * 3 }, (_, k) => ({ wallet: walletOf(Math.floor(k / 3)), side: 'BUY' as const, asset: '999000111', size: 10 + (k % 3), price: 0.4, timestamp: past + (k % 3) })),
    );
    await due();
    const first = await engine.cycle(); // baseline cursors
    if (first.polled !== walletCount) throw new Error(`first cycle polled ${first.polled} of ${walletCount}`);
    const stats = async () => ((await (await fetch(`${fake.url}/__fake/stats`)).json()) as { requests: number }).requests;
    const measure = async (before?: () => Promise<void>) => {
      await due();
      await before?.();
      const r0 = await stats();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await engine.cycle();
      await engine.idle();
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      if (res.polled !== walletCount) throw new Error(`a cycle polled ${res.polled} of ${walletCount}`);
      return { wall, cpu: (cpu.user + cpu.system) / 1000, requests: (await stats()) - r0, newTrades: res.newTrades };
    };
    const quietRuns = [];
    for (let i = 0; i < cycles; i++) quietRuns.push(await measure());
    const activeN = Math.max(1, Math.round(walletCount * 0.05));
    const activeRuns = [];
    for (let i = 0; i < cycles; i++) {
      activeRuns.push(
        await measure(() =>
          addTrades(
            fake.url,
            Array.from({ length: activeN }, (_, k) => ({ wallet: walletOf((i * activeN + k) % walletCount), side: 'BUY' as const, asset: '999000222', size: 20 + i, price: 0.45 })),
          ),
        ),
      );
    }
    log(`polling: ${walletCount} wallets, ${cycles} quiet and ${cycles} active cycles`);
    return {
      setup: { cores: os.availableParallelism(), loadAvgAtStart: r2(loadAvgAtStart), durable: !pgFast, pollConcurrency: 16 },
      latency: {
        samples,
        p50Ms: r2(pct(sorted(lat), 50)),
        p99Ms: r2(pct(sorted(lat), 99)),
        maxMs: r2(Math.max(...lat)),
        pollToAdapterP50Ms: r2(pct(sorted(fromPoll), 50)),
        pollToAdapterP99Ms: r2(pct(sorted(fromPoll), 99)),
        orders,
      },
      polling: {
        wallets: walletCount,
        quiet: {
          cycles,
          wallP50Ms: r2(pct(sorted(quietRuns.map((x) => x.wall)), 50)),
          wallMaxMs: r2(Math.max(...quietRuns.map((x) => x.wall))),
          cpuP50Ms: r2(pct(sorted(quietRuns.map((x) => x.cpu)), 50)),
          requestsPerCycle: Math.round(quietRuns.reduce((s, x) => s + x.requests, 0) / quietRuns.length),
        },
        active: {
          cycles,
          newTradesPerCycle: Math.round(activeRuns.reduce((s, x) => s + x.newTrades, 0) / activeRuns.length),
          wallP50Ms: r2(pct(sorted(activeRuns.map((x) => x.wall)), 50)),
          wallMaxMs: r2(Math.max(...activeRuns.map((x) => x.wall))),
          cpuP50Ms: r2(pct(sorted(activeRuns.map((x) => x.cpu)), 50)),
        },
      },
    };
  } finally {
    for (const c of cleanup) await Promise.resolve(c()).catch(() => {});
  }
}

export function formatFollowReport(r: FollowBenchReport): string {
  const q = r.polling.quiet;
  const a = r.polling.active;
  return [
    `follow bench (${r.setup.cores} cores, load ${r.setup.loadAvgAtStart} at start, Postgres ${r.setup.durable ? 'durable' : 'fsync off'})`,
    `  (a) trade seen → order at the adapter, delay 0: p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms, max ${r.latency.maxMs} ms over ${r.latency.samples} trades`,
    `      poll start → adapter (incl. the data API round trip): p50 ${r.latency.pollToAdapterP50Ms} ms, p99 ${r.latency.pollToAdapterP99Ms} ms`,
    `  (b) one cycle over ${r.polling.wallets} followed wallets (fake data API in its own process):`,
    `      quiet:  wall p50 ${q.wallP50Ms} ms (max ${q.wallMaxMs}), yesno CPU p50 ${q.cpuP50Ms} ms, ${q.requestsPerCycle} requests`,
    `      active (${a.newTradesPerCycle} new trades): wall p50 ${a.wallP50Ms} ms (max ${a.wallMaxMs}), yesno CPU p50 ${a.cpuP50Ms} ms`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => console.log(`[bench:follow] ${line}`);
  benchFollow({ log })
    .then((report) => {
      console.log(formatFollowReport(report));
      console.log(JSON.stringify(report));
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
