/**
 * The core services bundle that entry points (main.ts, tests, bench) build once and hand to
 * front ends. Front ends depend on these interfaces only.
 */
import type { AdminApi } from './admin/types.ts';
import type { MarketsApi, TradingApi } from './trading/types.ts';
import type { UsersApi } from './users/types.ts';

export interface Services {
  trading: TradingApi;
  markets: MarketsApi;
  users: UsersApi;
  admin: AdminApi;
}

/** Queue statistics for /admin and /metrics, provided by jobs/ (core never imports pg-boss). */
export interface QueueStatsPort {
  stats(): Promise<{ queue: string; queued: number; active: number; deferred: number; total: number }[]>;
}
