/**
 * The following engine of one process, composed: the wallet poller, the executor, the daily risk
 * (stop-loss, reset) and the sweep that recovers what a crash left behind. jobs/following.ts
 * schedules it; any number of processes may run it on one database (claims are compare-and-sets).
 */
import type { Db } from '../db/client.ts';
import type { Decimal } from '../money.ts';
import type { AdapterRegistry } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import type { JobPort } from '../notifications/types.ts';
import type { TradingApi } from '../trading/types.ts';
import { Background, type AutomationLog } from '../automation/background.ts';
import { FollowExecutor, type ExecutionRow } from './executor.ts';
import { WalletPoller, type CycleResult } from './poller.ts';
import { FollowRisk } from './risk.ts';
import type { WalletTradeSource } from './types.ts';

export interface FollowEngineDeps {
  prisma: Db;
  jobs: JobPort;
  source: WalletTradeSource;
  trading: Pick<TradingApi, 'placeOrder' | 'quote'>;
  directory: MarketDirectory;
  adapters: AdapterRegistry;
  settings: { maxOrderUsd: Decimal; defaultSlippage: Decimal };
  /** FOLLOW_POLL_SECONDS. */
  pollSeconds: number;
  /** COUNTER_RESET_TZ. */
  tz: string;
  clock?: () => Date;
  log?: AutomationLog;
  /** Executions left scheduled past due, or executing, this long are recovered. Default 15 s. */
  recoverAfterMs?: number;
  maxTradeAgeMs?: number;
  /**
   * How often the sweep re-marks the follows that traded today (their PnL, the stop-loss): each
   * check reads books. Default 15 s; the check also runs right after each order a follow places.
   */
  riskIntervalMs?: number;
  /** How often the sweep runs the reset as a backstop of the pg-boss cron. Default 60 s. */
  resetIntervalMs?: number;
}

export interface FollowSweepResult {
  recovered: number;
  paused: number;
  reset: number;
}

export class FollowEngine {
  readonly background: Background;
  readonly poller: WalletPoller;
  readonly executor: FollowExecutor;
  readonly risk: FollowRisk;
  private readonly clock: () => Date;
  private lastRisk = 0;
  private lastReset = 0;

  constructor(private readonly deps: FollowEngineDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.background = new Background(deps.log);
    this.risk = new FollowRisk({ prisma: deps.prisma, jobs: deps.jobs, adapters: deps.adapters, directory: deps.directory, tz: deps.tz, clock: this.clock, log: deps.log });
    this.executor = new FollowExecutor({
      prisma: deps.prisma,
      jobs: deps.jobs,
      trading: deps.trading,
      directory: deps.directory,
      adapters: deps.adapters,
      settings: deps.settings,
      clock: this.clock,
      log: deps.log,
      onPlaced: (kind, id) => this.background.run(`follow stop-loss ${id}`, () => this.risk.check(kind, id)),
    });
    this.poller = new WalletPoller({
      prisma: deps.prisma,
      jobs: deps.jobs,
      source: deps.source,
      intervalMs: deps.pollSeconds * 1000,
      clock: this.clock,
      log: deps.log,
      maxTradeAgeMs: deps.maxTradeAgeMs,
      executeNow: (row) => this.background.run(`follow execution ${row.id}`, () => this.executor.drive(row)),
    });
  }

  /** One polling cycle of this process. */
  cycle(): Promise<CycleResult> {
    return this.poller.cycle();
  }

  /** Executes one scheduled execution (the pg-boss job of a delayed one). */
  execute(executionId: string): Promise<'done' | 'not-claimed' | 'pending'> {
    return this.executor.execute(executionId);
  }

  /** The daily reset (the pg-boss cron job; also the sweep's backstop). */
  resetDay(): Promise<number> {
    return this.risk.resetDay();
  }

  /**
   * Recovery (scheduled executions past due whose job or in-process run was lost; executing ones
   * nobody finished, re-driven with the same idempotency key), the stop-loss check of follows that
   * traded today, and the reset backstop.
   */
  async sweep(): Promise<FollowSweepResult> {
    const now = this.clock();
    const cutoff = new Date(now.getTime() - (this.deps.recoverAfterMs ?? 15_000));
    const rows = await this.deps.prisma.$queryRaw<(ExecutionRow & { was: string })[]>`
      WITH stuck AS (
        SELECT id, status AS was FROM "FollowExecution"
        WHERE (status = 'scheduled' AND "runAt" < ${cutoff}) OR (status = 'executing' AND "updatedAt" < ${cutoff})
        ORDER BY "runAt" LIMIT 100 FOR UPDATE SKIP LOCKED)
      UPDATE "FollowExecution" e SET status = 'executing', "updatedAt" = ${now}
      FROM stuck WHERE e.id = stuck.id
      RETURNING e.id, e.kind, e."configId", e."userId", e."walletTradeId", e.status, stuck.was`;
    for (const r of rows) {
      this.deps.log?.warn?.({ executionId: r.id, was: r.was }, 'follow: recovering an execution nobody finished');
      await this.executor.drive(r).catch((err) => this.deps.log?.error({ err, executionId: r.id }, 'follow: recovery failed; will retry'));
    }
    let paused = 0;
    if (now.getTime() - this.lastRisk >= (this.deps.riskIntervalMs ?? 15_000)) {
      this.lastRisk = now.getTime();
      paused = await this.risk.checkAll();
    }
    let reset = 0;
    if (now.getTime() - this.lastReset >= (this.deps.resetIntervalMs ?? 60_000)) {
      this.lastReset = now.getTime();
      reset = await this.risk.resetDay();
    }
    return { recovered: rows.length, paused, reset };
  }

  /** Resolves when no execution or check started by this process is running. */
  idle(): Promise<void> {
    return this.background.idle();
  }
}

export function createFollowEngine(deps: FollowEngineDeps): FollowEngine {
  return new FollowEngine(deps);
}
