/**
 * The core services bundle that entry points (main.ts, tests, bench) build once and hand to
 * front ends. Front ends depend on these interfaces only.
 */
import type { AdminApi } from './admin/types.ts';
import type { AutomationApi } from './automation/types.ts';
import type { AlertsApi } from './alerts/types.ts';
import type { AccountsApi } from './accounts/types.ts';
import type { ChartsApi } from './charts/types.ts';
import type { FollowApi } from './following/types.ts';
import type { MarketsApi, TradingApi } from './trading/types.ts';
import type { UsersApi } from './users/types.ts';

export interface Services {
  trading: TradingApi;
  markets: MarketsApi;
  users: UsersApi;
  admin: AdminApi;
  /** Sniper orders and take-profit / stop-loss (issue 5). */
  automation: AutomationApi;
  /** Group channel alerts (/alerts); absent where the server runs without them. */
  alerts?: AlertsApi;
  /** Price history and PnL for the /chart and /pnl pictures. */
  charts?: ChartsApi;
  /** Copy- and counter-trading of a wallet (issue 6); absent where the server runs without it. */
  follow?: FollowApi;
  /** Linked venue accounts (Polymarket sub-wallet, Kalshi API key); absent without CREDENTIALS_KEY. */
  accounts?: AccountsApi;
}

/** Queue statistics for /admin and /metrics, provided by jobs/ (core never imports pg-boss). */
export interface QueueStatsPort {
  stats(): Promise<{ queue: string; queued: number; active: number; deferred: number; total: number }[]>;
}
