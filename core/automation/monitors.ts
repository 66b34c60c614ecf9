/**
 * The automation monitors of one process, composed: the price sync (feed → quotes → triggers), the
 * SniperMonitorScheduler, the TP/SL monitor, and the periodic sweep (freshness guard, expiry, closed
 * markets, stuck-claim recovery). jobs/monitors.ts schedules them; any number of processes may run
 * them on one database: exactly-once comes from the compare-and-set claims, not from a single runner.
 */
import type { Db } from '../db/client.ts';
import type { Decimal } from '../money.ts';
import type { AdapterRegistry } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import type { MarketDataFeed } from '../markets/types.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStore } from '../orders/order-store.ts';
import type { TradingApi } from '../trading/types.ts';
import type { AutomationService } from './automation-service.ts';
import { Background, type AutomationLog } from './background.ts';
import { PriceSync } from './price-sync.ts';
import { SniperMonitorScheduler } from './snipers.ts';
import { TpslMonitor } from './tpsl.ts';

export interface AutomationMonitorsDeps {
  prisma: Db;
  jobs: JobPort;
  feed: MarketDataFeed;
  trading: Pick<TradingApi, 'placeOrder'>;
  store: OrderStore;
  adapters: AdapterRegistry;
  directory: MarketDirectory;
  /** The global trading halt (AdminService.isHalted, cached). */
  isHalted: () => Promise<boolean>;
  /** When given, a newly armed sniper is evaluated at once. */
  automation?: Pick<AutomationService, 'onArmed'>;
  /** DEFAULT_SLIPPAGE: the TP/SL exits' guard. */
  slippage: Decimal;
  /** MARKET_STALE_SECONDS as resolved by marketStaleSeconds(); 0 = guard off. */
  staleSeconds: number;
  /** EXECUTING snipers / exits untouched this long are recovered. Default 15 s. */
  recoverAfterMs?: number;
  tickIntervalMs?: number;
  /** TP/SL: pause before retrying after an attempt that sold nothing. */
  exitRetryDelayMs?: number;
  clock?: () => Date;
  log?: AutomationLog;
}

export interface SweepResult {
  stale: number;
  expired: number;
  closed: number;
  recovered: number;
}

export class AutomationMonitors {
  readonly background: Background;
  readonly snipers: SniperMonitorScheduler;
  readonly tpsl: TpslMonitor;
  readonly priceSync: PriceSync;
  private offArmed: (() => void) | null = null;

  constructor(private readonly deps: AutomationMonitorsDeps) {
    const clock = deps.clock ?? (() => new Date());
    this.background = new Background(deps.log);
    const common = { prisma: deps.prisma, jobs: deps.jobs, trading: deps.trading, directory: deps.directory, background: this.background, clock, log: deps.log };
    this.snipers = new SniperMonitorScheduler(common);
    this.tpsl = new TpslMonitor({ ...common, store: deps.store, adapters: deps.adapters, slippage: deps.slippage, retryDelayMs: deps.exitRetryDelayMs });
    this.priceSync = new PriceSync({
      prisma: deps.prisma,
      jobs: deps.jobs,
      feed: deps.feed,
      directory: deps.directory,
      snipers: this.snipers,
      tpsl: this.tpsl,
      background: this.background,
      isHalted: deps.isHalted,
      clock,
      staleSeconds: deps.staleSeconds,
      tickIntervalMs: deps.tickIntervalMs,
      log: deps.log,
    });
  }

  /** Listens to the feed (and to newly armed snipers). */
  start(): void {
    this.priceSync.start();
    this.snipers.onRewatch = (marketId) => this.priceSync.evaluateMarket(marketId);
    this.offArmed ??= this.deps.automation?.onArmed((marketId) => this.priceSync.evaluateMarket(marketId)) ?? null;
  }

  /** Stops listening; waits for running evaluations and fires. */
  async stop(): Promise<void> {
    this.snipers.onRewatch = null;
    this.offArmed?.();
    this.offArmed = null;
    await this.priceSync.stop();
  }

  /** Resolves when no evaluation or fire is running. */
  idle(): Promise<void> {
    return this.priceSync.idle();
  }

  /** The periodic pass. Each step is a compare-and-set, safe in any number of processes at once. */
  async sweep(): Promise<SweepResult> {
    const recoverAfter = this.deps.recoverAfterMs ?? 15_000;
    const stale = await this.priceSync.checkStale();
    const expired = await this.snipers.expire();
    const closed = (await this.snipers.expireClosedMarkets()) + (await this.tpsl.disarmClosedMarkets());
    const recovered = (await this.snipers.recoverStuck(recoverAfter)) + (await this.tpsl.recoverStuck(recoverAfter));
    return { stale, expired, closed, recovered };
  }

  /** Trims the price history to `hours`. */
  trimTicks(hours: number): Promise<number> {
    return this.priceSync.trimTicks(hours);
  }
}

export function createAutomationMonitors(deps: AutomationMonitorsDeps): AutomationMonitors {
  return new AutomationMonitors(deps);
}
