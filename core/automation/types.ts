/**
 * Automation contracts (issue 5): sniper orders, take-profit / stop-loss, the price sync cycle.
 * Seed: "Sniper Orders" and "Take-Profit and Stop-Loss (TPSL)". Decimal in, Decimal out.
 */
import type { Decimal } from '../money.ts';
import type { Outcome, Venue } from '../exchanges/types.ts';

export type SniperStatus = 'WATCHING' | 'EXECUTING' | 'FILLED' | 'EXPIRED' | 'CANCELLED' | 'FAILED';

export interface CreateSniperInput {
  userId: string;
  /** Market id, slug or unambiguous term. */
  marketId: string;
  side: Outcome;
  /** Fires when the ask of `side` is at or below this. 0 < triggerPrice < 1. */
  triggerPrice: Decimal;
  /** USD to spend. */
  amount: Decimal;
  /** Fraction, default 0.02 (2%). Worst price = triggerPrice × (1 + slippage), on the venue's tick. */
  slippage?: Decimal;
  expiresAt?: Date;
  repeat?: boolean;
  /** Restrict to one venue; otherwise the best ask across the market's venues is watched. */
  exchange?: Venue;
  /** A retry with the same key returns the sniper it armed instead of arming another. */
  idempotencyKey?: string;
}

export interface SniperView {
  id: string;
  userId: string;
  marketId: string;
  marketTitle: string;
  side: Outcome;
  exchange: Venue | null;
  triggerPrice: Decimal;
  amount: Decimal;
  slippage: Decimal;
  status: SniperStatus;
  expiresAt: Date | null;
  repeat: boolean;
  /** Paused because its market data went stale; resumes on fresh data. */
  paused: boolean;
  failureReason: string | null;
  /** How many times it has fired. */
  fireCount: number;
  orderIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface TpslInput {
  userId: string;
  positionId: string;
  /** undefined = leave as is, null = clear. */
  takeProfitPrice?: Decimal | null;
  stopLossPrice?: Decimal | null;
}

/** Snipers and TP/SL, shared by chat and HTTP. Errors are TradingError (core/trading/types.ts). */
export interface AutomationApi {
  createSniper(input: CreateSniperInput): Promise<SniperView>;
  listSnipers(args: { userId: string; status?: SniperStatus[] }): Promise<SniperView[]>;
  getSniper(args: { userId: string; sniperId: string }): Promise<SniperView>;
  cancelSniper(args: { userId: string; sniperId: string }): Promise<SniperView>;
  /** Sets or clears a position's take-profit / stop-loss levels. Returns the position's levels. */
  setTpsl(input: TpslInput): Promise<{ positionId: string; takeProfitPrice: Decimal | null; stopLossPrice: Decimal | null }>;
}
