/**
 * The market-data part of the composition root (main.ts calls it): decides live vs synthetic data
 * (market-data-source.ts), prepares the catalog for it, builds the feed, and later attaches the
 * live feed to the MarketDirectory.
 *
 *   const md = await startMarketData({ config, prisma, log });
 *   const feed = md.feed;                   // paper venues, monitors, alerts
 *   ...createCore(...)
 *   await md.attach(core.directory);        // live: start polling the directory's open listings
 *   md.registry(core.directory)             // POST /admin/markets, suggestions
 *   await md.stop();
 *
 * TRADING_MODE=live uses live data unless MARKET_DATA=synthetic is set explicitly (then a warning).
 */
import type { Db } from '../db/client.ts';
import { DEMO_CATALOG, seedCatalog } from './catalog.ts';
import { syncCatalog, type CatalogSyncReport } from './catalog-sync.ts';
import type { MarketDirectory } from './directory.ts';
import type { FeedLog, LiveMarketFeed } from './live-feed.ts';
import {
  DEMO_MARKET_IDS,
  chooseMarketData,
  createLiveFeed,
  createPublicApis,
  openListingsOf,
  pauseDemoMarkets,
  type MarketDataKind,
  type MarketDataMode,
  type PublicApis,
  type VenueEndpoints,
} from './market-data-source.ts';
import { MarketRegistry } from './market-registration.ts';
import { SyntheticMarketFeed } from './synthetic-feed.ts';
import type { MarketDataFeed } from './types.ts';

export interface MarketDataConfig {
  MARKET_DATA: MarketDataMode;
  TRADING_MODE: 'paper' | 'live';
  MARKET_SEED: number;
  MARKET_TICK_MS: number;
  MARKET_POLL_SECONDS: number;
  MARKET_STALE_SECONDS?: number;
  POLYMARKET_CLOB_URL: string;
  POLYMARKET_WS_URL: string;
  KALSHI_API_URL: string;
  VENUE_TIMEOUT_MS: number;
}

export interface MarketData {
  kind: MarketDataKind;
  /** Why this kind (logged at start). */
  reason: string;
  /**
   * The freshness guard the monitors should use (seconds, 0 = off): with live data
   * MARKET_STALE_SECONDS or 30 (MARKET_TICK_MS, the synthetic walk's pace, does not turn it off).
   */
  staleSeconds: number;
  /** The feed everything reads: the live feed or the synthetic walk. */
  feed: MarketDataFeed;
  /** The synthetic walk (tests move prices with it). With live data: an idle feed with no listings. */
  synthetic: SyntheticMarketFeed;
  live: LiveMarketFeed | null;
  /** The venues' public clients (null with synthetic data: the venues are never called). */
  apis: PublicApis | null;
  /** Live data: serve the directory's open listings and start polling; reloads the directory every `reloadMs`. */
  attach(directory: MarketDirectory, opts?: { reloadMs?: number }): Promise<void>;
  /** Admin registration and suggestions over this data source. */
  registry(directory: MarketDirectory): MarketRegistry;
  /** One catalog sync run (live data only; synthetic → null). */
  syncCatalog(directory: MarketDirectory, opts?: { maxPages?: number }): Promise<CatalogSyncReport | null>;
  stop(): Promise<void>;
}

export function endpointsOf(config: Pick<MarketDataConfig, 'POLYMARKET_CLOB_URL' | 'POLYMARKET_WS_URL' | 'KALSHI_API_URL'>): VenueEndpoints {
  return { polymarketClobUrl: config.POLYMARKET_CLOB_URL, polymarketWsUrl: config.POLYMARKET_WS_URL, kalshiApiUrl: config.KALSHI_API_URL };
}

export async function startMarketData(args: {
  config: MarketDataConfig;
  prisma: Db;
  log: FeedLog;
  /** The synthetic walk's freshness guard (marketStaleSeconds(config)). */
  staleSeconds: number;
  /** Probe timeout of MARKET_DATA=auto (default 3000 ms). */
  probeTimeoutMs?: number;
  /** Use the Polymarket market stream (default true). */
  stream?: boolean;
}): Promise<MarketData> {
  const { config, prisma, log } = args;
  const endpoints = endpointsOf(config);
  let mode = config.MARKET_DATA;
  if (config.TRADING_MODE === 'live') {
    // Live orders want live prices: auto means live without probing. An explicit synthetic is honoured
    // (the venues' market data is never called), loudly: triggers and alerts then run on a walk.
    if (mode === 'auto') mode = 'live';
    if (mode === 'synthetic') log.warn({}, 'MARKET_DATA=synthetic with TRADING_MODE=live: snipers, TP/SL and alerts run on synthetic prices while orders go to the real venues');
  }
  const choice = await chooseMarketData({ mode, endpoints, probeTimeoutMs: args.probeTimeoutMs });
  log.info({ marketData: choice.kind, probes: choice.probes }, `market data: ${choice.kind} (${choice.reason})`);

  if (choice.kind === 'synthetic') {
    await seedCatalog(prisma, DEMO_CATALOG);
    await prisma.market.updateMany({ where: { id: { in: [...DEMO_MARKET_IDS] }, status: 'paused' }, data: { status: 'open' } });
    const synthetic = new SyntheticMarketFeed({ catalog: DEMO_CATALOG, seed: config.MARKET_SEED, tickMs: config.MARKET_TICK_MS });
    await synthetic.start();
    return {
      kind: 'synthetic',
      reason: choice.reason,
      staleSeconds: args.staleSeconds,
      feed: synthetic,
      synthetic,
      live: null,
      apis: null,
      async attach() {},
      registry: (directory) => new MarketRegistry({ prisma, directory, apis: null }),
      async syncCatalog() {
        return null;
      },
      stop: () => synthetic.stop(),
    };
  }

  const paused = await pauseDemoMarkets(prisma);
  if (paused > 0) log.info({ paused }, 'market data: demo markets paused (their venue ids are invented; live data has no books for them)');
  const apis = createPublicApis({ endpoints, timeoutMs: Math.min(config.VENUE_TIMEOUT_MS, 5_000) });
  const staleSeconds = config.MARKET_STALE_SECONDS ?? 30;
  let directory: MarketDirectory | null = null;
  const live = createLiveFeed({
    apis,
    endpoints,
    listings: () => (directory ? openListingsOf(directory) : []),
    pollSeconds: config.MARKET_POLL_SECONDS,
    staleSeconds,
    log,
    stream: args.stream,
  });
  let reload: NodeJS.Timeout | null = null;
  return {
    kind: 'live',
    reason: choice.reason,
    staleSeconds,
    feed: live,
    synthetic: new SyntheticMarketFeed({ catalog: [], seed: config.MARKET_SEED, tickMs: 0 }),
    live,
    apis,
    async attach(dir, opts) {
      directory = dir;
      // Other processes register markets and sync the catalog: pick their listings up.
      const every = opts?.reloadMs ?? 60_000;
      if (every > 0) {
        reload = setInterval(() => void dir.load().catch((err: unknown) => log.warn({ err }, 'market data: reloading the market directory failed')), every);
        reload.unref();
      }
      await live.start();
    },
    registry: (dir) => new MarketRegistry({ prisma, directory: dir, apis }),
    syncCatalog: (dir, opts) => syncCatalog({ prisma, apis, directory: dir, log }, { ...opts, exclude: DEMO_MARKET_IDS }),
    async stop() {
      if (reload) clearInterval(reload);
      await live.stop();
    },
  };
}
