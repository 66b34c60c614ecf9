/**
 * Following wallets (issue 6; seed: "Counter-Trade Automation"): counter-trading (the seed's
 * `inverse` strategy: take the opposite side of every trade of a target wallet) and copy-trading
 * (the same side). Decimal in, Decimal out; chat and HTTP call FollowApi.
 */
import type { Decimal } from '../money.ts';

/** One trade of a followed wallet, as a source reports it. */
export interface SourceTrade {
  /** Unique per trade within the wallet (data API: transactionHash + asset + side + size + price). */
  key: string;
  side: 'BUY' | 'SELL';
  /** The outcome token id (Polymarket asset). */
  asset: string;
  conditionId: string;
  outcome: string | null;
  outcomeIndex: number | null;
  /** Shares. */
  size: Decimal;
  price: Decimal;
  title: string | null;
  tradedAt: Date;
  raw?: Record<string, unknown>;
}

/**
 * Where a followed wallet's trades come from. The data API poller implements it today; a WebSocket
 * or chain-event source can replace it: it keeps its own position in `cursor` (stored as JSON per
 * wallet) and answers what is new since. Answers may repeat trades (they are deduplicated by key).
 */
export interface WalletTradeSource {
  readonly name: string;
  /**
   * Trades since `cursor` and the cursor to store. Null: never polled; answer recent trades (the
   * poller acts only on trades made after each follow started, so a trade made between the start of
   * a follow and its first poll is not missed).
   */
  fetchNew(args: { address: string; cursor: unknown; signal?: AbortSignal }): Promise<{ trades: SourceTrade[]; cursor: unknown }>;
}

export type FollowKind = 'counter' | 'copy';
export const FOLLOW_KINDS: readonly FollowKind[] = ['counter', 'copy'];

/** The seed's CounterTradeConfig fields (the same set for a CopyTradeSubscription, without strategy). */
export interface FollowSettings {
  sizeMultiplier: Decimal;
  executionDelaySec: number;
  /** USD cap of one order. */
  maxTradeSize: Decimal | null;
  /** USD: when the day's PnL reaches −dailyStopLoss the follow pauses until the daily reset. */
  dailyStopLoss: Decimal | null;
  /** Market categories (lower case); empty = all. */
  categories: string[];
}

export interface CreateFollowInput extends Partial<FollowSettings> {
  userId: string;
  kind: FollowKind;
  targetWalletAddress: string;
  /** Counter-trades only: "inverse" (the default and only strategy). */
  strategy?: string;
}

export interface UpdateFollowInput extends Partial<FollowSettings> {
  userId: string;
  kind: FollowKind;
  id: string;
  /** false pauses, true resumes (a daily stop-loss pause still lasts until the reset). */
  enabled?: boolean;
}

export type FollowState = 'active' | 'paused' | 'stopped-loss' | 'stopped';

export interface FollowView extends FollowSettings {
  id: string;
  kind: FollowKind;
  userId: string;
  targetWalletAddress: string;
  /** "inverse" for counter-trades, "copy" for copy-trades. */
  strategy: string;
  /** active; paused by you; paused by the daily stop-loss until the reset; stopped for good. */
  state: FollowState;
  enabled: boolean;
  pausedUntil: Date | null;
  pauseReason: string | null;
  dailyPnl: Decimal;
  dailyTradeCount: number;
  dailyResetAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Order ids this follow placed, oldest first (detail views only; [] in lists). */
  orderIds: string[];
}

/** Counter- and copy-trading, shared by chat and HTTP. Errors are TradingError (bad input changes nothing). */
export interface FollowApi {
  create(input: CreateFollowInput): Promise<FollowView>;
  list(args: { userId: string; kind?: FollowKind; includeStopped?: boolean }): Promise<FollowView[]>;
  get(args: { userId: string; kind?: FollowKind; id: string }): Promise<FollowView>;
  update(input: UpdateFollowInput): Promise<FollowView>;
  /** Stops for good (kept with its order history). */
  stop(args: { userId: string; kind?: FollowKind; id: string }): Promise<FollowView>;
  /** The follow whose id starts with `prefix` (≥ 6 hex characters), for chat. */
  resolveId(args: { userId: string; prefix: string }): Promise<{ kind: FollowKind; id: string }>;
}
