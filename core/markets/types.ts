/**
 * Market catalog and market data: what the router, the paper venues and the monitors read.
 * The synthetic demo feed implements MarketDataFeed today; live public venue data plugs in behind the same interface.
 */
import type { Decimal } from '../money.ts';
import type { OrderBook, Outcome, Venue } from '../exchanges/types.ts';

/** One market as the catalog defines it (seeded into Market / MarketListing rows). */
export interface CatalogMarket {
  id: string;
  slug: string;
  title: string;
  category: string;
  closesAt?: Date;
  listings: CatalogListing[];
}

export interface CatalogListing {
  /** yesno MarketListing id, e.g. "<marketId>:polymarket". */
  id: string;
  venue: Venue;
  /** Polymarket condition id or Kalshi ticker. */
  venueMarketId: string;
  yesTokenId?: string;
  noTokenId?: string;
  tickSize: Decimal;
  minSize: Decimal;
  negRisk: boolean;
  /** Starting YES mid price of the synthetic walk. */
  initialMid: Decimal;
}

/** A book update notice: which listing moved. Readers fetch the book with getBook(). */
export interface BookUpdate {
  venue: Venue;
  venueMarketId: string;
  timestamp: Date;
}

export type BookListener = (update: BookUpdate) => void;

/** Latest order books per listing and outcome, with change notifications. */
export interface MarketDataFeed {
  /** The latest book, or null when this feed has none (unknown listing or no data yet). */
  getBook(venue: Venue, venueMarketId: string, outcome: Outcome): OrderBook | null;
  /** Subscribes to book changes. Returns an unsubscribe function. */
  onUpdate(listener: BookListener): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Best bid/ask of one outcome, for display. */
export interface TopOfBook {
  bid: Decimal | null;
  ask: Decimal | null;
  mid: Decimal | null;
}
