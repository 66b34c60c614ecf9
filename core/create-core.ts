/**
 * Builds the core services from their dependencies. Entry points (main.ts, tests, bench) call it;
 * the core never builds its own infrastructure.
 */
import type { Db } from './db/client.ts';
import type { Decimal } from './money.ts';
import type { AdapterRegistry } from './exchanges/types.ts';
import { AdminService } from './admin/admin-service.ts';
import { AutomationService } from './automation/automation-service.ts';
import type { AutomationMonitorsDeps } from './automation/monitors.ts';
import { AlertService } from './alerts/alert-service.ts';
import { ChartService } from './charts/chart-service.ts';
import { FollowService } from './following/follow-service.ts';
import { MarketDirectory } from './markets/directory.ts';
import { MarketsService } from './markets/markets-service.ts';
import type { JobPort } from './notifications/types.ts';
import { OrderStore } from './orders/order-store.ts';
import { SmartRouter } from './routing/smart-router.ts';
import { TradingService, type TradingServiceDeps } from './trading/trading-service.ts';
import { UserService } from './users/user-service.ts';
import type { Services } from './services.ts';
import type { AccountsApi } from './accounts/types.ts';

export interface CoreDeps {
  prisma: Db;
  jobs: JobPort;
  adapters: AdapterRegistry;
  settings: { mode: 'paper' | 'live'; maxOrderUsd: Decimal; defaultSlippage: Decimal };
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** Look-ups by client id after an unknown outcome (default 3 attempts, 250 ms apart, growing). */
  lookupRetries?: { attempts: number; delayMs: number };
  /** Linked venue accounts (main.ts builds them over the vault when CREDENTIALS_KEY is set); in live mode only linked venues are routed to. */
  accounts?: AccountsApi;
  /** Order sync tuning (core/trading/order-sync.ts: grace period, follow jobs, startup time box). */
  sync?: TradingServiceDeps['sync'];
}

export interface Core extends Services {
  trading: TradingService;
  admin: AdminService;
  directory: MarketDirectory;
  store: OrderStore;
  router: SmartRouter;
  /** Snipers and TP/SL (the monitors that fire them: core/automation/monitors.ts). */
  automation: AutomationService;
  /** Group channel alerts (/alerts); the evaluator that fires them runs in jobs/alerts.ts. */
  alerts: AlertService;
  charts: ChartService;
  /** Copy- and counter-trading (the engine that trades them: core/following/engine.ts). */
  follow: FollowService;
  /** The venue adapters the core trades through (tests reach the paper venues' idle() here). */
  adapters: AdapterRegistry;
  /** Stops listening to venue events. */
  detach(): void;
}

/** Loads the market directory and wires venue events into the order state machine. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const directory = new MarketDirectory(deps.prisma);
  await directory.load();
  const store = new OrderStore({ prisma: deps.prisma, jobs: deps.jobs });
  const router = new SmartRouter({ adapters: deps.adapters });
  const admin = new AdminService({ prisma: deps.prisma, directory });
  const trading = new TradingService({
    prisma: deps.prisma,
    store,
    router,
    adapters: deps.adapters,
    directory,
    isHalted: () => admin.isHalted(),
    settings: deps.settings,
    log: deps.log,
    lookupRetries: deps.lookupRetries,
    linkedVenues: deps.settings.mode === 'live' ? (userId) => deps.accounts?.linkedVenues(userId) ?? Promise.resolve(new Set()) : undefined,
    jobs: deps.jobs,
    sync: deps.sync,
  });
  const unsubscribe = [...deps.adapters.values()].map((adapter) =>
    adapter.onOrderEvent((event) => {
      trading.onVenueOrder(event.clientOrderId, event.order, event.venue).catch((err) => deps.log?.error({ err, event: event.clientOrderId }, 'applying a venue event failed'));
    }),
  );
  const markets = new MarketsService({ directory, adapters: deps.adapters });
  const describeMarket = (id: string) => directory.get(id);
  return {
    trading,
    markets,
    users: new UserService({ prisma: deps.prisma }),
    admin,
    alerts: new AlertService({ prisma: deps.prisma, market: describeMarket }),
    charts: new ChartService({ prisma: deps.prisma, directory, markets, trading }),
    automation: new AutomationService({ prisma: deps.prisma, directory, adapters: deps.adapters, settings: deps.settings }),
    follow: new FollowService({ prisma: deps.prisma, directory }),
    directory,
    store,
    router,
    adapters: deps.adapters,
    accounts: deps.accounts,
    detach: () => unsubscribe.forEach((u) => u()),
  };
}

/** The parts of the automation monitors' dependencies that come from the core itself. */
export function coreMonitorDeps(core: Core): Pick<AutomationMonitorsDeps, 'trading' | 'store' | 'adapters' | 'directory' | 'isHalted' | 'automation'> {
  return {
    trading: core.trading,
    store: core.store,
    adapters: core.adapters,
    directory: core.directory,
    isHalted: () => core.admin.isHalted(),
    automation: core.automation,
  };
}
