/**
 * The price sync cycle: market data in, triggers out.
 *
 * Per book update of one listing (MarketDataFeed.onUpdate):
 * - the latest best bid/ask of both outcomes is upserted into ListingQuote, and a PriceTick appended
 *   at most once per listing per `tickIntervalMs` (one statement, cross-process throttle in SQL);
 * - ONLY that listing's triggers are evaluated, with indexed range queries (snipers of its market,
 *   TP/SL of its positions; see snipers.ts and tpsl.ts). Fires run in the background.
 * - Bursts coalesce: while a listing is being evaluated, further updates only set a flag, and one
 *   more evaluation runs afterwards with the latest book; never an unbounded queue.
 * - An older book than one already evaluated (out of order) is skipped; a duplicate re-evaluates the
 *   same prices, which finds nothing new to fire: claims are compare-and-set, a fired sniper is no
 *   longer WATCHING (or, repeating, no longer armed) and an exiting position has exitKind set.
 *
 * Freshness guard (checkStale, run every few seconds by jobs/monitors.ts): a listing with no update for
 * `staleSeconds` is marked stale with a compare-and-set, its snipers (bound to its venue, or to no venue
 * on its market) and its TP/SL pause, and each owner is told once per stale episode. The first fresh
 * update flips it back (the same row lock decides one winner), resumes them and tells the owners.
 */
import type { Db } from '../db/client.ts';
import type { Decimal } from '../money.ts';
import type { OrderBook, Outcome } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import type { BookUpdate, MarketDataFeed } from '../markets/types.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import type { AutomationLog, Background } from './background.ts';
import { automationEntry } from './messages.ts';
import type { SniperMonitorScheduler } from './snipers.ts';
import type { TpslMonitor } from './tpsl.ts';

type ListingHit = NonNullable<ReturnType<MarketDirectory['listing']>>;

export interface PriceSyncDeps {
  prisma: Db;
  jobs: JobPort;
  feed: MarketDataFeed;
  directory: MarketDirectory;
  snipers: SniperMonitorScheduler;
  tpsl: TpslMonitor;
  background: Background;
  /** The global trading halt: while on, nothing is claimed (triggers wait, they are not lost). */
  isHalted: () => Promise<boolean>;
  clock: () => Date;
  /** MARKET_STALE_SECONDS; 0 disables the freshness guard. */
  staleSeconds: number;
  /** At most one PriceTick per listing per this many ms. Default 1000. */
  tickIntervalMs?: number;
  log?: AutomationLog;
}

export interface TopQuote {
  yesBid: Decimal | null;
  yesAsk: Decimal | null;
  noBid: Decimal | null;
  noAsk: Decimal | null;
}

interface Slot {
  running: Promise<void> | null;
  again: boolean;
}

/** Unchanged prices are still re-evaluated this often (triggers armed in other processes). */
const REEVALUATE_MS = 2_000;

const q = (v: Decimal | null) => (v ? v.toFixed() : null);
const best = (book: OrderBook | null, side: 'bids' | 'asks') => book?.[side][0]?.price ?? null;
const minOf = (a: Decimal | null, b: Decimal | null) => (a && b ? (a.lt(b) ? a : b) : (a ?? b));

export class PriceSync {
  private readonly slots = new Map<string, Slot>();
  private readonly lastBookAt = new Map<string, number>();
  /** The last feed update this process received per listing (sequence, time), and the last one written. */
  private readonly received = new Map<string, { seq: number; at: Date }>();
  private readonly written = new Map<string, number>();
  /** The prices each listing's triggers were last evaluated at, and the last quote written (with when). */
  private readonly evaluatedAt = new Map<string, { key: string; at: number }>();
  private readonly lastWrite = new Map<string, { key: string; at: number }>();
  /** Listings to evaluate even if their prices did not move (a trigger was just armed or resumed). */
  private readonly forced = new Set<string>();
  private seq = 0;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: PriceSyncDeps) {}

  /** Starts listening to the feed. */
  start(): void {
    this.stopped = false;
    this.unsubscribe ??= this.deps.feed.onUpdate((u) => this.onUpdate(u));
  }

  /** Stops listening and waits for running evaluations and fires. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  /** Resolves when no evaluation or fire is running (tests wait on it after moving prices). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.slots.values()].map((s) => s.running).filter((p): p is Promise<void> => p !== null);
      if (running.length === 0 && this.deps.background.size === 0) return;
      await Promise.allSettled(running);
      await this.deps.background.idle();
    }
  }

  onUpdate(update: BookUpdate): void {
    const hit = this.deps.directory.byVenueMarketId(update.venue, update.venueMarketId);
    if (!hit) return;
    this.received.set(hit.listing.listingId, { seq: ++this.seq, at: this.deps.clock() });
    this.schedule(hit.listing.listingId);
  }

  /** Evaluates every listing of a market now (e.g. right after a sniper is armed on it). */
  evaluateMarket(marketId: string): void {
    for (const l of this.deps.directory.get(marketId)?.listings ?? []) {
      this.forced.add(l.listingId);
      this.schedule(l.listingId);
    }
  }

  /** Coalescing: one evaluation per listing at a time, plus at most one more with the latest book. */
  schedule(listingId: string): void {
    if (this.stopped) return;
    const slot = this.slots.get(listingId);
    if (slot) {
      slot.again = true;
      return;
    }
    const fresh: Slot = { running: null, again: true };
    this.slots.set(listingId, fresh);
    fresh.running = this.loop(listingId, fresh);
  }

  private async loop(listingId: string, slot: Slot): Promise<void> {
    try {
      while (slot.again && !this.stopped) {
        slot.again = false;
        try {
          if (await this.evaluateListing(listingId)) slot.again = true;
        } catch (err) {
          this.deps.log?.error({ err, listingId }, 'price sync: evaluating a listing failed');
        }
      }
    } finally {
      this.slots.delete(listingId);
    }
  }

  /** One evaluation with the feed's latest books. Returns true when it should run once more (a resume). */
  private async evaluateListing(listingId: string): Promise<boolean> {
    const hit = this.deps.directory.listing(listingId);
    if (!hit) return false;
    const { market, listing } = hit;
    const book = (o: Outcome) => this.deps.feed.getBook(listing.venue, listing.venueMarketId, o);
    const received = this.received.get(listingId); // read with the books: the update they reflect
    const yes = book('yes');
    const no = book('no');
    if (!yes && !no) return false;
    const at = Math.max(yes?.timestamp.getTime() ?? 0, no?.timestamp.getTime() ?? 0);
    const last = this.lastBookAt.get(listingId);
    if (last !== undefined && at < last) return false; // an older book than one already evaluated
    this.lastBookAt.set(listingId, at);

    const quote: TopQuote = { yesBid: best(yes, 'bids'), yesAsk: best(yes, 'asks'), noBid: best(no, 'bids'), noAsk: best(no, 'asks') };
    // Snipers bound to no venue watch the best ask across the market's listings.
    let bestYes = quote.yesAsk;
    let bestNo = quote.noAsk;
    for (const other of market.listings) {
      if (other.listingId === listingId) continue;
      bestYes = minOf(bestYes, best(this.deps.feed.getBook(other.venue, other.venueMarketId, 'yes'), 'asks'));
      bestNo = minOf(bestNo, best(this.deps.feed.getBook(other.venue, other.venueMarketId, 'no'), 'asks'));
    }
    // Nothing is claimed on a market that is not open, or while trading is halted (AdminService caches
    // the halt for a second, so this is rarely a round trip); triggers wait, they are not lost.
    const live = market.status === 'open' && !(await this.deps.isHalted().catch(() => true));
    // Prices that did not move cannot fire anything that did not fire at them already: skip the
    // queries unless a trigger was armed or resumed here since (forced), or REEVALUATE_MS passed (a
    // trigger armed by another process, e.g. an API-only one, is seen within that). Nothing is
    // remembered while not live, so the first update after a halt lifts evaluates again.
    const key = [quote.yesBid, quote.yesAsk, quote.noBid, quote.noAsk, bestYes, bestNo].map(q).join('|');
    const force = this.forced.delete(listingId);
    const evaluated = this.evaluatedAt.get(listingId);
    const nowMs = this.deps.clock().getTime();
    if (live && (force || !evaluated || evaluated.key !== key || nowMs - evaluated.at >= REEVALUATE_MS)) {
      await Promise.all([
        this.deps.snipers.evaluate({ marketId: market.id, venue: listing.venue, asks: { yes: { venue: quote.yesAsk, best: bestYes }, no: { venue: quote.noAsk, best: bestNo } } }),
        this.deps.tpsl.evaluate({ listingId, bids: { yes: quote.yesBid, no: quote.noBid } }),
      ]);
      this.evaluatedAt.set(listingId, { key, at: nowMs });
    } else if (!live) {
      this.evaluatedAt.delete(listingId);
    }
    // The bookkeeping comes after the (latency-critical) claims. A stale listing's triggers are
    // paused, so the pass above skipped them; the flip back to fresh resumes them and evaluates again.
    // Only what the feed delivered refreshes the quote: a re-evaluation of the same data (a sniper
    // just armed, a repeat sniper back on watch) must not make a silent listing look fresh.
    if (!received || this.written.get(listingId) === received.seq) return false;
    // An unchanged quote is rewritten at most once a second: enough for the freshness guard (its limit
    // is tens of seconds), and the synthetic or live feed may tick far faster than prices change.
    const previous = this.lastWrite.get(listingId);
    const quoteKey = [quote.yesBid, quote.yesAsk, quote.noBid, quote.noAsk].map(q).join('|');
    if (previous && previous.key === quoteKey && received.at.getTime() - previous.at < 1000) return false;
    this.written.set(listingId, received.seq);
    this.lastWrite.set(listingId, { key: quoteKey, at: received.at.getTime() });
    const resumed = await this.writeQuote(listingId, quote, received.at);
    if (resumed) {
      await this.resume(hit, resumed);
      this.forced.add(listingId);
      return true; // evaluate again: the resumed triggers were skipped by this pass
    }
    return false;
  }

  /**
   * Upserts the listing's quote (never over a newer one) and appends a throttled PriceTick, in one
   * statement. Returns the previous update time when this update ended a stale episode (the row
   * lock makes exactly one updater see the flip), else null.
   */
  async writeQuote(listingId: string, t: TopQuote, now: Date): Promise<Date | null> {
    const rows = await this.deps.prisma.$queryRawUnsafe<{ was_stale: boolean | null; prev_at: Date | null }[]>(
      `WITH old AS (
         SELECT "listingId", stale, "updatedAt" FROM "ListingQuote" WHERE "listingId" = $1 FOR UPDATE
       ), upd AS (
         UPDATE "ListingQuote" lq SET "yesBid" = $2::numeric, "yesAsk" = $3::numeric, "noBid" = $4::numeric, "noAsk" = $5::numeric,
           stale = COALESCE($6 < $8, false), "updatedAt" = $6
         FROM old WHERE lq."listingId" = old."listingId" AND old."updatedAt" <= $6
         RETURNING (old.stale AND NOT lq.stale) AS was_stale, old."updatedAt" AS prev_at
       ), ins AS (
         INSERT INTO "ListingQuote" ("listingId", "yesBid", "yesAsk", "noBid", "noAsk", stale, "updatedAt")
         SELECT $1, $2::numeric, $3::numeric, $4::numeric, $5::numeric, false, $6 WHERE NOT EXISTS (SELECT 1 FROM old)
         ON CONFLICT ("listingId") DO NOTHING
         RETURNING 1
       ), tick AS (
         INSERT INTO "PriceTick" ("listingId", "yesBid", "yesAsk", at)
         SELECT $1, $2::numeric, $3::numeric, $6
         WHERE NOT EXISTS (SELECT 1 FROM "PriceTick" WHERE "listingId" = $1 AND at > $7)
         RETURNING 1
       )
       SELECT (SELECT was_stale FROM upd) AS was_stale, (SELECT prev_at FROM upd) AS prev_at`,
      listingId,
      q(t.yesBid),
      q(t.yesAsk),
      q(t.noBid),
      q(t.noAsk),
      now,
      new Date(now.getTime() - (this.deps.tickIntervalMs ?? 1000)),
      // An update already older than the staleness limit (a slow evaluation) does not end a stale episode.
      this.deps.staleSeconds > 0 ? new Date(this.deps.clock().getTime() - this.deps.staleSeconds * 1000) : null,
    );
    const r = rows[0];
    return r?.was_stale ? r.prev_at : null;
  }

  /**
   * The freshness guard: listings without an update for staleSeconds become stale (compare-and-set),
   * their triggers pause and their owners are told, all in one transaction. Returns how many listings.
   */
  async checkStale(): Promise<number> {
    if (this.deps.staleSeconds <= 0) return 0;
    const now = this.deps.clock();
    const cutoff = new Date(now.getTime() - this.deps.staleSeconds * 1000);
    return this.deps.prisma.$transaction(async (tx) => {
      const stale = await tx.$queryRaw<{ listingId: string; updatedAt: Date }[]>`
        UPDATE "ListingQuote" SET stale = true WHERE NOT stale AND "updatedAt" < ${cutoff} RETURNING "listingId", "updatedAt"`;
      const entries: OutboxEntry[] = [];
      for (const row of stale) {
        const hit = this.deps.directory.listing(row.listingId);
        if (!hit) continue;
        const snipers = await tx.$queryRaw<{ userId: string }[]>`
          UPDATE "SniperOrder" SET paused = true
          WHERE "marketId" = ${hit.market.id} AND status = 'WATCHING' AND NOT paused AND (exchange = ${hit.listing.venue} OR exchange IS NULL)
          RETURNING "userId"`;
        const positions = await tx.$queryRaw<{ userId: string }[]>`
          UPDATE "Position" SET "tpslPaused" = true
          WHERE "listingId" = ${row.listingId} AND NOT "tpslPaused" AND ("takeProfitPrice" IS NOT NULL OR "stopLossPrice" IS NOT NULL)
          RETURNING "userId"`;
        const silentFor = Math.round((now.getTime() - row.updatedAt.getTime()) / 1000);
        for (const [userId, counts] of perUser(snipers, positions)) {
          entries.push(
            automationEntry({
              userId,
              event: 'triggers_paused',
              dedupeKey: `stale:${row.listingId}:${row.updatedAt.getTime()}:${userId}:paused`,
              text: `Market data for "${hit.market.title}" on ${hit.listing.venue} stopped updating (nothing for ${silentFor} s): ${describe(counts)} paused so nothing fires on old prices, until fresh prices arrive.`,
            }),
          );
        }
      }
      await writeOutbox(tx, this.deps.jobs, entries);
      if (stale.length) this.deps.log?.warn({ listings: stale.map((s) => s.listingId) }, 'price sync: stale market data, triggers paused');
      return stale.length;
    });
  }

  /** Fresh data after a stale episode: resumes the listing's triggers and tells their owners. */
  private async resume(hit: ListingHit, prevAt: Date): Promise<void> {
    const { market, listing } = hit;
    await this.deps.prisma.$transaction(async (tx) => {
      // Snipers bound to no venue resume only when none of their market's listings is stale.
      const snipers = await tx.$queryRaw<{ userId: string }[]>`
        UPDATE "SniperOrder" SET paused = false
        WHERE "marketId" = ${market.id} AND paused AND (exchange = ${listing.venue} OR (exchange IS NULL AND NOT EXISTS (
          SELECT 1 FROM "ListingQuote" lq JOIN "MarketListing" ml ON ml.id = lq."listingId" WHERE ml."marketId" = ${market.id} AND lq.stale)))
        RETURNING "userId"`;
      const positions = await tx.$queryRaw<{ userId: string }[]>`
        UPDATE "Position" SET "tpslPaused" = false WHERE "listingId" = ${listing.listingId} AND "tpslPaused" RETURNING "userId"`;
      const entries = [...perUser(snipers, positions)].map(([userId, counts]) =>
        automationEntry({
          userId,
          event: 'triggers_resumed',
          dedupeKey: `stale:${listing.listingId}:${prevAt.getTime()}:${userId}:resumed`,
          text: `Fresh market data for "${market.title}" on ${listing.venue} again: ${describe(counts)} active again.`,
        }),
      );
      await writeOutbox(tx, this.deps.jobs, entries);
    });
    this.deps.log?.info?.({ listingId: listing.listingId }, 'price sync: fresh market data, triggers resumed');
  }

  /** Deletes price history older than `hours`, in batches. Returns how many rows went. */
  async trimTicks(hours: number): Promise<number> {
    const cutoff = new Date(this.deps.clock().getTime() - hours * 3600_000);
    let total = 0;
    for (;;) {
      const n = await this.deps.prisma.$executeRaw`
        DELETE FROM "PriceTick" WHERE id IN (SELECT id FROM "PriceTick" WHERE at < ${cutoff} LIMIT 10000)`;
      total += n;
      if (n < 10000) return total;
    }
  }
}

function perUser(snipers: { userId: string }[], positions: { userId: string }[]): Map<string, { snipers: number; positions: number }> {
  const m = new Map<string, { snipers: number; positions: number }>();
  const get = (u: string) => m.get(u) ?? (m.set(u, { snipers: 0, positions: 0 }), m.get(u)!);
  for (const s of snipers) get(s.userId).snipers++;
  for (const p of positions) get(p.userId).positions++;
  return m;
}

function describe(c: { snipers: number; positions: number }): string {
  const parts: string[] = [];
  if (c.snipers) parts.push(`your ${c.snipers === 1 ? 'sniper' : `${c.snipers} snipers`}`);
  if (c.positions) parts.push(`${parts.length ? '' : 'your '}TP/SL on ${c.positions === 1 ? '1 position' : `${c.positions} positions`}`);
  return parts.join(' and ') + (c.snipers + c.positions === 1 ? ' is' : ' are');
}
