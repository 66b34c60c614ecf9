/**
 * Kalshi PUBLIC market data (no auth): one market, its order book as yesno OrderBooks, and the
 * paginated market listing for the catalog sync.
 *
 * Usage:
 *   const api = new KalshiPublicApi({ baseUrl: config.KALSHI_API_URL, timeoutMs: 5_000 });
 *   const market = await api.getMarket({ ticker: 'KXFEDDECISION-26DEC-H0' });
 *   market.tradable; market.yesBid; market.priceRanges; market.tickSize; market.closeTime;
 *   const { yes, no } = await api.getOrderBooks({ ticker });          // OrderBook per outcome, best first
 *   for await (const page of api.iterateMarkets({ status: 'open' })) upsert(page);  // follows the cursor
 *   const { markets, cursor } = await api.listMarkets({ status: 'open', cursor }); // one page
 *
 * Kalshi's book holds bids only (YES bids and NO bids, ascending, best last). A YES ask at p is a
 * NO bid at 1 − p, so: YES asks = 1 − NO bids, NO asks = 1 − YES bids.
 * Errors are VenueError (venue 'kalshi'): network failures, timeouts, 429 and 5xx are retryable
 * (these calls are reads); 404 is rejected with code MARKET_NOT_FOUND / NOT_FOUND.
 */
import { Decimal, ONE } from '../../money.ts';
import type { BookLevel, OrderBook } from '../types.ts';
import { kalshiRequest, type KalshiHttpOptions } from './http.ts';
import { finestTick, priceRangesFor, type PriceRange } from './ticks.ts';
import {
  countOf,
  dollarsOf,
  getMarketResponse,
  listMarketsResponse,
  orderbookResponse,
  rawBidsOf,
  type MarketWire,
  type RawBids,
} from './wire.ts';

export type { PriceRange } from './ticks.ts';
export { finestTick, isOnGrid, priceRangesFor, roundToGrid, tickAt } from './ticks.ts';

/** A Kalshi market as yesno reads it. Prices are dollars per $1 payout; null where the venue has none. */
export interface KalshiMarket {
  ticker: string;
  eventTicker: string | null;
  title: string;
  subtitle: string | null;
  /** The venue's status word ("active", "initialized", "closed", "settled", "determined", …). */
  status: string;
  /** True when the venue accepts orders now (status active/open). */
  tradable: boolean;
  yesBid: Decimal | null;
  yesAsk: Decimal | null;
  noBid: Decimal | null;
  noAsk: Decimal | null;
  lastPrice: Decimal | null;
  volume: Decimal | null;
  openInterest: Decimal | null;
  /** `price_level_structure` as sent (null when absent). */
  priceLevelStructure: string | null;
  /** The valid price intervals and their ticks. */
  priceRanges: PriceRange[];
  /** The finest tick on the grid (for a single tick-size column). */
  tickSize: Decimal;
  fractionalTrading: boolean;
  /** Smallest contract increment: 0.01 with fractional trading, else 1. */
  quantityStep: Decimal;
  openTime: Date | null;
  closeTime: Date | null;
  expirationTime: Date | null;
}

/** Both outcomes' books of one ticker, derived from one orderbook call. */
export interface KalshiBooks {
  ticker: string;
  yes: OrderBook;
  no: OrderBook;
}

export interface KalshiPublicApiOptions {
  /** Includes /trade-api/v2, e.g. https://api.elections.kalshi.com/trade-api/v2. */
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Timestamp for books (Kalshi's orderbook carries none); default now. */
  clock?: () => Date;
}

const TRADABLE = new Set(['active', 'open']);

function time(text: string | null | undefined): Date | null {
  if (!text) return null;
  const t = new Date(text);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** Wire market → KalshiMarket (new `*_dollars` / `*_fp` fields first, legacy cents otherwise). */
export function toKalshiMarket(m: MarketWire): KalshiMarket {
  const ranges = priceRangesFor({
    structure: m.price_level_structure,
    ranges: m.price_ranges?.map((r) => ({ start: new Decimal(r.start), end: new Decimal(r.end), step: new Decimal(r.step) })),
  });
  const fractional = m.fractional_trading_enabled ?? false;
  return {
    ticker: m.ticker,
    eventTicker: m.event_ticker ?? null,
    title: m.title ?? m.ticker,
    subtitle: m.yes_sub_title ?? m.subtitle ?? null,
    status: m.status,
    tradable: TRADABLE.has(m.status),
    yesBid: dollarsOf(m.yes_bid_dollars, m.yes_bid),
    yesAsk: dollarsOf(m.yes_ask_dollars, m.yes_ask),
    noBid: dollarsOf(m.no_bid_dollars, m.no_bid),
    noAsk: dollarsOf(m.no_ask_dollars, m.no_ask),
    lastPrice: dollarsOf(m.last_price_dollars, m.last_price),
    volume: countOf(m.volume_fp, m.volume),
    openInterest: countOf(m.open_interest_fp, m.open_interest),
    priceLevelStructure: m.price_level_structure ?? null,
    priceRanges: ranges,
    tickSize: finestTick(ranges),
    fractionalTrading: fractional,
    quantityStep: new Decimal(fractional ? '0.01' : '1'),
    openTime: time(m.open_time),
    closeTime: time(m.close_time),
    expirationTime: time(m.expiration_time),
  };
}

/** Kalshi bid levels → the YES and NO OrderBooks (levels best first). */
export function booksFromBids(args: { ticker: string; bids: RawBids; timestamp: Date }): KalshiBooks {
  const bestFirst = (levels: RawBids['yes']): BookLevel[] => [...levels].reverse().map((l) => ({ price: l.price, size: l.size }));
  const complement = (levels: RawBids['yes']): BookLevel[] =>
    [...levels].reverse().map((l) => ({ price: ONE.sub(l.price), size: l.size }));
  const base = { venue: 'kalshi' as const, venueMarketId: args.ticker, timestamp: args.timestamp };
  return {
    ticker: args.ticker,
    // YES: bids are YES bids; asks are NO bids seen from the other side (best NO bid → lowest YES ask).
    yes: { ...base, outcome: 'yes', bids: bestFirst(args.bids.yes), asks: complement(args.bids.no) },
    no: { ...base, outcome: 'no', bids: bestFirst(args.bids.no), asks: complement(args.bids.yes) },
  };
}

/** Client for Kalshi's public market endpoints. */
export class KalshiPublicApi {
  private readonly http: KalshiHttpOptions;
  private readonly clock: () => Date;

  constructor(opts: KalshiPublicApiOptions) {
    this.http = { baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs, fetch: opts.fetch };
    this.clock = opts.clock ?? (() => new Date());
  }

  /** `GET /markets/{ticker}`. */
  async getMarket(args: { ticker: string }): Promise<KalshiMarket> {
    const body = await kalshiRequest({
      http: this.http,
      method: 'GET',
      path: `/markets/${encodeURIComponent(args.ticker)}`,
      schema: getMarketResponse,
    });
    return toKalshiMarket(body.market);
  }

  /** `GET /markets/{ticker}/orderbook` → both outcomes' books. `depth` limits levels per side. */
  async getOrderBooks(args: { ticker: string; depth?: number }): Promise<KalshiBooks> {
    const body = await kalshiRequest({
      http: this.http,
      method: 'GET',
      path: `/markets/${encodeURIComponent(args.ticker)}/orderbook`,
      query: { depth: args.depth },
      schema: orderbookResponse,
    });
    return booksFromBids({ ticker: args.ticker, bids: rawBidsOf(body), timestamp: this.clock() });
  }

  /** One page of `GET /markets`. `cursor` null = no more pages. */
  async listMarkets(args: {
    status?: 'unopened' | 'open' | 'closed' | 'settled';
    cursor?: string | null;
    limit?: number;
    eventTicker?: string;
    seriesTicker?: string;
    tickers?: string[];
  } = {}): Promise<{ markets: KalshiMarket[]; cursor: string | null }> {
    const body = await kalshiRequest({
      http: this.http,
      method: 'GET',
      path: '/markets',
      query: {
        status: args.status,
        cursor: args.cursor ?? undefined,
        limit: args.limit ?? 200,
        event_ticker: args.eventTicker,
        series_ticker: args.seriesTicker,
        tickers: args.tickers?.join(','),
      },
      schema: listMarketsResponse,
    });
    return { markets: (body.markets ?? []).map(toKalshiMarket), cursor: body.cursor ? body.cursor : null };
  }

  /** Every page of `GET /markets` in order (stops at an empty cursor or after `maxPages`). */
  async *iterateMarkets(args: { status?: 'unopened' | 'open' | 'closed' | 'settled'; limit?: number; maxPages?: number } = {}): AsyncGenerator<KalshiMarket[]> {
    let cursor: string | null = null;
    const maxPages = args.maxPages ?? 1_000;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.listMarkets({ status: args.status, limit: args.limit, cursor });
      yield res.markets;
      if (!res.cursor || res.cursor === cursor) return;
      cursor = res.cursor;
    }
  }
}
