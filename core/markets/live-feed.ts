/**
 * LiveMarketFeed: the MarketDataFeed of live trading and paper-on-live, fed by the venues' PUBLIC
 * endpoints (no credentials).
 *
 * - Polling: every `pollMs` (MARKET_POLL_SECONDS) one round fetches the books of every listing
 *   (`listings()` is read each round, so newly registered markets are picked up), at most
 *   `concurrency` requests in flight per venue. Rounds never overlap: a slow round delays the next.
 * - Streams (optional, per venue): a listing a connected stream covers is not polled; the stream's
 *   books are published as they arrive, and re-published once per round while the stream is alive
 *   (a quiet market on a healthy stream is fresh, not stale). A stream that cannot connect or goes
 *   quiet reports `covers() → false` and polling takes those listings back at once.
 * - Failures: a venue whose every request of a round fails with a retryable error (network,
 *   timeout, 429, 5xx) is DOWN: logged once (warn) on the change, retried with exponential backoff
 *   (`backoffMs` doubling up to `maxBackoffMs`), and logged once (info) when it answers again. A
 *   listing the venue refuses (404 "no orderbook", closed) is logged once per change and retried
 *   with its own backoff. Nothing here throws out of a timer: the process never crashes on it.
 * - Staleness: a listing with no fresh data for `staleMs` answers getBook() with null (no trading
 *   on old prices) and is reported by `status()`; the monitors' freshness guard pauses its triggers
 *   on its own (no update reaches the price sync).
 */
import type { OrderBook, Outcome, Venue } from '../exchanges/types.ts';
import { VenueError } from '../exchanges/types.ts';
import { ONE } from '../money.ts';
import type { BookListener, BookUpdate, MarketDataFeed } from './types.ts';

/** What the feed needs to know about a listing to fetch its books. */
export interface LiveListing {
  venue: Venue;
  /** Polymarket condition id or Kalshi ticker. */
  venueMarketId: string;
  yesTokenId?: string | null;
  noTokenId?: string | null;
}

/** Both outcomes' books of one listing. */
export interface ListingBooks {
  yes: OrderBook;
  no: OrderBook;
}

/** One venue's public book endpoint (see market-data-source.ts for Polymarket and Kalshi). */
export interface VenueBookSource {
  readonly venue: Venue;
  /** Fetches both books of a listing. Throws VenueError (retryable = the venue is unreachable). */
  fetchBooks(listing: LiveListing): Promise<ListingBooks>;
}

/** A push stream of books for one venue (e.g. the Polymarket market channel). */
export interface BookStream {
  readonly venue: Venue;
  /** Sets what to stream (called every round; a change re-subscribes). */
  track(listings: readonly LiveListing[]): void;
  /** True while the stream is connected, not quiet, and has a book for the listing. */
  covers(venueMarketId: string): boolean;
  /** The stream's latest books of a listing. */
  books(venueMarketId: string): ListingBooks | null;
  /** Called by the stream when a listing's books changed. */
  onBooks(listener: (venueMarketId: string) => void): void;
  start(): void;
  stop(): Promise<void>;
}

/** Structured logger (pino-compatible). */
export interface FeedLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface LiveFeedOptions {
  sources: readonly VenueBookSource[];
  streams?: readonly BookStream[];
  /** The listings to serve, read at every round. */
  listings: () => readonly LiveListing[];
  /** Milliseconds between rounds (MARKET_POLL_SECONDS × 1000). */
  pollMs: number;
  /** A listing without fresh data for this long is stale (getBook → null). 0 = never. */
  staleMs: number;
  /** Requests in flight per venue. Default 4. */
  concurrency?: number;
  /** First retry delay of a failing venue or listing; doubles up to maxBackoffMs. Default pollMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  clock?: () => Date;
  log?: FeedLog;
  onListenerError?: (err: unknown) => void;
}

interface Entry {
  listing: LiveListing;
  yes: OrderBook | null;
  no: OrderBook | null;
  /** When fresh data last arrived (ms). */
  freshAt: number;
  /** Refused by the venue: the reason, and when to try again. */
  refused: string | null;
  failures: number;
  retryAt: number;
}

interface VenueState {
  down: boolean;
  reason: string | null;
  failures: number;
  retryAt: number;
}

/** What status() reports per listing. */
export interface ListingFeedStatus {
  venue: Venue;
  venueMarketId: string;
  /** When fresh data last arrived; null = never. */
  freshAt: Date | null;
  stale: boolean;
  /** Set when the venue refuses this listing's book. */
  refused: string | null;
  /** Where the data came from last: the venue's stream or a poll. */
  via: 'stream' | 'poll' | null;
}

const key = (venue: Venue, id: string) => `${venue}|${id}`;

export class LiveMarketFeed implements MarketDataFeed {
  private readonly entries = new Map<string, Entry & { via: 'stream' | 'poll' | null }>();
  private readonly venues = new Map<Venue, VenueState>();
  private readonly listeners = new Set<BookListener>();
  private readonly clock: () => Date;
  private readonly concurrency: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private rounds = 0;

  constructor(private readonly opts: LiveFeedOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.backoffMs = Math.max(1, opts.backoffMs ?? opts.pollMs);
    this.maxBackoffMs = Math.max(this.backoffMs, opts.maxBackoffMs ?? 60_000);
    for (const s of opts.sources) this.venues.set(s.venue, { down: false, reason: null, failures: 0, retryAt: 0 });
    for (const stream of opts.streams ?? []) stream.onBooks((id) => this.fromStream(stream, id));
  }

  getBook(venue: Venue, venueMarketId: string, outcome: Outcome): OrderBook | null {
    const e = this.entries.get(key(venue, venueMarketId));
    if (!e || this.isStale(e)) return null;
    return outcome === 'yes' ? e.yes : e.no;
  }

  onUpdate(listener: BookListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Starts the rounds (the first one at once) and the streams. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    for (const s of this.opts.streams ?? []) s.start();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await Promise.all((this.opts.streams ?? []).map((s) => s.stop()));
  }

  /** Runs one round now (tests; the timer calls it too). Resolves when it is done. */
  async poll(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Completed rounds so far. */
  get roundCount(): number {
    return this.rounds;
  }

  /** Whether a venue is currently considered unreachable, and why. */
  venueStatus(venue: Venue): { down: boolean; reason: string | null } {
    const v = this.venues.get(venue);
    return { down: v?.down ?? false, reason: v?.reason ?? null };
  }

  /** Per-listing freshness (ops, tests). */
  status(): ListingFeedStatus[] {
    return [...this.entries.values()].map((e) => ({
      venue: e.listing.venue,
      venueMarketId: e.listing.venueMarketId,
      freshAt: e.freshAt > 0 ? new Date(e.freshAt) : null,
      stale: this.isStale(e),
      refused: e.refused,
      via: e.via,
    }));
  }

  private isStale(e: Entry): boolean {
    if (e.freshAt === 0) return true;
    return this.opts.staleMs > 0 && this.clock().getTime() - e.freshAt > this.opts.staleMs;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().finally(() => this.schedule(this.opts.pollMs));
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    try {
      const listings = this.opts.listings();
      const wanted = new Set<string>();
      for (const l of listings) {
        const k = key(l.venue, l.venueMarketId);
        wanted.add(k);
        const e = this.entries.get(k);
        if (e) e.listing = l;
        else this.entries.set(k, { listing: l, yes: null, no: null, freshAt: 0, refused: null, failures: 0, retryAt: 0, via: null });
      }
      for (const k of [...this.entries.keys()]) if (!wanted.has(k)) this.entries.delete(k);
      const now = this.clock().getTime();
      await Promise.all(
        this.opts.sources.map(async (source) => {
          const mine = listings.filter((l) => l.venue === source.venue);
          const stream = this.opts.streams?.find((s) => s.venue === source.venue);
          stream?.track(mine);
          const toPoll: Entry[] = [];
          for (const l of mine) {
            const e = this.entries.get(key(l.venue, l.venueMarketId))!;
            if (stream?.covers(l.venueMarketId)) this.fromStream(stream, l.venueMarketId);
            else if (e.retryAt <= now) toPoll.push(e);
          }
          const venue = this.venues.get(source.venue)!;
          if (toPoll.length === 0 || venue.retryAt > now) return;
          await this.pollVenue(source, venue, toPoll);
        }),
      );
    } catch (err) {
      this.opts.log?.warn({ err }, 'market data: a polling round failed');
    } finally {
      this.rounds += 1;
    }
  }

  private async pollVenue(source: VenueBookSource, venue: VenueState, entries: Entry[]): Promise<void> {
    let ok = 0;
    let unreachable: VenueError | Error | null = null;
    let i = 0;
    const worker = async () => {
      while (i < entries.length) {
        const e = entries[i++]!;
        try {
          const books = await source.fetchBooks(e.listing);
          ok += 1;
          this.publish(e, books, 'poll');
          if (e.refused) this.opts.log?.info({ venue: source.venue, venueMarketId: e.listing.venueMarketId }, 'market data: the venue serves this book again');
          e.refused = null;
          e.failures = 0;
          e.retryAt = 0;
        } catch (err) {
          if (err instanceof VenueError && err.kind === 'rejected') {
            const reason = err.message;
            if (e.refused !== reason) {
              this.opts.log?.warn({ venue: source.venue, venueMarketId: e.listing.venueMarketId, reason }, 'market data: the venue refuses this listing\'s book; retrying with backoff');
            }
            e.refused = reason;
            e.failures += 1;
            e.retryAt = this.clock().getTime() + this.delay(e.failures);
            ok += 1; // the venue answered: it is reachable
          } else {
            unreachable = err instanceof Error ? err : new Error(String(err));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, entries.length) }, worker));
    const failed = unreachable as Error | null;
    if (ok === 0 && failed) {
      venue.failures += 1;
      const wait = this.delay(venue.failures);
      venue.retryAt = this.clock().getTime() + wait;
      if (!venue.down) {
        this.opts.log?.warn({ venue: source.venue, reason: failed.message, retryInMs: wait }, 'market data: venue unreachable; its listings go stale until it answers (retrying with backoff)');
      }
      venue.down = true;
      venue.reason = failed.message;
    } else if (ok > 0) {
      if (venue.down) this.opts.log?.info({ venue: source.venue, after: venue.failures }, 'market data: venue reachable again');
      venue.down = false;
      venue.reason = null;
      venue.failures = 0;
      venue.retryAt = 0;
    }
  }

  private delay(failures: number): number {
    return Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.min(failures - 1, 20));
  }

  private fromStream(stream: BookStream, venueMarketId: string): void {
    const e = this.entries.get(key(stream.venue, venueMarketId));
    const books = stream.books(venueMarketId);
    if (!e || !books) return;
    const now = this.clock();
    // The stream is alive: its book is current as of now even when nothing changed.
    this.publish(e, { yes: { ...books.yes, timestamp: now }, no: { ...books.no, timestamp: now } }, 'stream');
  }

  private publish(e: Entry & { via?: 'stream' | 'poll' | null }, books: ListingBooks, via: 'stream' | 'poll'): void {
    e.yes = books.yes;
    e.no = books.no;
    e.freshAt = this.clock().getTime();
    e.via = via;
    const update: BookUpdate = { venue: e.listing.venue, venueMarketId: e.listing.venueMarketId, timestamp: books.yes.timestamp };
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }
  }
}

/** The NO book as the mirror of the YES book (NO bids = 1 − YES asks, NO asks = 1 − YES bids). */
export function mirror(yes: OrderBook): OrderBook {
  return {
    ...yes,
    outcome: 'no',
    bids: yes.asks.map((l) => ({ price: ONE.sub(l.price), size: l.size })),
    asks: yes.bids.map((l) => ({ price: ONE.sub(l.price), size: l.size })),
  };
}
