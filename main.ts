/**
 * yesno's composition root: reads the config once, builds every dependency and starts the parts the
 * config enables (HTTP API, pg-boss workers, chat bots). `npm start` runs it; `npm run worker` runs
 * a worker-only process; tests, the console and the benchmark call startYesno().
 */
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, ConfigError, type Config } from './core/config.ts';
import { openDatabase } from './core/db/client.ts';
import { createCore, type Core } from './core/create-core.ts';
import { createPaperRegistry } from './core/exchanges/registry.ts';
import { DEMO_CATALOG, seedCatalog } from './core/markets/catalog.ts';
import { SyntheticMarketFeed } from './core/markets/synthetic-feed.ts';
import type { NotificationSink } from './core/notifications/types.ts';
import { buildHttpServer } from './api/server.ts';
import { createBoss, createJobPort, createQueueStats, startBoss, startJobs } from './jobs/index.ts';
import { startOrderSyncWorker } from './jobs/order-sync.ts';

export interface StartOptions {
  /** Serve the HTTP API (default true). */
  http?: boolean;
  /** Work pg-boss queues in this process (default config.RUN_WORKERS). */
  workers?: boolean;
  /** Where notifications go besides the chat platforms (e.g. the console). */
  sinks?: NotificationSink[];
  log?: Logger;
}

export interface Yesno {
  config: Config;
  core: Core;
  http: FastifyInstance | null;
  /** The HTTP address when listening, e.g. http://127.0.0.1:3000. */
  address: string | null;
  feed: SyntheticMarketFeed;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startYesno(config: Config, opts: StartOptions = {}): Promise<Yesno> {
  const log = opts.log ?? pino({ level: config.LOG_LEVEL });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch((err) => log.error({ err }, 'shutdown step failed'));
  };
  try {
    const db = await openDatabase(config, { info: (m) => log.info(m), warn: (m) => log.warn(m) }, { poolMax: 16 });
    stops.push(() => db.close());
    const prisma = db.prisma;
    await seedCatalog(prisma, DEMO_CATALOG);

    const feed = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: config.MARKET_SEED, tickMs: config.MARKET_TICK_MS });
    await feed.start();
    stops.push(() => feed.stop());
    if (config.TRADING_MODE === 'live') {
      log.warn('TRADING_MODE=live: live venue adapters are not built yet; trading stays on the paper venues');
    }
    const adapters = createPaperRegistry({
      prisma,
      feed,
      startingBalance: config.PAPER_BALANCE,
      onError: (err, context) => log.error({ err, context }, 'paper venue background error'),
    });
    await Promise.all([...adapters.values()].map((a) => (a as { ready?: () => Promise<void> }).ready?.()));
    stops.push(() => adapters.forEach((a) => (a as { close?: () => void }).close?.()));

    const workers = opts.workers ?? config.RUN_WORKERS;
    const boss = createBoss({ connectionString: db.url, log, supervise: workers });
    await startBoss(boss);
    const core = await createCore({
      prisma,
      jobs: createJobPort(boss),
      adapters,
      settings: { mode: 'paper', maxOrderUsd: config.MAX_ORDER_USD, defaultSlippage: config.DEFAULT_SLIPPAGE },
      log,
    });
    stops.push(() => core.detach());
    const jobs = await startJobs({ boss, prisma, sinks: opts.sinks ?? [], log, workers });
    stops.push(() => jobs.stop());
    if (workers) {
      await startOrderSyncWorker({ boss, log, reconcile: () => core.trading.reconcileOpenOrders({ olderThanMs: 10_000 }) });
      const synced = await core.trading.reconcileOpenOrders();
      if (synced) log.info({ synced }, 'order sync at start: applied venue state to open orders');
    }

    let http: FastifyInstance | null = null;
    let address: string | null = null;
    if (opts.http ?? true) {
      if (!config.ADMIN_TOKEN) log.info('admin API disabled: set ADMIN_TOKEN (16+ characters) to enable /admin');
      else log.info('admin API enabled at /admin');
      http = await buildHttpServer({
        services: core,
        queueStats: createQueueStats(boss),
        adminToken: config.ADMIN_TOKEN,
        rateLimitPerMin: config.RATE_LIMIT_PER_MIN,
        logger: log,
      });
      address = await http.listen({ host: config.HOST, port: config.PORT });
      stops.push(() => http!.close());
      log.info(`yesno HTTP API on ${address} (OpenAPI at ${address}/docs)`);
    }
    log.info({ mode: config.TRADING_MODE, markets: core.directory.all().length, workers }, 'yesno started (paper trading)');
    return { config, core, http, address, feed, databaseUrl: db.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const workerOnly = process.argv.includes('--worker');
  const app = await startYesno(config, { http: !workerOnly, workers: workerOnly ? true : undefined });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal}: shutting down…`);
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
