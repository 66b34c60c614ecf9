/**
 * The trading service's contract: what chat commands, the HTTP API and the automation call.
 * Decimal in, Decimal out; presenters and the API turn them into strings.
 */
import type { Decimal } from '../money.ts';
import type { Action, OrderType, Outcome, TimeInForce, Venue } from '../exchanges/types.ts';

export type OrderStatus = 'created' | 'pending' | 'partial' | 'filled' | 'cancelled' | 'failed';
export type OrderSource = 'manual' | 'copy-trade' | 'sniper' | 'counter-trade' | 'take-profit' | 'stop-loss';

export interface PlaceOrderInput {
  userId: string;
  /** Market id, or slug. */
  marketId: string;
  side: Outcome;
  action: Action;
  type: OrderType;
  /** USD to spend: market buys by amount. */
  amount?: Decimal;
  /** Shares: limit orders, sells, market buys by shares. */
  quantity?: Decimal;
  /** Limit price (limit orders) or worst acceptable price (market orders; default from the slippage guard). */
  price?: Decimal;
  /** Force a venue; otherwise the SmartRouter chooses. */
  exchange?: Venue;
  /**
   * The router's reason the user saw on a confirmation screen. With `exchange` pinned to that quote's
   * venue, it is recorded as the order's routing reason instead of "you chose this venue".
   */
  quotedReason?: string;
  timeInForce?: TimeInForce;
  /** GTD orders: when the venue cancels whatever has not filled. */
  expiresAt?: Date;
  idempotencyKey?: string;
  source?: OrderSource;
  copyTradeSubId?: string;
  counterTradeId?: string;
  sniperId?: string;
}

/** One venue's executable quote for the whole order. */
export interface VenueQuote {
  venue: Venue;
  listingId: string;
  /** False when the book cannot fill the whole order (the quote covers what it can). */
  fillable: boolean;
  quantity: Decimal;
  /** Volume-weighted average price over the levels walked. */
  avgPrice: Decimal | null;
  /** Worst level touched. */
  worstPrice: Decimal | null;
  /** Price × size over the levels walked, before fees (for buys: cost; for sells: proceeds). */
  notional: Decimal;
  fee: Decimal;
  /** Buys: notional + fee (what you pay). Sells: notional − fee (what you receive). */
  total: Decimal;
  bestBid: Decimal | null;
  bestAsk: Decimal | null;
}

/** The router's decision: the chosen venue, every quote, and why. */
export interface RouteDecision {
  venue: Venue;
  listingId: string;
  quotes: VenueQuote[];
  chosen: VenueQuote;
  /** A sentence for people, e.g. "kalshi: $0.42 cheaper for 100 shares than polymarket". */
  reason: string;
  forced: boolean;
}

export interface FillView {
  id: string;
  venueTradeId: string;
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
  late: boolean;
  filledAt: Date;
}

export interface OrderView {
  id: string;
  userId: string;
  marketId: string;
  marketTitle: string;
  listingId: string;
  side: Outcome;
  type: OrderType;
  action: Action;
  price: Decimal;
  quantity: Decimal;
  amount: Decimal | null;
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  fee: Decimal;
  exchange: Venue;
  source: OrderSource;
  timeInForce: TimeInForce;
  status: OrderStatus;
  clientOrderId: string;
  venueOrderId: string | null;
  failureReason: string | null;
  copyTradeSubId: string | null;
  lateFillQuantity: Decimal;
  routing: unknown;
  createdAt: Date;
  updatedAt: Date;
  fills?: FillView[];
}

export interface PositionView {
  id: string;
  marketId: string;
  marketTitle: string;
  listingId: string;
  exchange: Venue;
  side: Outcome;
  quantity: Decimal;
  avgPrice: Decimal;
  costBasis: Decimal;
  /** Best bid now (what selling would fetch per share), null without a book. */
  currentPrice: Decimal | null;
  marketValue: Decimal | null;
  unrealizedPnl: Decimal | null;
  realizedPnl: Decimal;
  takeProfitPrice: Decimal | null;
  stopLossPrice: Decimal | null;
}

export interface BalanceView {
  venues: { venue: Venue; available: Decimal; mode: 'paper' | 'live' }[];
  total: Decimal;
}

export type TradingErrorCode =
  | 'invalid_input'
  | 'market_not_found'
  | 'market_ambiguous'
  | 'market_closed'
  | 'venue_not_listed'
  | 'order_not_found'
  | 'not_cancellable'
  | 'no_position'
  | 'insufficient_position'
  | 'insufficient_liquidity'
  | 'max_order_size'
  | 'below_minimum'
  | 'trading_halted'
  | 'rejected'
  | 'venue_unavailable'
  | 'idempotency_conflict'
  /** The startup order sync is still running: retry in a few seconds (nothing was placed). */
  | 'starting_up';

/** A failure people can act on: the code for machines, the message for people. Never a 5xx. */
export class TradingError extends Error {
  readonly code: TradingErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: TradingErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'TradingError';
    this.code = code;
    this.details = details;
  }
}

export interface MarketSummary {
  id: string;
  slug: string;
  title: string;
  category: string;
  status: string;
  venues: { venue: Venue; listingId: string; venueMarketId: string; tickSize: Decimal; minSize: Decimal; yesBid: Decimal | null; yesAsk: Decimal | null }[];
}

/** The trading facade used by every front end and by the automation. */
export interface TradingApi {
  placeOrder(input: PlaceOrderInput): Promise<OrderView>;
  /** Routes without placing: the confirmation screen and /price use it. */
  quote(input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>): Promise<RouteDecision>;
  cancelOrder(args: { userId: string; orderId: string }): Promise<OrderView>;
  getOrder(args: { userId: string; orderId: string }): Promise<OrderView>;
  listOrders(args: { userId: string; status?: OrderStatus[]; limit?: number }): Promise<OrderView[]>;
  listPositions(args: { userId: string }): Promise<PositionView[]>;
  getBalance(args: { userId: string }): Promise<BalanceView>;
}

/** Market look-ups shared by chat and HTTP. */
export interface MarketsApi {
  list(args: { query?: string; category?: string; limit?: number }): Promise<MarketSummary[]>;
  /** By id, slug, or an unambiguous search term; throws market_not_found / market_ambiguous. */
  resolve(term: string): Promise<MarketSummary>;
}
