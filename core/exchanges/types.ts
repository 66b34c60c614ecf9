/**
 * The one interface every venue adapter implements (paper, Polymarket, Kalshi),
 * and the error taxonomy adapters translate venue errors into.
 */
import type { Decimal } from '../money.ts';

export const VENUES = ['polymarket', 'kalshi'] as const;
/** A trading venue. */
export type Venue = (typeof VENUES)[number];
/** The outcome a contract pays on. */
export type Outcome = 'yes' | 'no';
export type Action = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
/** GTC rests; GTD rests until expiresAt; FOK fills whole or nothing; FAK (IOC) takes what there is. */
export type TimeInForce = 'GTC' | 'GTD' | 'FOK' | 'FAK';

/** One price level: price in dollars per $1 payout, size in shares/contracts. */
export interface BookLevel {
  price: Decimal;
  size: Decimal;
}

/** The book of one outcome of one listing. Both sides sorted best first. */
export interface OrderBook {
  venue: Venue;
  venueMarketId: string;
  outcome: Outcome;
  bids: BookLevel[];
  asks: BookLevel[];
  /** When the venue (or the synthetic feed) produced it. */
  timestamp: Date;
}

/** What an adapter needs to know about the listing it trades. */
export interface ListingRef {
  /** yesno's MarketListing id. */
  listingId: string;
  marketId: string;
  venue: Venue;
  /** Polymarket condition id or Kalshi ticker. */
  venueMarketId: string;
  yesTokenId?: string | null;
  noTokenId?: string | null;
  tickSize: Decimal;
  minSize: Decimal;
  negRisk: boolean;
}

/** Whose account the call acts for. Adapters resolve credentials from it. */
export interface AccountRef {
  userId: string;
}

export interface PlaceOrderRequest {
  account: AccountRef;
  listing: ListingRef;
  outcome: Outcome;
  action: Action;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Set by yesno before sending; the key for finding the order after a lost response. */
  clientOrderId: string;
  /** Limit price, or for market orders the worst acceptable price (slippage guard). Already on the tick grid. */
  price: Decimal;
  /** Shares/contracts. Required except for a market buy by USD amount. */
  quantity?: Decimal;
  /** USD to spend, for a market buy by amount. The venue never spends more than this (fees on top where charged separately). */
  amount?: Decimal;
  expiresAt?: Date;
  /**
   * Called after the order is built and signed and before it is sent, when the venue's order id is
   * known in advance (Polymarket: the EIP-712 hash of the signed order). The caller stores it, so an
   * order whose response is lost (or whose process dies mid-send) can be found again by that id.
   * If it throws, the adapter does not send.
   */
  onPrepared?: (prepared: { venueOrderId: string }) => Promise<void>;
}

/** A fill as the venue reports it; prices, quantities and fees are the venue's. */
export interface VenueFill {
  venueTradeId: string;
  venueOrderId: string;
  price: Decimal;
  quantity: Decimal;
  fee: Decimal;
  filledAt: Date;
}

/** Venue order state, already mapped from the venue's own vocabulary. */
export type VenueOrderStatus = 'open' | 'filled' | 'cancelled' | 'rejected';

export interface VenueOrder {
  venueOrderId: string;
  clientOrderId: string;
  status: VenueOrderStatus;
  /** Requested shares (for a buy by amount: what the venue sized it to). */
  quantity: Decimal;
  filledQuantity: Decimal;
  fills: VenueFill[];
  /** Human-readable reason when rejected or cancelled by the venue. */
  reason?: string;
}

export interface Balance {
  venue: Venue;
  available: Decimal;
  currency: 'USD';
}

export interface VenuePosition {
  venueMarketId: string;
  outcome: Outcome;
  quantity: Decimal;
}

/** What a venue supports; the router and the command layer read it. */
export interface VenueCapabilities {
  marketOrders: boolean;
  limitOrders: boolean;
  timeInForce: readonly TimeInForce[];
  /** Buy by USD amount natively. */
  marketBuyByAmount: boolean;
  /** Smallest share increment (Polymarket 0.01, Kalshi 1 unless fractional). */
  quantityStep: Decimal;
}

/** An order event the venue pushes on its own (a resting order filled, a cancel by the venue). */
export interface VenueOrderEvent {
  venue: Venue;
  clientOrderId: string;
  order: VenueOrder;
}

export type VenueOrderListener = (event: VenueOrderEvent) => void;

/** Shared interface of all venue adapters. Object parameters everywhere. */
export interface ExchangeAdapter {
  readonly venue: Venue;
  readonly capabilities: VenueCapabilities;
  /** Places an order. Throws VenueError. */
  placeOrder(req: PlaceOrderRequest): Promise<VenueOrder>;
  /** Cancels a resting order; returns its final state (may already be filled). */
  cancelOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder>;
  getOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder | null>;
  /** Finds an order by yesno's client order id (after a timeout or lost response). */
  getOrderByClientId(args: { account: AccountRef; clientOrderId: string; listing: ListingRef }): Promise<VenueOrder | null>;
  getFills(args: { account: AccountRef; venueOrderId?: string; since?: Date }): Promise<VenueFill[]>;
  getOrderBook(args: { listing: ListingRef; outcome: Outcome }): Promise<OrderBook>;
  getBalance(args: { account: AccountRef }): Promise<Balance>;
  getPositions(args: { account: AccountRef }): Promise<VenuePosition[]>;
  /** The taker fee the venue would charge on `quantity` at `price` (for routing and quotes). */
  takerFee(args: { listing: ListingRef; price: Decimal; quantity: Decimal }): Decimal;
  /** Subscribes to venue-pushed order events. Returns an unsubscribe function. */
  onOrderEvent(listener: VenueOrderListener): () => void;
}

export type VenueErrorKind = 'retryable' | 'rejected' | 'unknown_outcome';

/**
 * Errors split by "may I retry?":
 * - retryable: nothing reached the venue's book (network before send, 429, 5xx, maintenance);
 * - rejected: the venue refused it (balance, tick, size, closed market, auth), with a reason a person can read;
 * - unknown_outcome: it may or may not have been placed (timeout, dropped response): look it up by client id.
 */
export class VenueError extends Error {
  readonly kind: VenueErrorKind;
  readonly code: string;
  readonly venue: Venue;
  constructor(args: { kind: VenueErrorKind; code: string; venue: Venue; message: string; cause?: unknown }) {
    super(args.message, { cause: args.cause });
    this.name = 'VenueError';
    this.kind = args.kind;
    this.code = args.code;
    this.venue = args.venue;
  }
}

/** Adapters keyed by venue. */
export type AdapterRegistry = ReadonlyMap<Venue, ExchangeAdapter>;
