/**
 * The two follow tables (CounterTradeConfig, CopyTradeSubscription) behind one shape: the columns
 * they share, the Order column that links an order to each, and the view chat and HTTP see.
 */
import type { Db } from '../db/client.ts';
import { dec, decOrNull } from '../money.ts';
import type { FollowKind, FollowState, FollowView } from './types.ts';

/** The columns both tables share (strategy only on CounterTradeConfig). */
export interface FollowRow {
  id: string;
  userId: string;
  targetWalletAddress: string;
  strategy?: string;
  sizeMultiplier: { toString(): string };
  executionDelaySec: number;
  maxTradeSize: { toString(): string } | null;
  dailyStopLoss: { toString(): string } | null;
  categories: string[];
  enabled: boolean;
  pausedUntil: Date | null;
  pauseReason: string | null;
  dailyPnl: { toString(): string };
  dailyTradeCount: number;
  dailyResetAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** SQL table name and the Order column of each kind. */
export const TABLES = {
  counter: { table: '"CounterTradeConfig"', orderColumn: 'counterTradeId', source: 'counter-trade' },
  copy: { table: '"CopyTradeSubscription"', orderColumn: 'copyTradeSubId', source: 'copy-trade' },
} as const satisfies Record<FollowKind, { table: string; orderColumn: string; source: string }>;

/** Prisma delegate of a kind's table, narrowed to what the service uses (both models fit). */
export interface FollowDelegate {
  findFirst(args: unknown): Promise<FollowRow | null>;
  findMany(args: unknown): Promise<FollowRow[]>;
  create(args: unknown): Promise<FollowRow>;
  updateManyAndReturn(args: unknown): Promise<FollowRow[]>;
  count(args: unknown): Promise<number>;
}

export function delegateOf(prisma: Db, kind: FollowKind): FollowDelegate {
  return (kind === 'counter' ? prisma.counterTradeConfig : prisma.copyTradeSubscription) as unknown as FollowDelegate;
}

/**
 * Options of the following's transactions: a busy pool (many wallets polled at once, executions
 * finishing) must not fail a short transaction for want of a connection within Prisma's 2 s default.
 */
export const TX = { maxWait: 15_000, timeout: 30_000 } as const;

/** The pause reason the daily stop-loss writes (the reset lifts only these). */
export const STOP_LOSS_REASON = 'daily stop-loss';

export function stateOf(r: Pick<FollowRow, 'stoppedAt' | 'enabled' | 'pausedUntil'>, now: Date): FollowState {
  if (r.stoppedAt) return 'stopped';
  if (!r.enabled) return 'paused';
  if (r.pausedUntil && r.pausedUntil.getTime() > now.getTime()) return 'stopped-loss';
  return 'active';
}

export function followView(kind: FollowKind, r: FollowRow, now: Date, orderIds: string[] = []): FollowView {
  return {
    id: r.id,
    kind,
    userId: r.userId,
    targetWalletAddress: r.targetWalletAddress,
    strategy: kind === 'counter' ? (r.strategy ?? 'inverse') : 'copy',
    sizeMultiplier: dec(r.sizeMultiplier),
    executionDelaySec: r.executionDelaySec,
    maxTradeSize: decOrNull(r.maxTradeSize),
    dailyStopLoss: decOrNull(r.dailyStopLoss),
    categories: [...r.categories],
    state: stateOf(r, now),
    enabled: r.enabled,
    pausedUntil: r.pausedUntil,
    pauseReason: r.pauseReason,
    dailyPnl: dec(r.dailyPnl),
    dailyTradeCount: r.dailyTradeCount,
    dailyResetAt: r.dailyResetAt,
    stoppedAt: r.stoppedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    orderIds,
  };
}
