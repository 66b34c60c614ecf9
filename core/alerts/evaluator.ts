/**
 * The alert evaluator: price updates in, channel alerts out.
 *
 * - `onPrice(update)` looks only at the subscriptions of that update's market (an in-memory index
 *   by market id, reloaded from ChannelSubscription every few seconds and after local changes).
 * - Price alerts keep a state in `lastState`: "hit" past the level, "clear" back on the other side
 *   (by more than a small hysteresis, so a price wobbling on the level does not refire). An alert
 *   fires on clear → hit only. Big moves: "moved" when the YES price moved by the threshold within
 *   the last hour, "calm" once the move is under half the threshold; fires on calm → moved.
 * - Fired alerts wait a short time per channel (`batchMs`) and go out joined in one message: one
 *   transaction compare-and-sets each alert's lastState (so two processes never both fire) and
 *   writes one `channel_alert` outbox row with its delivery job. A crash before that transaction
 *   loses nothing: the state in the database is unchanged, and the next price fires again.
 */
import { randomUUID } from 'node:crypto';
import { concurrencyLimit } from '../concurrency.ts';
import type { Db } from '../db/client.ts';
import { Decimal, cents, dec, decOrNull } from '../money.ts';
import { writeOutbox } from '../notifications/outbox.ts';
import type { JobPort } from '../notifications/types.ts';
import { points, signOf, yesMid } from './price.ts';
import { PRICE_KINDS, type AlertKind, type PriceUpdate } from './types.ts';

/** Structured logger (pino-compatible). */
export interface AlertsLog {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface EvaluatorDeps {
  prisma: Db;
  jobs: JobPort;
  /** Market id of a listing (MarketDirectory.listing). */
  marketOf?: (listingId: string) => string | undefined;
  /** Listing ids of a market, to seed big-move history from PriceTick rows. */
  listingsOf?: (marketId: string) => string[];
  /** Title and slug for the message. */
  describe?: (marketId: string) => { title: string; slug: string } | undefined;
  clock?: () => Date;
  /** How long fired alerts of one channel wait to be joined into one message. Default 1500 ms. */
  batchMs?: number;
  /** A batch this big goes out at once. Default 20. */
  maxBatch?: number;
  /** Subscriptions are reloaded this often (other processes add and remove them). Default 10 s; 0 = never. */
  reloadMs?: number;
  /** How far back past the level the price must go before a price alert re-arms. Default 0.005 (half a cent). */
  hysteresis?: Decimal;
  /** The big-move window. Default one hour. */
  moveWindowMs?: number;
  /** A venue's quote older than this is left out of the market price. Default 10 minutes. */
  quoteMaxAgeMs?: number;
  log?: AlertsLog;
}

interface Sub {
  id: string;
  platform: string;
  chatId: string;
  kind: AlertKind;
  marketId: string;
  level: Decimal | null;
  threshold: Decimal | null;
  createdBy: string;
  state: string | null;
}

interface Item {
  sub: Sub;
  from: string | null;
  to: string;
  /** The message line when this change fires; null for a quiet re-arm. */
  line: string | null;
}

interface Batch {
  platform: string;
  chatId: string;
  items: Item[];
  timer: NodeJS.Timeout | null;
}

/** The state a new price alert starts in, from the price now. */
export function initialPriceState(kind: AlertKind, level: Decimal, price: Decimal): 'hit' | 'clear' {
  return (kind === 'price_above' ? price.gte(level) : price.lte(level)) ? 'hit' : 'clear';
}

export class AlertEvaluator {
  private byMarket = new Map<string, Sub[]>();
  private readonly listingMids = new Map<string, { marketId: string; mid: Decimal; at: number }>();
  private readonly marketListings = new Map<string, Set<string>>();
  private readonly history = new Map<string, { at: number; price: Decimal }[]>();
  private readonly pending = new Map<string, Batch>();
  /** In-memory state of subscriptions with an unflushed change (survives reloads). */
  private readonly pendingState = new Map<string, string>();
  private readonly inflight = new Set<Promise<void>>();
  /** Batch writes in flight at once (a few pool connections, however many channels fire). */
  private readonly writes = concurrencyLimit(4);
  private reloadTimer: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private stale = false;
  private stopped = false;
  private readonly hysteresis: Decimal;
  private readonly windowMs: number;

  constructor(private readonly deps: EvaluatorDeps) {
    this.hysteresis = deps.hysteresis ?? new Decimal('0.005');
    this.windowMs = deps.moveWindowMs ?? 60 * 60_000;
  }

  /** Loads the subscriptions and starts the periodic reload. */
  async start(): Promise<void> {
    await this.load();
    const every = this.deps.reloadMs ?? 10_000;
    if (every > 0) {
      this.reloadTimer = setInterval(() => void this.load().catch((err) => this.deps.log?.error({ err }, 'alerts: reload failed')), every);
      this.reloadTimer.unref();
    }
  }

  /** Sends what is batched and stops the timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reloadTimer) clearInterval(this.reloadTimer);
    await this.flush();
  }

  /** Reload soon (after /alerts add or remove in this process). */
  invalidate(): void {
    this.stale = true;
  }

  /** (Re)reads every price and move subscription. */
  async load(): Promise<void> {
    this.loading ??= this.doLoad().finally(() => (this.loading = null));
    return this.loading;
  }

  private async doLoad(): Promise<void> {
    this.stale = false;
    const rows = await this.deps.prisma.channelSubscription.findMany({ where: { kind: { in: [...PRICE_KINDS] }, marketId: { not: null } } });
    const next = new Map<string, Sub[]>();
    for (const r of rows) {
      const sub: Sub = {
        id: r.id,
        platform: r.platform,
        chatId: r.chatId,
        kind: r.kind as AlertKind,
        marketId: r.marketId!,
        level: decOrNull(r.level),
        threshold: decOrNull(r.threshold),
        createdBy: r.createdBy,
        state: this.pendingState.get(r.id) ?? r.lastState,
      };
      const list = next.get(sub.marketId) ?? [];
      list.push(sub);
      next.set(sub.marketId, list);
    }
    this.byMarket = next;
    for (const [marketId, subs] of next) {
      if (subs.some((s) => s.kind === 'big_move') && !this.history.has(marketId)) await this.seedHistory(marketId);
    }
  }

  /** Big-move history from the price ticks of the last window (minute averages). */
  private async seedHistory(marketId: string): Promise<void> {
    const listings = this.deps.listingsOf?.(marketId) ?? [];
    const series: { at: number; price: Decimal }[] = [];
    if (listings.length > 0) {
      const since = new Date(this.now().getTime() - this.windowMs);
      const rows = await this.deps.prisma.$queryRaw<{ b: Date; mid: unknown }[]>`
        SELECT date_trunc('minute', at) AS b, avg((COALESCE("yesBid", "yesAsk") + COALESCE("yesAsk", "yesBid")) / 2) AS mid
        FROM "PriceTick" WHERE "listingId" = ANY(${listings}) AND at >= ${since}
        GROUP BY 1 ORDER BY 1`;
      for (const r of rows) if (r.mid !== null) series.push({ at: r.b.getTime(), price: dec(r.mid as string).toDecimalPlaces(6) });
    }
    this.history.set(marketId, series);
  }

  /** One price update. Resolves when the update is evaluated (not when its alerts are sent). */
  async onPrice(update: PriceUpdate): Promise<void> {
    if (this.stopped) return;
    // Wait for a reload in flight (or start one): updates that arrive meanwhile see the new subscriptions.
    if (this.stale || this.loading) await this.load();
    const marketId = update.marketId ?? (update.listingId ? this.deps.marketOf?.(update.listingId) : undefined);
    if (!marketId) return;
    const mid = yesMid(update.yesBid, update.yesAsk);
    if (!mid) return;
    const at = update.at.getTime();
    let price = mid;
    if (update.listingId) {
      this.listingMids.set(update.listingId, { marketId, mid, at });
      const set = this.marketListings.get(marketId) ?? new Set<string>();
      set.add(update.listingId);
      this.marketListings.set(marketId, set);
      price = this.marketPrice(marketId, at) ?? mid;
    }
    const subs = this.byMarket.get(marketId);
    if (!subs || subs.length === 0) return;
    const hasMove = subs.some((s) => s.kind === 'big_move');
    const extremes = hasMove ? this.recordAndRange(marketId, at, price) : null;
    for (const sub of subs) {
      const change = sub.kind === 'big_move' ? this.moveChange(sub, price, extremes!) : this.crossChange(sub, price);
      if (change) this.enqueue(sub, change.to, change.line);
    }
  }

  /** Sends every batch now. */
  async flush(): Promise<void> {
    const keys = [...this.pending.keys()];
    await Promise.all(keys.map((k) => this.flushBatch(k)));
    await Promise.all([...this.inflight]);
  }

  /** The mean of the fresh venue mids of a market. */
  private marketPrice(marketId: string, now: number): Decimal | null {
    const maxAge = this.deps.quoteMaxAgeMs ?? 10 * 60_000;
    const mids: Decimal[] = [];
    for (const id of this.marketListings.get(marketId) ?? []) {
      const q = this.listingMids.get(id);
      if (q && now - q.at <= maxAge) mids.push(q.mid);
    }
    if (mids.length === 0) return null;
    return mids.reduce((a, b) => a.add(b)).div(mids.length).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
  }

  private crossChange(sub: Sub, price: Decimal): { to: string; line: string | null } | null {
    const level = sub.level;
    if (!level) return null;
    const above = sub.kind === 'price_above';
    const hit = above ? price.gte(level) : price.lte(level);
    const clear = above ? price.lt(level.sub(this.hysteresis)) : price.gt(level.add(this.hysteresis));
    if (sub.state === null) return { to: hit ? 'hit' : 'clear', line: null }; // first look: no crossing seen
    const to = hit ? 'hit' : clear ? 'clear' : sub.state;
    if (to === sub.state) return null;
    const fires = to === 'hit' && sub.state === 'clear';
    return { to, line: fires ? `${this.name(sub.marketId)}: YES ${above ? 'rose above' : 'fell below'} ${cents(level)}, now ${cents(price)}` : null };
  }

  private moveChange(sub: Sub, price: Decimal, range: { low: Decimal; high: Decimal } | null): { to: string; line: string | null } | null {
    const threshold = sub.threshold;
    if (!threshold || !range) return null;
    const up = price.sub(range.low);
    const down = range.high.sub(price);
    const move = up.gte(down) ? up : down.neg();
    const from = up.gte(down) ? range.low : range.high;
    const state = sub.state ?? 'calm';
    const to = move.abs().gte(threshold) ? 'moved' : move.abs().lt(threshold.div(2)) ? 'calm' : state;
    if (to === sub.state) return null;
    const fires = to === 'moved' && state !== 'moved';
    const line = fires ? `${this.name(sub.marketId)}: YES moved ${signOf(move)}${points(move)} points within the hour (${cents(from)} → ${cents(price)})` : null;
    return { to, line };
  }

  /** Adds the price to the market's hour of history; returns the low and high before it. */
  private recordAndRange(marketId: string, at: number, price: Decimal): { low: Decimal; high: Decimal } | null {
    const series = this.history.get(marketId) ?? [];
    const since = at - this.windowMs;
    while (series.length > 0 && series[0]!.at < since) series.shift();
    let low: Decimal | null = null;
    let high: Decimal | null = null;
    for (const p of series) {
      if (!low || p.price.lt(low)) low = p.price;
      if (!high || p.price.gt(high)) high = p.price;
    }
    const last = series.at(-1);
    if (!last || at - last.at >= 1000 || !last.price.eq(price)) series.push({ at, price });
    if (series.length > 5000) series.splice(0, series.length - 5000);
    this.history.set(marketId, series);
    return low && high ? { low, high } : null;
  }

  private name(marketId: string): string {
    const m = this.deps.describe?.(marketId);
    return m ? `${m.title} (${m.slug})` : marketId;
  }

  private enqueue(sub: Sub, to: string, line: string | null): void {
    const key = `${sub.platform}|${sub.chatId}`;
    let batch = this.pending.get(key);
    if (!batch) {
      batch = { platform: sub.platform, chatId: sub.chatId, items: [], timer: null };
      this.pending.set(key, batch);
    }
    batch.items.push({ sub, from: sub.state, to, line });
    sub.state = to;
    this.pendingState.set(sub.id, to);
    const lines = batch.items.filter((i) => i.line).length;
    if (lines >= (this.deps.maxBatch ?? 20)) {
      this.track(this.flushBatch(key));
    } else if (!batch.timer) {
      batch.timer = setTimeout(() => this.track(this.flushBatch(key)), line ? (this.deps.batchMs ?? 1500) : 0);
      batch.timer.unref?.();
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async flushBatch(key: string): Promise<void> {
    const batch = this.pending.get(key);
    if (!batch) return;
    this.pending.delete(key);
    if (batch.timer) clearTimeout(batch.timer);
    const now = this.now();
    try {
      let lost = false;
      // At most a few batch writes at once: a move that fires a thousand channels must not queue a
      // thousand transactions for the pool (they time out waiting: Prisma P2028).
      await this.writes(() => this.deps.prisma.$transaction(async (tx) => {
        const fired: Item[] = [];
        for (const item of batch.items) {
          const n = item.line
            ? await tx.$executeRaw`UPDATE "ChannelSubscription" SET "lastState" = ${item.to}, "lastFiredAt" = ${now}
                WHERE id = ${item.sub.id}::uuid AND "lastState" IS NOT DISTINCT FROM ${item.from}`
            : await tx.$executeRaw`UPDATE "ChannelSubscription" SET "lastState" = ${item.to}
                WHERE id = ${item.sub.id}::uuid AND "lastState" IS NOT DISTINCT FROM ${item.from}`;
          if (n === 0) lost = true; // removed, or another process moved it first
          else if (item.line) fired.push(item);
        }
        if (fired.length === 0) return;
        const text = fired.length === 1 ? fired[0]!.line! : [`${fired.length} alerts:`, ...fired.map((i) => `- ${i.line}`)].join('\n');
        await writeOutbox(tx, this.deps.jobs, [
          {
            userId: fired[0]!.sub.createdBy,
            dedupeKey: `channel:${batch.platform}:${batch.chatId}:${randomUUID()}`,
            payload: { kind: 'channel_alert', platform: batch.platform, chatId: batch.chatId, text, alertIds: fired.map((i) => i.sub.id) },
          },
        ]);
      }));
      if (lost) this.invalidate();
    } catch (err) {
      // Nothing was written: the database still has the old states, which the reload brings back.
      this.deps.log?.error({ err, channel: key }, 'alerts: writing a batch failed');
      this.invalidate();
    } finally {
      for (const item of batch.items) if (this.pendingState.get(item.sub.id) === item.to && !this.hasPending(item.sub.id)) this.pendingState.delete(item.sub.id);
    }
  }

  private hasPending(subId: string): boolean {
    for (const b of this.pending.values()) if (b.items.some((i) => i.sub.id === subId)) return true;
    return false;
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }
}
