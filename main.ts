/**
 * yesno's composition root: reads the config once, builds every dependency and starts the parts the
 * config enables (HTTP API, pg-boss workers, chat bots). `npm start` runs it; `npm run worker` runs
 * a worker-only process; tests, the console and the benchmark call startYesno().
 */
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, ConfigError, marketStaleSeconds, type Config } from './core/config.ts';
import { createAutomationMonitors, type AutomationMonitors } from './core/automation/monitors.ts';
import { openDatabase } from './core/db/client.ts';
import { coreMonitorDeps, createCore, type Core } from './core/create-core.ts';
import { createPaperRegistry } from './core/exchanges/registry.ts';
import type { OrderSyncOptions } from './core/trading/order-sync.ts';
import { createLiveRegistry } from './core/exchanges/live-registry.ts';
import { CredentialVault, VaultCredentialSource, keyRingFromConfig } from './core/credentials/index.ts';
import { createAccountService } from './core/accounts/compose.ts';
import { startMarketData, type MarketData } from './core/markets/market-data.ts';
import { startCatalogSyncWorker } from './jobs/catalog-sync.ts';
import { SyntheticMarketFeed } from './core/markets/synthetic-feed.ts';
import type { NotificationSink } from './core/notifications/types.ts';
import { buildHttpServer } from './api/server.ts';
import { createBoss, createJobPort, createQueueStats, startBoss, startJobs } from './jobs/index.ts';
import { createDiscordRuntime, type DiscordRuntime } from './bots/discord/start.ts';
import { createCommandHandler } from './bots/commands/dispatcher.ts';
import { createTelegramRuntime, type TelegramRuntime } from './bots/telegram/runner.ts';
import { prismaMessageRefs } from './core/notifications/message-refs.ts';
import { RateLimiter } from './api/rate-limit.ts';
import { startOrderSyncWorker } from './jobs/order-sync.ts';
import { startMonitors } from './jobs/monitors.ts';
import { ChannelFillsSink } from './core/alerts/fills.ts';
import { startAlerts, type AlertsRuntime } from './jobs/alerts.ts';
import { PolymarketDataApi } from './core/exchanges/polymarket/data-api.ts';
import { createFollowEngine, type FollowEngine } from './core/following/engine.ts';
import { startFollowing } from './jobs/following.ts';

export interface StartOptions {
  /** Serve the HTTP API (default true). */
  http?: boolean;
  /** Work pg-boss queues in this process (default config.RUN_WORKERS). */
  workers?: boolean;
  /** Where notifications go besides the chat platforms (e.g. the console). */
  sinks?: NotificationSink[];
  /** Connect the chat bots' sessions (Discord gateway) in this process (default true; `npm run worker` passes false). */
  chat?: boolean;
  log?: Logger;
  /** Clock of chat confirmations (tests move it forward to expire a quote). */
  chatClock?: () => Date;
  /** Interval of the automation sweep (stale guard, expiry, recovery); 0 = none. Default 5000. */
  automationSweepMs?: number;
  /** Order sync tuning (follow-job backoff, startup time box; core/trading/order-sync.ts). Defaults suit production. */
  orderSync?: OrderSyncOptions;
}

export interface Yesno {
  config: Config;
  core: Core;
  http: FastifyInstance | null;
  /** The HTTP address when listening, e.g. http://127.0.0.1:3000. */
  address: string | null;
  /** The synthetic walk (tests move prices with it); idle and empty when market data is live (see marketData). */
  feed: SyntheticMarketFeed;
  /** Which market data runs (live public books or the synthetic walk), why, and its feed. */
  marketData: MarketData;
  databaseUrl: string;
  /** The automation monitors (price sync, snipers, TP/SL) when this process runs workers. */
  monitors: AutomationMonitors | null;
  /** The Discord front end when DISCORD_TOKEN is set. */
  discord: DiscordRuntime | null;
  /** The Telegram front end when TELEGRAM_BOT_TOKEN is set. */
  telegram: TelegramRuntime | null;
  /** Group channel alerts (evaluator fed by the market data) when this process runs workers. */
  alerts: AlertsRuntime | null;
  /** Copy/counter-trading (wallet poller, executor, daily reset) when this process runs workers. */
  following: FollowEngine | null;
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
    // MARKET_DATA: live public books when the venues answer (auto) or always (live), else the synthetic catalog.
    const marketData = await startMarketData({ config, prisma, log, staleSeconds: marketStaleSeconds(config) });
    stops.push(() => marketData.stop());
    const feed = marketData.feed;
    // The credential vault (core/credentials) exists when CREDENTIALS_KEY is set; live mode requires it (core/config.ts).
    const keys = keyRingFromConfig(config);
    const vault = keys ? new CredentialVault({ prisma, keys }) : null;
    if (config.TRADING_MODE === 'live' && !vault) throw new ConfigError(['CREDENTIALS_KEY: required when TRADING_MODE=live']);
    // Live: the real venues with each user's own credentials from the vault; paper: the paper venues.
    const adapters =
      config.TRADING_MODE === 'live' && vault
        ? createLiveRegistry({ config, credentials: new VaultCredentialSource(vault), onWarning: (msg, ctx) => log.warn(ctx ?? {}, msg) })
        : createPaperRegistry({
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
    const jobPort = createJobPort(boss);
    const core = await createCore({
      prisma,
      jobs: jobPort,
      adapters,
      settings: { mode: config.TRADING_MODE, maxOrderUsd: config.MAX_ORDER_USD, defaultSlippage: config.DEFAULT_SLIPPAGE },
      log,
      // Linking venue accounts (POST/GET /api/v1/account…); in live mode only linked venues are routed to.
      accounts: vault ? createAccountService({ config, vault, prisma, adapters, log }) : undefined,
      sync: opts.orderSync,
    });
    stops.push(() => core.detach());
    await marketData.attach(core.directory);
    // Before any new order is accepted, every open order is reconciled with its venue (each venue
    // time-boxed); placeOrder waits for this gate (chat/HTTP get "starting up, retry" after a few seconds).
    const startup = core.trading.startupReconcile().then((r) => {
      if (r.venues.length) log.info({ startupSync: r }, 'order sync at start: open orders reconciled with their venues');
    });
    stops.push(() => startup);
    // One command handler (one confirmation store, one per-user rate limit) for every chat front end.
    const chatHandler = createCommandHandler({
      services: core,
      log,
      confirmTtlMs: config.CONFIRM_TTL_SECONDS * 1000,
      clock: opts.chatClock,
      rateLimit: new RateLimiter(config.RATE_LIMIT_PER_MIN),
    });
    const discord = createDiscordRuntime({ config, services: core, prisma, log, gateway: opts.chat ?? true, handler: chatHandler });
    const telegram = await createTelegramRuntime({
      config,
      handler: chatHandler,
      services: core,
      refs: prismaMessageRefs(prisma),
      log,
      receive: opts.chat ?? true,
      http: opts.http ?? true,
    });
    const chatSinks = [...(discord ? [discord.sink] : []), ...(telegram ? [telegram.sink] : [])];
    // Members' fills in group channels: a sink that turns a sharing member's filled order into channel alerts.
    const channelFills = new ChannelFillsSink({ prisma, jobs: jobPort, describe: (id) => core.directory.get(id) });
    const jobs = await startJobs({ boss, prisma, sinks: [...(opts.sinks ?? []), ...chatSinks, channelFills], log, workers });
    stops.push(() => jobs.stop());
    let monitors: AutomationMonitors | null = null;
    let alerts: AlertsRuntime | null = null;
    let following: FollowEngine | null = null;
    if (workers) {
      await startOrderSyncWorker({
        boss,
        log,
        reconcile: () => core.trading.reconcileOpenOrders({ olderThanMs: 10_000 }),
        follow: (data) => core.trading.runFollowJob(data),
      });
      monitors = createAutomationMonitors({
        ...coreMonitorDeps(core),
        prisma,
        jobs: jobPort,
        feed,
        slippage: config.DEFAULT_SLIPPAGE,
        staleSeconds: marketData.staleSeconds,
        log,
      });
      const running = await startMonitors({ boss, monitors, log, historyHours: config.PRICE_HISTORY_HOURS, sweepMs: opts.automationSweepMs });
      stops.push(() => running.stop());
      alerts = await startAlerts({ prisma, jobs: jobPort, feed, directory: core.directory, alerts: core.alerts, log });
      stops.push(() => alerts!.stop());
      if (marketData.kind === 'live') await startCatalogSyncWorker({ boss, log, sync: async () => (await marketData.syncCatalog(core.directory))! });
      following = createFollowEngine({
        prisma,
        jobs: jobPort,
        source: new PolymarketDataApi({ baseUrl: config.POLYMARKET_DATA_URL, timeoutMs: config.VENUE_TIMEOUT_MS }),
        trading: core.trading,
        directory: core.directory,
        adapters: core.adapters,
        settings: { maxOrderUsd: config.MAX_ORDER_USD, defaultSlippage: config.DEFAULT_SLIPPAGE },
        pollSeconds: config.FOLLOW_POLL_SECONDS,
        tz: config.COUNTER_RESET_TZ,
        log,
      });
      const runningFollow = await startFollowing({ boss, engine: following, log, pollSeconds: config.FOLLOW_POLL_SECONDS, tz: config.COUNTER_RESET_TZ });
      stops.push(() => runningFollow.stop());
    }

    let http: FastifyInstance | null = null;
    let address: string | null = null;
    if (opts.http ?? true) {
      if (!config.ADMIN_TOKEN) log.info('admin API disabled: set ADMIN_TOKEN (16+ characters) to enable /admin');
      else log.info('admin API enabled at /admin');
      http = await buildHttpServer({
        services: core,
        queueStats: createQueueStats(boss),
        marketAdmin: marketData.registry(core.directory),
        adminToken: config.ADMIN_TOKEN,
        rateLimitPerMin: config.RATE_LIMIT_PER_MIN,
        logger: log,
        extraRoutes: telegram?.routes,
      });
      address = await http.listen({ host: config.HOST, port: config.PORT });
      stops.push(() => http!.close());
      log.info(`yesno HTTP API on ${address} (OpenAPI at ${address}/docs)`);
    }
    if (discord) {
      stops.push(() => discord.stop());
      await discord.start();
    }
    if (telegram) {
      stops.push(() => telegram.stop());
      await telegram.start();
    }
    log.info({ mode: config.TRADING_MODE, markets: core.directory.all().length, workers }, `yesno started (${config.TRADING_MODE} trading)`);
    return { config, core, http, address, feed: marketData.synthetic, marketData, databaseUrl: db.url, discord, telegram, monitors, alerts, following, stop };
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
  const app = await startYesno(config, { http: !workerOnly, workers: workerOnly ? true : undefined, chat: !workerOnly });
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
