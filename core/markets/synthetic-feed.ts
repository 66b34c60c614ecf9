/**
 * SyntheticMarketFeed: demo market data for the paper venues. Every listing has a YES mid that
 * moves as a seeded random walk (a shock shared by all listings of a market plus a little noise of
 * its own, with a pull that keeps cross-listed venues near each other), and a book of 5–10 levels a
 * side on the listing's tick grid around it. Book depth is a property of the listing (some thin,
 * some deep), so the same market has different books on Polymarket and Kalshi. The NO book is the
 * mirror of the YES book, as on the real venues: NO bids = 1 − YES asks, NO asks = 1 − YES bids.
 *
 * Deterministic: the same seed and the same sequence of step()/setMid() calls give the same books.
 */
import { Decimal, ONE, maxDec, minDec, roundToStep } from '../money.ts';
import type { BookLevel, OrderBook, Outcome, Venue } from '../exchanges/types.ts';
import { intBetween, normal, rngFor, uniform, type Rng } from './rng.ts';
import type { BookListener, BookUpdate, CatalogListing, CatalogMarket, MarketDataFeed } from './types.ts';

export interface SyntheticFeedOptions {
  catalog: readonly CatalogMarket[];
  /** Seed of the walk: same seed, same prices. */
  seed: number;
  /** Milliseconds between steps when started; 0 = no timer (call step() yourself). */
  tickMs: number;
  clock?: () => Date;
  /** Called when a listener throws (the feed keeps going). */
  onListenerError?: (err: unknown) => void;
}

/** A YES book to force with setBook(): levels in any order, the feed sorts them best first. */
export interface YesBookInput {
  bids: BookLevel[];
  asks: BookLevel[];
}

/** How a listing's book looks; derived from the listing id, so it is the same under every seed. */
interface BookShape {
  levels: number;
  /** Distance between best bid and best ask, in ticks. */
  spreadTicks: number;
  /** Distance between consecutive levels, in ticks. */
  gapTicks: number;
  /** Size of the best level before jitter. */
  baseSize: number;
  /** Each level deeper is this much bigger (fraction of base). */
  growth: number;
}

interface ListingState {
  market: CatalogMarket;
  listing: CatalogListing;
  tick: Decimal;
  /** Size step of the venue: Polymarket 0.01 shares, Kalshi 1 contract. */
  sizeStep: Decimal;
  shape: BookShape;
  rng: Rng;
  mid: Decimal;
  yes: OrderBook;
  no: OrderBook;
}

/** Per-step volatility of the shared market shock and of a listing's own noise, at p = 0.5. */
const MARKET_SIGMA = 0.004;
const LISTING_SIGMA = 0.0015;
/** Fraction of the gap to the market's average mid closed per step (keeps venues close). */
const PULL = 0.1;

const key = (venue: Venue, venueMarketId: string) => `${venue}|${venueMarketId}`;

export class SyntheticMarketFeed implements MarketDataFeed {
  private readonly states = new Map<string, ListingState>();
  private readonly byMarket: { rng: Rng; listings: ListingState[] }[] = [];
  private readonly listeners = new Set<BookListener>();
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SyntheticFeedOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const now = this.clock();
    for (const market of opts.catalog) {
      const group: ListingState[] = [];
      for (const listing of market.listings) {
        const tick = listing.tickSize;
        const state: ListingState = {
          market,
          listing,
          tick,
          sizeStep: new Decimal(listing.venue === 'kalshi' ? '1' : '0.01'),
          shape: shapeOf(listing),
          rng: rngFor(opts.seed, `listing:${listing.id}`),
          mid: clampMid(listing.initialMid, tick),
          yes: emptyBook(listing, 'yes', now),
          no: emptyBook(listing, 'no', now),
        };
        this.rebuild(state, now);
        this.states.set(key(listing.venue, listing.venueMarketId), state);
        group.push(state);
      }
      this.byMarket.push({ rng: rngFor(opts.seed, `market:${market.id}`), listings: group });
    }
  }

  getBook(venue: Venue, venueMarketId: string, outcome: Outcome): OrderBook | null {
    const s = this.states.get(key(venue, venueMarketId));
    if (!s) return null;
    return outcome === 'yes' ? s.yes : s.no;
  }

  /** The current YES mid of a listing, or null when unknown. */
  getMid(venue: Venue, venueMarketId: string): Decimal | null {
    return this.states.get(key(venue, venueMarketId))?.mid ?? null;
  }

  onUpdate(listener: BookListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.timer || this.opts.tickMs <= 0) return;
    this.timer = setInterval(() => this.step(), this.opts.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Advances every listing one step of the walk, rebuilds its book and notifies listeners. */
  step(): void {
    const now = this.clock();
    const moved: ListingState[] = [];
    for (const group of this.byMarket) {
      if (group.listings.length === 0) continue;
      const shock = normal(group.rng) * MARKET_SIGMA;
      const avg = group.listings.reduce((s, l) => s + l.mid.toNumber(), 0) / group.listings.length;
      for (const s of group.listings) {
        const p = s.mid.toNumber();
        const scale = 2 * Math.sqrt(p * (1 - p));
        const delta = (shock + normal(s.rng) * LISTING_SIGMA) * scale + PULL * (avg - p);
        s.mid = clampMid(s.mid.add(new Decimal(delta.toFixed(6))), s.tick);
        this.rebuild(s, now);
        moved.push(s);
      }
    }
    for (const s of moved) this.notify(s, now);
  }

  /** Moves one listing's YES mid (clamped to [2 ticks, 1 − 2 ticks]), rebuilds its book and notifies. */
  setMid(venue: Venue, venueMarketId: string, mid: Decimal): void {
    const s = this.mustGet(venue, venueMarketId);
    const now = this.clock();
    s.mid = clampMid(mid, s.tick);
    this.rebuild(s, now);
    this.notify(s, now);
  }

  /**
   * Forces a listing's YES book exactly (tests; forcing a cross for resting orders). The NO book is
   * derived as the mirror. The next step() rebuilds the book around the (new) mid.
   */
  setBook(venue: Venue, venueMarketId: string, yesBook: YesBookInput): void {
    const s = this.mustGet(venue, venueMarketId);
    const now = this.clock();
    const bids = [...yesBook.bids].sort((a, b) => b.price.cmp(a.price)).map(freezeLevel);
    const asks = [...yesBook.asks].sort((a, b) => a.price.cmp(b.price)).map(freezeLevel);
    if (bids[0] && asks[0]) s.mid = clampMid(bids[0].price.add(asks[0].price).div(2), s.tick);
    this.publish(s, bids, asks, now);
    this.notify(s, now);
  }

  private mustGet(venue: Venue, venueMarketId: string): ListingState {
    const s = this.states.get(key(venue, venueMarketId));
    if (!s) throw new Error(`the synthetic feed has no listing ${venue} ${venueMarketId}`);
    return s;
  }

  /** Builds the YES book around the mid on the tick grid, then its NO mirror. */
  private rebuild(s: ListingState, now: Date): void {
    const { tick, shape } = s;
    const lo = tick;
    const hi = ONE.sub(tick);
    const half = tick.mul(shape.spreadTicks).div(2);
    let bestBid = maxDec(roundToStep(s.mid.sub(half), tick, 'down'), lo);
    let bestAsk = minDec(roundToStep(s.mid.add(half), tick, 'up'), hi);
    if (bestAsk.lte(bestBid)) {
      if (bestBid.add(tick).lte(hi)) bestAsk = bestBid.add(tick);
      else bestBid = bestAsk.sub(tick);
    }
    const gap = tick.mul(shape.gapTicks);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let i = 0; i < shape.levels; i++) {
      const bidPrice = bestBid.sub(gap.mul(i));
      if (bidPrice.gte(lo)) bids.push(freezeLevel({ price: bidPrice, size: this.levelSize(s, i) }));
      const askPrice = bestAsk.add(gap.mul(i));
      if (askPrice.lte(hi)) asks.push(freezeLevel({ price: askPrice, size: this.levelSize(s, i) }));
    }
    this.publish(s, bids, asks, now);
  }

  private levelSize(s: ListingState, level: number): Decimal {
    const raw = s.shape.baseSize * (1 + s.shape.growth * level) * uniform(s.rng, 0.6, 1.4);
    const size = roundToStep(new Decimal(raw.toFixed(4)), s.sizeStep, 'down');
    return maxDec(size, s.sizeStep.mul(s.listing.venue === 'kalshi' ? 1 : 100));
  }

  private publish(s: ListingState, bids: BookLevel[], asks: BookLevel[], now: Date): void {
    const { venue, venueMarketId } = s.listing;
    s.yes = Object.freeze({ venue, venueMarketId, outcome: 'yes', bids: Object.freeze(bids) as BookLevel[], asks: Object.freeze(asks) as BookLevel[], timestamp: now });
    s.no = Object.freeze({
      venue,
      venueMarketId,
      outcome: 'no',
      bids: Object.freeze(asks.map((l) => freezeLevel({ price: ONE.sub(l.price), size: l.size }))) as BookLevel[],
      asks: Object.freeze(bids.map((l) => freezeLevel({ price: ONE.sub(l.price), size: l.size }))) as BookLevel[],
      timestamp: now,
    });
  }

  private notify(s: ListingState, now: Date): void {
    const update: BookUpdate = { venue: s.listing.venue, venueMarketId: s.listing.venueMarketId, timestamp: now };
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }
  }
}

/** Keeps a mid strictly inside the grid: [2 ticks, 1 − 2 ticks]. */
export function clampMid(mid: Decimal, tick: Decimal): Decimal {
  return minDec(maxDec(mid, tick.mul(2)), ONE.sub(tick.mul(2)));
}

function shapeOf(listing: CatalogListing): BookShape {
  const rng = rngFor(0, `shape:${listing.id}`);
  const depth = intBetween(rng, 0, 2);
  const baseSize = depth === 0 ? uniform(rng, 15, 60) : depth === 1 ? uniform(rng, 120, 450) : uniform(rng, 900, 3000);
  const fine = listing.tickSize.lt('0.01');
  return {
    levels: intBetween(rng, 5, 10),
    spreadTicks: fine ? intBetween(rng, 2, 6) : intBetween(rng, 1, 3),
    gapTicks: fine ? intBetween(rng, 2, 5) : 1,
    baseSize,
    growth: uniform(rng, 0.1, 0.6),
  };
}

function emptyBook(listing: CatalogListing, outcome: Outcome, now: Date): OrderBook {
  return { venue: listing.venue, venueMarketId: listing.venueMarketId, outcome, bids: [], asks: [], timestamp: now };
}

function freezeLevel(level: BookLevel): BookLevel {
  return Object.freeze({ price: level.price, size: level.size });
}
