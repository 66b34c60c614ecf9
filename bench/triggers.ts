/**
 * `npm run bench:triggers` (or `npx tsx bench/triggers.ts`; `npm run bench` runs it after its own
 * phases unless BENCH_TRIGGERS=0): the trigger monitors at scale.
 *
 * 100,000 WATCHING snipers and 100,000 positions with TP/SL armed, across 1,000 markets (bulk SQL
 * with generate_series: seconds), the real core (TradingService, paper venue, pg-boss job port) and
 * the real monitors. Then, one at a time, a price update that triggers exactly one sniper: the time
 * from the update (feed.setBook) to the order being handed to the venue adapter (its placeOrder is
 * wrapped to timestamp the call), p50/p99 over BENCH_TRIGGER_FIRES fires. The same evaluation done by
 * a naive scan (every update loads all WATCHING snipers and all armed positions and checks each in
 * JS against the current books, then claims and fires through the same code) runs in the same
 * process and database, end to end, for BENCH_TRIGGER_NAIVE_FIRES fires; the report prints both and
 * the ratio. Also: the cost of an update that fires nothing (indexed evaluation vs the scan), and a
 * SQL scan of all armed triggers against all quotes (no index predicates).
 *
 * Environment (all optional):
 *   BENCH_TRIGGER_FIRES=200        measured indexed fires (after 20 warm-up fires)
 *   BENCH_TRIGGER_NAIVE_FIRES=10   measured naive fires (each scans 200,000 rows)
 *   BENCH_TRIGGER_SNIPERS=100000   BENCH_TRIGGER_POSITIONS=100000   BENCH_TRIGGER_MARKETS=1000
 *   BENCH_PG_FAST=0                1: embedded Postgres without fsync (not how the product runs)
 *   BENCH_DATABASE_URL             use this (empty, migrated or not) database as is
 *
 * Targets (issue 5): p99 under 20 ms, and at least 100× faster than the scan.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { createAutomationMonitors, type AutomationMonitors } from '../core/automation/monitors.ts';
import { createPrisma } from '../core/db/client.ts';
import { freePort, startEmbeddedPostgres } from '../core/db/embedded.ts';
import { coreMonitorDeps, createCore } from '../core/create-core.ts';
import { createPaperRegistry } from '../core/exchanges/registry.ts';
import type { ExchangeAdapter, Outcome, PlaceOrderRequest } from '../core/exchanges/types.ts';
import { SyntheticMarketFeed } from '../core/markets/synthetic-feed.ts';
import type { CatalogMarket } from '../core/markets/types.ts';
import { Decimal, dec } from '../core/money.ts';
import { createBoss, createJobPort, startBoss } from '../jobs/index.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { percentile, sortedCopy } from './stats.ts';

const env = process.env;
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);

export interface TriggersBenchOptions {
  markets: number;
  snipers: number;
  positions: number;
  fires: number;
  naiveFires: number;
  warmup: number;
  pgFast: boolean;
  databaseUrl?: string;
  log: (line: string) => void;
}

export interface TriggersReport {
  setup: { markets: number; snipers: number; positions: number; seedMs: number; cores: number; loadAvgAtStart: number; durable: boolean };
  indexed: {
    fires: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    meanMs: number;
    /** Where the time goes (p50): update → claim won; claim → TradingService.placeOrder; placeOrder → adapter. */
    phasesP50: { claimMs: number; toPlaceMs: number; placeMs: number };
  };
  naive: { fires: number; p50Ms: number; p99Ms: number; meanMs: number };
  /** Cost of an update that fires nothing (evaluation only). */
  quiet: { indexedP50Ms: number; naiveJsP50Ms: number; naiveSqlP50Ms: number };
  /** naive p50 / indexed p50 (end to end). */
  ratio: number;
  targets: { p99UnderMs: number; ratioAtLeast: number; met: boolean };
}

const TRIGGER = '0.45';
const FIRE_BOOK = { bid: '0.43', ask: '0.44' };
const REST_BOOK = { bid: '0.49', ask: '0.51' };

const pct = percentile;
const sortNum = sortedCopy;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const ms = (x: number) => x.toFixed(2);

function benchCatalog(markets: number): CatalogMarket[] {
  return Array.from({ length: markets }, (_, i) => {
    const id = `bench-m-${String(i).padStart(4, '0')}`;
    return {
      id,
      slug: id,
      title: `Bench market ${i}`,
      category: 'bench',
      listings: [
        {
          id: `${id}:polymarket`,
          venue: 'polymarket' as const,
          venueMarketId: `0xbench${String(i).padStart(4, '0')}`,
          tickSize: new Decimal('0.01'),
          minSize: new Decimal('5'),
          negRisk: false,
          initialMid: new Decimal('0.50'),
        },
      ],
    };
  });
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Bulk seed: markets, listings, users, snipers (targets first), positions, in SQL. */
export async function seedTriggersBench(url: string, o: Pick<TriggersBenchOptions, 'markets' | 'snipers' | 'positions'>, targets: number): Promise<number> {
  const t0 = performance.now();
  await withClient(url, async (c) => {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO "Market" (id, slug, title, category, status, "updatedAt")
       SELECT 'bench-m-' || lpad(i::text, 4, '0'), 'bench-m-' || lpad(i::text, 4, '0'), 'Bench market ' || i, 'bench', 'open', now()
       FROM generate_series(0, $1 - 1) i`,
      [o.markets],
    );
    await c.query(
      `INSERT INTO "MarketListing" (id, "marketId", venue, "venueMarketId", "tickSize", "minSize", "updatedAt")
       SELECT 'bench-m-' || lpad(i::text, 4, '0') || ':polymarket', 'bench-m-' || lpad(i::text, 4, '0'), 'polymarket', '0xbench' || lpad(i::text, 4, '0'), 0.01, 5, now()
       FROM generate_series(0, $1 - 1) i`,
      [o.markets],
    );
    await c.query(`CREATE TEMP TABLE bench_users AS SELECT i, gen_random_uuid() AS id FROM generate_series(0, 999) i`);
    await c.query(`INSERT INTO "User" (id, name, "updatedAt") SELECT id, 'bench-' || i, now() FROM bench_users`);
    // One target sniper per fire market (market k, YES, trigger 0.45, bound to polymarket): the only
    // sniper a FIRE_BOOK update on market k triggers. Every other trigger sits far from 0.43/0.44.
    await c.query(
      `INSERT INTO "SniperOrder" (id, "userId", "marketId", side, exchange, "triggerPrice", amount, slippage, status, "updatedAt")
       SELECT gen_random_uuid(), (SELECT id FROM bench_users WHERE i = k % 1000), 'bench-m-' || lpad(k::text, 4, '0'), 'yes', 'polymarket', $2::numeric, 5, 0.02, 'WATCHING', now()
       FROM generate_series(0, $1 - 1) k`,
      [targets, TRIGGER],
    );
    await c.query(
      `INSERT INTO "SniperOrder" (id, "userId", "marketId", side, exchange, "triggerPrice", amount, slippage, status, repeat, "updatedAt")
       SELECT gen_random_uuid(), (SELECT id FROM bench_users WHERE i = n % 1000), 'bench-m-' || lpad((n % $2)::text, 4, '0'),
              CASE WHEN n % 2 = 0 THEN 'yes' ELSE 'no' END, CASE WHEN n % 3 = 0 THEN NULL ELSE 'polymarket' END,
              round((0.05 + random() * 0.33)::numeric, 2), 5, 0.02, 'WATCHING', n % 5 = 0, now()
       FROM generate_series(0, $1 - 1) n`,
      [o.snipers - targets, o.markets],
    );
    // Positions: (user, market, side) unique; TP in [0.90, 0.99], SL in [0.01, 0.10].
    await c.query(
      `INSERT INTO "Position" (id, "userId", "listingId", "marketId", exchange, side, quantity, "avgPrice", "costBasis", "takeProfitPrice", "stopLossPrice", "updatedAt")
       SELECT gen_random_uuid(), u.id, 'bench-m-' || lpad((n / 2 % $2)::text, 4, '0') || ':polymarket', 'bench-m-' || lpad((n / 2 % $2)::text, 4, '0'), 'polymarket',
              CASE WHEN n % 2 = 0 THEN 'yes' ELSE 'no' END, 100, 0.5, 50,
              round((0.90 + random() * 0.09)::numeric, 2), round((0.01 + random() * 0.09)::numeric, 2), now()
       FROM generate_series(0, $1 - 1) n JOIN bench_users u ON u.i = (n / (2 * $2))`,
      [o.positions, o.markets],
    );
    await c.query('COMMIT');
    await c.query('ANALYZE "SniperOrder"; ANALYZE "Position"; ANALYZE "Market"; ANALYZE "MarketListing"; ANALYZE "User"');
  });
  return performance.now() - t0;
}

export async function runTriggersBench(o: TriggersBenchOptions): Promise<TriggersReport> {
  const { log } = o;
  const loadAvgAtStart = os.loadavg()[0]!;
  const targets = o.warmup + o.fires + o.naiveFires;
  if (targets > o.markets) throw new Error(`need at least ${targets} markets for ${targets} fires`);

  // ---- database ----
  let url = o.databaseUrl;
  let stopDb = async () => {};
  if (!url) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-bench-triggers-'));
    await fs.chmod(dir, 0o755);
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port, database: 'yesno_bench', fast: o.pgFast });
    url = server.url;
    stopDb = async () => {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    };
    log(`embedded PostgreSQL 18 in ${dir} (${o.pgFast ? 'fsync OFF' : 'durable: fsync on, as the product runs'})`);
  }
  const cleanup: (() => Promise<void> | void)[] = [stopDb];
  try {
    await applyMigrations(url);
    log(`seeding ${o.markets} markets, ${o.snipers} snipers, ${o.positions} positions …`);
    const seedMs = await seedTriggersBench(url, o, targets);
    log(`seeded in ${(seedMs / 1000).toFixed(1)} s`);

    // ---- the product's core and monitors ----
    const prisma = createPrisma(url, { poolMax: 16 });
    cleanup.unshift(() => prisma.$disconnect());
    const quiet = pino({ level: 'warn' });
    const boss = createBoss({ connectionString: url, log: quiet, supervise: false });
    await startBoss(boss);
    cleanup.unshift(() => boss.stop({ graceful: false, timeout: 1000 }));
    const jobs = createJobPort(boss);
    const catalog = benchCatalog(o.markets);
    const feed = new SyntheticMarketFeed({ catalog, seed: 7, tickMs: 0 });
    const adapters = createPaperRegistry({ prisma, feed, startingBalance: new Decimal(1_000_000) });
    cleanup.unshift(() => adapters.forEach((a) => (a as { close?: () => void }).close?.()));

    // Timestamp the hand-over to the venue adapter.
    let waiter: { marketId: string; resolve: (t: number) => void } | null = null;
    for (const adapter of adapters.values()) {
      const place = adapter.placeOrder.bind(adapter);
      (adapter as ExchangeAdapter).placeOrder = (req: PlaceOrderRequest) => {
        const t = performance.now();
        if (waiter && req.listing.marketId === waiter.marketId) waiter.resolve(t);
        return place(req);
      };
    }
    const core = await createCore({ prisma, jobs, adapters, settings: { mode: 'paper', maxOrderUsd: new Decimal(10000), defaultSlippage: new Decimal('0.05') }, log: quiet });
    cleanup.unshift(() => core.detach());
    const monitors: AutomationMonitors = createAutomationMonitors({
      ...coreMonitorDeps(core),
      prisma,
      jobs,
      feed,
      slippage: new Decimal('0.05'),
      staleSeconds: 0,
      log: quiet,
    });
    monitors.start();
    cleanup.unshift(() => monitors.stop());
    // Phase marks of the current fire: claim won (drive starts), TradingService.placeOrder entered.
    const marks: { drive?: number; place?: number } = {};
    const drive = monitors.snipers.drive.bind(monitors.snipers);
    monitors.snipers.drive = (s, p) => {
      marks.drive ??= performance.now();
      return drive(s, p);
    };
    const placeOrder = core.trading.placeOrder.bind(core.trading);
    core.trading.placeOrder = (input) => {
      marks.place ??= performance.now();
      return placeOrder(input);
    };
    const phases: { claim: number; toPlace: number; place: number }[] = [];

    const marketId = (k: number) => `bench-m-${String(k).padStart(4, '0')}`;
    const vmid = (k: number) => `0xbench${String(k).padStart(4, '0')}`;
    const setBook = (k: number, b: { bid: string; ask: string }) =>
      feed.setBook('polymarket', vmid(k), { bids: [{ price: dec(b.bid), size: dec('100000') }], asks: [{ price: dec(b.ask), size: dec('100000') }] });
    /** Moves market k into the trigger zone; resolves with ms from the update to the adapter call. */
    const fire = async (k: number, settle: () => Promise<void>): Promise<number> => {
      const handed = new Promise<number>((resolve) => (waiter = { marketId: marketId(k), resolve }));
      delete marks.drive;
      delete marks.place;
      const t0 = performance.now();
      setBook(k, FIRE_BOOK);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error(`market ${k}: no order within 60 s`)), 60_000)));
      const t1 = await Promise.race([handed, timeout]).finally(() => clearTimeout(timer));
      waiter = null;
      if (marks.drive && marks.place) phases.push({ claim: marks.drive - t0, toPlace: marks.place - marks.drive, place: t1 - marks.place });
      await settle();
      return t1 - t0;
    };

    // Every market starts at the resting book (quotes written, nothing fires).
    for (let k = 0; k < o.markets; k++) setBook(k, REST_BOOK);
    await monitors.idle();

    // ---- indexed (the product) ----
    let k = 0;
    for (let i = 0; i < o.warmup; i++) await fire(k++, () => monitors.idle());
    const indexed: number[] = [];
    phases.length = 0;
    for (let i = 0; i < o.fires; i++) indexed.push(await fire(k++, () => monitors.idle()));
    const phaseP50 = {
      claimMs: pct(sortNum(phases.map((p) => p.claim)), 50),
      toPlaceMs: pct(sortNum(phases.map((p) => p.toPlace)), 50),
      placeMs: pct(sortNum(phases.map((p) => p.place)), 50),
    };
    const quietIndexed: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      setBook(o.markets - 1 - i, { bid: '0.48', ask: '0.50' });
      await monitors.idle();
      quietIndexed.push(performance.now() - t0);
    }
    const fired = await prisma.sniperOrder.count({ where: { status: 'FILLED' } });
    const orders = await prisma.order.count();
    log(`indexed: ${o.warmup + o.fires} fires → ${fired} snipers FILLED, ${orders} orders (exactly one per fire)`);

    // ---- naive: the same evaluation as a scan of every armed trigger ----
    await monitors.stop();
    const naiveEval = async (): Promise<{ snipers: string[]; exits: number }> => {
      const [snipers, positions] = await Promise.all([
        prisma.sniperOrder.findMany({ where: { status: 'WATCHING', armed: true, paused: false } }),
        prisma.position.findMany({ where: { exitKind: null, tpslPaused: false, quantity: { gt: 0 }, OR: [{ takeProfitPrice: { not: null } }, { stopLossPrice: { not: null } }] } }),
      ]);
      const top = (market: string, outcome: Outcome, side: 'asks' | 'bids') => {
        const l = core.directory.get(market)?.listings[0];
        return l ? (feed.getBook(l.venue, l.venueMarketId, outcome)?.[side][0]?.price ?? null) : null;
      };
      const hits = snipers.filter((s) => {
        const ask = top(s.marketId, s.side as Outcome, 'asks');
        return ask !== null && dec(s.triggerPrice).gte(ask);
      });
      let exits = 0;
      for (const p of positions) {
        const bid = top(p.marketId, p.side as Outcome, 'bids');
        if (!bid) continue;
        if ((p.takeProfitPrice && dec(p.takeProfitPrice).lte(bid)) || (p.stopLossPrice && dec(p.stopLossPrice).gte(bid))) exits++;
      }
      return { snipers: hits.map((s) => s.id), exits };
    };
    let naiveRunning: Promise<void> | null = null;
    const off = feed.onUpdate(() => {
      naiveRunning = (async () => {
        const { snipers } = await naiveEval();
        if (snipers.length === 0) return;
        const claimed = await monitors.snipers.claim(snipers);
        for (const s of claimed) monitors.background.run(`naive ${s.id}`, () => monitors.snipers.drive(s));
      })();
    });
    cleanup.unshift(off);
    const naiveSettle = async () => {
      await naiveRunning;
      await monitors.background.idle();
    };
    const naive: number[] = [];
    for (let i = 0; i < o.naiveFires; i++) naive.push(await fire(k++, naiveSettle));
    off();
    const quietNaive: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await naiveEval();
      quietNaive.push(performance.now() - t0);
    }
    // The scan in SQL: every armed trigger against its listing's latest quote, no index predicates.
    const quietSql: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await prisma.$queryRawUnsafe(
        `SELECT s.id FROM "SniperOrder" s JOIN "MarketListing" l ON l."marketId" = s."marketId" JOIN "ListingQuote" q ON q."listingId" = l.id
         WHERE s.status = 'WATCHING' AND s.armed AND NOT s.paused AND s."triggerPrice" >= CASE s.side WHEN 'yes' THEN q."yesAsk" ELSE q."noAsk" END
         UNION ALL
         SELECT p.id FROM "Position" p JOIN "ListingQuote" q ON q."listingId" = p."listingId"
         WHERE p."exitKind" IS NULL AND NOT p."tpslPaused" AND p.quantity > 0
           AND (p."takeProfitPrice" <= CASE p.side WHEN 'yes' THEN q."yesBid" ELSE q."noBid" END OR p."stopLossPrice" >= CASE p.side WHEN 'yes' THEN q."yesBid" ELSE q."noBid" END)`,
      );
      quietSql.push(performance.now() - t0);
    }

    const si = sortNum(indexed);
    const sn = sortNum(naive);
    const report: TriggersReport = {
      setup: { markets: o.markets, snipers: o.snipers, positions: o.positions, seedMs, cores: os.availableParallelism(), loadAvgAtStart, durable: !o.pgFast },
      indexed: { fires: si.length, p50Ms: pct(si, 50), p99Ms: pct(si, 99), maxMs: si.at(-1) ?? NaN, meanMs: mean(si), phasesP50: phaseP50 },
      naive: { fires: sn.length, p50Ms: pct(sn, 50), p99Ms: pct(sn, 99), meanMs: mean(sn) },
      quiet: { indexedP50Ms: pct(sortNum(quietIndexed), 50), naiveJsP50Ms: pct(sortNum(quietNaive), 50), naiveSqlP50Ms: pct(sortNum(quietSql), 50) },
      ratio: pct(sn, 50) / pct(si, 50),
      targets: { p99UnderMs: 20, ratioAtLeast: 100, met: false },
    };
    report.targets.met = report.indexed.p99Ms < 20 && report.ratio >= 100;
    return report;
  } finally {
    for (const step of cleanup) await Promise.resolve(step()).catch((err: Error) => log(`cleanup: ${err.message}`));
  }
}

export function formatTriggersReport(r: TriggersReport): string {
  const lines = [
    `Trigger monitors: ${r.setup.snipers.toLocaleString('en')} WATCHING snipers + ${r.setup.positions.toLocaleString('en')} armed positions across ${r.setup.markets.toLocaleString('en')} markets (seeded in ${(r.setup.seedMs / 1000).toFixed(1)} s)`,
    `  machine: ${r.setup.cores} cores, load average ${r.setup.loadAvgAtStart.toFixed(2)} at start; Postgres ${r.setup.durable ? 'durable (fsync on)' : 'fsync off'}`,
    `  price update → order handed to the venue adapter, one sniper triggered per update:`,
    `    indexed (product)  n=${r.indexed.fires}  p50 ${ms(r.indexed.p50Ms)} ms  p99 ${ms(r.indexed.p99Ms)} ms  max ${ms(r.indexed.maxMs)} ms  mean ${ms(r.indexed.meanMs)} ms`,
    `      phases (p50): update → claim won ${ms(r.indexed.phasesP50.claimMs)} ms; → TradingService.placeOrder ${ms(r.indexed.phasesP50.toPlaceMs)} ms; → adapter ${ms(r.indexed.phasesP50.placeMs)} ms`,
    `    naive scan (JS)    n=${r.naive.fires}  p50 ${ms(r.naive.p50Ms)} ms  p99 ${ms(r.naive.p99Ms)} ms  mean ${ms(r.naive.meanMs)} ms`,
    `    ratio (p50)        ${r.ratio.toFixed(0)}× faster than the scan`,
    `  an update that fires nothing (evaluation only, p50): indexed ${ms(r.quiet.indexedP50Ms)} ms; scan in JS ${ms(r.quiet.naiveJsP50Ms)} ms; scan in SQL (all triggers × all quotes) ${ms(r.quiet.naiveSqlP50Ms)} ms`,
    `  targets: p99 < ${r.targets.p99UnderMs} ms and ≥ ${r.targets.ratioAtLeast}× the scan → ${r.targets.met ? 'MET' : 'NOT MET'}`,
  ];
  return lines.join('\n');
}

/** The options from the environment (see the header); `npm run bench` uses them too, on its own database. */
export function triggersBenchOptionsFromEnv(log: (line: string) => void, opts: { ownDatabase?: boolean } = {}): TriggersBenchOptions {
  return {
    markets: num(env.BENCH_TRIGGER_MARKETS, 1000),
    snipers: num(env.BENCH_TRIGGER_SNIPERS, 100_000),
    positions: num(env.BENCH_TRIGGER_POSITIONS, 100_000),
    fires: num(env.BENCH_TRIGGER_FIRES, 200),
    naiveFires: num(env.BENCH_TRIGGER_NAIVE_FIRES, 10),
    warmup: 20,
    pgFast: env.BENCH_PG_FAST === '1',
    databaseUrl: opts.ownDatabase ? undefined : env.BENCH_DATABASE_URL,
    log,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => console.log(`[bench:triggers] ${line}`);
  runTriggersBench(triggersBenchOptionsFromEnv(log))
    .then(async (report) => {
      console.log(formatTriggersReport(report));
      const file = path.join(os.tmpdir(), `yesno-bench-triggers-${Date.now()}.json`);
      await fs.writeFile(file, JSON.stringify(report, null, 2));
      log(`figures written to ${file}`);
      process.exit(report.targets.met ? 0 : 1);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
