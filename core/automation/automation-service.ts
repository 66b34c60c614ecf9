/**
 * AutomationService: the AutomationApi (core/automation/types.ts) that chat and HTTP call: arm,
 * list, inspect and cancel snipers; set or clear a position's take-profit / stop-loss.
 *
 * Every input is checked before anything is written: bad input is a TradingError naming the field
 * and changes nothing. The monitors (snipers.ts, tpsl.ts, price-sync.ts) do the firing.
 */
import type { SniperOrder } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { Decimal, cents, dec, decOrNull, usd } from '../money.ts';
import { VENUES, type AdapterRegistry, type ListingRef, type Outcome, type Venue } from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { TradingError } from '../trading/types.ts';
import { shortId } from './messages.ts';
import type { AutomationApi, CreateSniperInput, SniperStatus, SniperView, TpslInput } from './types.ts';

export interface AutomationServiceDeps {
  prisma: Db;
  directory: MarketDirectory;
  adapters: AdapterRegistry;
  /** The global per-order cap (a user's own cap wins when set). */
  settings: { maxOrderUsd: Decimal };
  clock?: () => Date;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly SniperStatus[] = ['WATCHING', 'EXECUTING', 'FILLED', 'EXPIRED', 'CANCELLED', 'FAILED'];
const DEFAULT_SLIPPAGE = new Decimal('0.02');
const MAX_SLIPPAGE = new Decimal('0.5');

function bad(message: string, field: string): never {
  throw new TradingError('invalid_input', message, { field });
}

/** A Decimal in (0, 1) with at most 6 places: a price in dollars per share. */
function price(v: unknown, field: string): Decimal {
  if (!(v instanceof Decimal) || !v.isFinite()) bad(`${field} must be a price between 0 and 1, e.g. "0.42".`, field);
  if (v.lte(0) || v.gte(1)) bad(`${field} must be between 0 and 1 (dollars per share, e.g. "0.42"); ${v.toFixed()} is not.`, field);
  if (v.decimalPlaces() > 6) bad(`${field} has more than 6 decimal places.`, field);
  return v;
}

export class AutomationService implements AutomationApi {
  private readonly armed = new Set<(marketId: string) => void>();

  constructor(private readonly deps: AutomationServiceDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Called with the market id whenever a sniper is armed (the price sync evaluates it at once). */
  onArmed(listener: (marketId: string) => void): () => void {
    this.armed.add(listener);
    return () => void this.armed.delete(listener);
  }

  async createSniper(input: CreateSniperInput): Promise<SniperView> {
    if (!input || typeof input.userId !== 'string' || !input.userId) bad('A user is required.', 'userId');
    if (input.idempotencyKey !== undefined) {
      if (!/^[\x21-\x7e]{1,128}$/.test(input.idempotencyKey)) bad('The idempotency key must be 1–128 printable characters without spaces.', 'idempotencyKey');
      const existing = await this.replaySniper(input.userId, input.idempotencyKey);
      if (existing) return existing;
    }
    if (input.side !== 'yes' && input.side !== 'no') bad('side must be "yes" or "no".', 'side');
    const triggerPrice = price(input.triggerPrice, 'triggerPrice');
    const amount = input.amount;
    if (!(amount instanceof Decimal) || !amount.isFinite()) bad('amount must be a USD amount such as "25".', 'amount');
    if (amount.lte(0)) bad(`amount must be more than $0; ${amount.toFixed()} is not.`, 'amount');
    if (amount.decimalPlaces() > 6) bad('amount has more than 6 decimal places.', 'amount');
    const slippage = input.slippage ?? DEFAULT_SLIPPAGE;
    if (!(slippage instanceof Decimal) || !slippage.isFinite()) bad('slippage must be a fraction such as "0.02" (2%).', 'slippage');
    if (slippage.lt(0) || slippage.gt(MAX_SLIPPAGE)) bad(`slippage must be between 0 and 0.5 (0% to 50%); ${slippage.toFixed()} is not.`, 'slippage');
    if (slippage.decimalPlaces() > 4) bad('slippage has more than 4 decimal places (0.0001 = 0.01%).', 'slippage');
    if (input.expiresAt !== undefined) {
      if (!(input.expiresAt instanceof Date) || Number.isNaN(input.expiresAt.getTime())) bad('expiresAt must be a date and time, e.g. "2026-12-31T23:00:00Z".', 'expiresAt');
      if (input.expiresAt.getTime() <= this.now().getTime()) bad(`expiresAt must be in the future; ${input.expiresAt.toISOString()} has passed.`, 'expiresAt');
    }
    if (input.repeat !== undefined && typeof input.repeat !== 'boolean') bad('repeat must be true or false.', 'repeat');
    if (input.exchange !== undefined && !(VENUES as readonly string[]).includes(input.exchange)) bad(`exchange must be one of ${VENUES.join(', ')}.`, 'exchange');
    if (typeof input.marketId !== 'string' || !input.marketId.trim()) bad('marketId is required: a market id or slug.', 'marketId');

    const market = this.deps.directory.resolve(input.marketId);
    if (market.status !== 'open') throw new TradingError('market_closed', `${market.title} is ${market.status}; a sniper on it could never fire.`);
    const eligible = input.exchange ? market.listings.filter((l) => l.venue === input.exchange) : market.listings;
    if (eligible.length === 0) {
      throw new TradingError(
        'venue_not_listed',
        input.exchange ? `${market.title} is not listed on ${input.exchange}; it trades on ${market.listings.map((l) => l.venue).join(', ') || 'no venue'}.` : `${market.title} has no venue to trade on.`,
        { field: 'exchange' },
      );
    }
    // At the trigger price the amount must buy the venue's minimum somewhere, or every fire would fail.
    const shares = amount.div(triggerPrice);
    const minSize = eligible.map((l) => l.minSize).reduce((a, b) => (a.lt(b) ? a : b));
    if (shares.lt(minSize)) {
      throw new TradingError(
        'below_minimum',
        `${usd(amount)} at ${cents(triggerPrice)} buys about ${shares.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed()} shares; the minimum for this market is ${minSize.toFixed()} (at least ${usd(minSize.mul(triggerPrice))}).`,
        { field: 'amount', minSize: minSize.toFixed() },
      );
    }
    const user = await this.deps.prisma.user.findUnique({ where: { id: input.userId }, select: { maxOrderUsd: true } });
    if (!user) bad('Unknown user.', 'userId');
    const cap = user.maxOrderUsd ? dec(user.maxOrderUsd) : this.deps.settings.maxOrderUsd;
    if (amount.gt(cap)) throw new TradingError('max_order_size', `${usd(amount)} is above your per-order limit of ${usd(cap)}.`, { field: 'amount', limit: cap.toFixed() });

    // Armed on stale data? Then it starts paused and resumes with the first fresh update.
    const stale = await this.deps.prisma.listingQuote.count({ where: { listingId: { in: eligible.map((l) => l.listingId) }, stale: true } });
    let row;
    try {
      row = await this.deps.prisma.sniperOrder.create({
        data: {
          idempotencyKey: input.idempotencyKey ?? null,
          userId: input.userId,
          marketId: market.id,
          side: input.side,
          exchange: input.exchange ?? null,
          triggerPrice: triggerPrice.toFixed(),
          amount: amount.toFixed(),
          slippage: slippage.toFixed(),
          expiresAt: input.expiresAt ?? null,
          repeat: input.repeat ?? false,
          paused: stale > 0,
        },
      });
    } catch (err) {
      // Two requests with one key at once: the other one armed it.
      const existing = input.idempotencyKey ? await this.replaySniper(input.userId, input.idempotencyKey) : null;
      if (existing) return existing;
      throw err;
    }
    for (const listener of this.armed) listener(market.id);
    return this.view(row, []);
  }

  /** The sniper armed earlier with this idempotency key, if any. */
  private async replaySniper(userId: string, idempotencyKey: string): Promise<SniperView | null> {
    const row = await this.deps.prisma.sniperOrder.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });
    return row ? this.getSniper({ userId, sniperId: row.id }) : null;
  }

  async listSnipers(args: { userId: string; status?: SniperStatus[] }): Promise<SniperView[]> {
    if (!args?.userId) bad('A user is required.', 'userId');
    for (const s of args.status ?? []) if (!STATUSES.includes(s)) bad(`status must be one of ${STATUSES.join(', ')}; "${String(s)}" is not.`, 'status');
    const rows = await this.deps.prisma.sniperOrder.findMany({
      where: { userId: args.userId, ...(args.status?.length ? { status: { in: args.status } } : {}) },
      include: { orders: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
      orderBy: { createdAt: 'desc' },
      take: 200,
    });
    return rows.map((r) => this.view(r, r.orders.map((o) => o.id)));
  }

  async getSniper(args: { userId: string; sniperId: string }): Promise<SniperView> {
    const row = await this.own(args);
    return this.view(row, row.orders.map((o) => o.id));
  }

  async cancelSniper(args: { userId: string; sniperId: string }): Promise<SniperView> {
    const row = await this.own(args);
    const done = await this.deps.prisma.sniperOrder.updateMany({
      where: { id: row.id, userId: args.userId, status: 'WATCHING' },
      data: { status: 'CANCELLED', failureReason: 'cancelled by you' },
    });
    if (done.count === 0) {
      const now = await this.own(args);
      if (now.status === 'EXECUTING') {
        throw new TradingError('not_cancellable', `Sniper ${shortId(now.id)} is firing right now (its order is being placed), so it cannot be cancelled; /snipers shows how it ends.`, { status: now.status });
      }
      throw new TradingError('not_cancellable', `Sniper ${shortId(now.id)} is already ${now.status.toLowerCase()}; there is nothing to cancel.`, { status: now.status });
    }
    return this.getSniper(args);
  }

  async setTpsl(input: TpslInput): Promise<{ positionId: string; takeProfitPrice: Decimal | null; stopLossPrice: Decimal | null }> {
    if (!input?.userId) bad('A user is required.', 'userId');
    const level = (v: Decimal | null | undefined, field: string) => (v === undefined || v === null ? v : price(v, field));
    const tp = level(input.takeProfitPrice, 'takeProfitPrice');
    const sl = level(input.stopLossPrice, 'stopLossPrice');
    if (tp === undefined && sl === undefined) bad('Give takeProfitPrice and/or stopLossPrice (null clears one).', 'takeProfitPrice');
    if (typeof input.positionId !== 'string' || !UUID_RE.test(input.positionId)) {
      throw new TradingError('no_position', `"${String(input.positionId)}" is not a position id; /positions lists yours.`, { field: 'positionId' });
    }
    const pos = await this.deps.prisma.position.findFirst({ where: { id: input.positionId, userId: input.userId } });
    if (!pos) throw new TradingError('no_position', `No position ${shortId(input.positionId)} of yours; /positions lists yours.`, { field: 'positionId' });
    if (dec(pos.quantity).lte(0)) throw new TradingError('no_position', `Position ${shortId(pos.id)} is closed (no shares left); there is nothing to protect.`);
    if (pos.exitKind) throw new TradingError('not_cancellable', `Its ${pos.exitKind} is selling right now; set new levels once it finishes.`, { exitKind: pos.exitKind });
    const hit = this.deps.directory.listing(pos.listingId);
    if (hit && hit.market.status !== 'open') throw new TradingError('market_closed', `${hit.market.title} is ${hit.market.status}; TP/SL cannot be set on it.`);

    const newTp = tp === undefined ? decOrNull(pos.takeProfitPrice) : tp;
    const newSl = sl === undefined ? decOrNull(pos.stopLossPrice) : sl;
    if (newTp && newSl && newTp.lte(newSl)) {
      bad(`The take-profit (${cents(newTp)}) must be above the stop-loss (${cents(newSl)}).`, tp ? 'takeProfitPrice' : 'stopLossPrice');
    }
    // A level the current bid already crosses would sell at once: refuse it and say so.
    const bid = hit ? await this.bidOf(hit.listing, pos.side as Outcome) : null;
    if (bid && tp && tp.lte(bid)) {
      bad(`A take-profit at ${cents(tp)} would sell right away: the ${pos.side.toUpperCase()} bid is ${cents(bid)} now. Pick a level above it, or sell now.`, 'takeProfitPrice');
    }
    if (bid && sl && sl.gte(bid)) {
      bad(`A stop-loss at ${cents(sl)} would sell right away: the ${pos.side.toUpperCase()} bid is ${cents(bid)} now. Pick a level below it, or sell now.`, 'stopLossPrice');
    }
    const stale = await this.deps.prisma.listingQuote.count({ where: { listingId: pos.listingId, stale: true } });
    const updated = await this.deps.prisma.position.updateManyAndReturn({
      where: { id: pos.id, userId: input.userId, exitKind: null, quantity: { gt: 0 } },
      data: {
        ...(tp !== undefined ? { takeProfitPrice: tp?.toFixed() ?? null } : {}),
        ...(sl !== undefined ? { stopLossPrice: sl?.toFixed() ?? null } : {}),
        tpslPaused: stale > 0,
      },
    });
    const after = updated[0];
    if (!after) throw new TradingError('not_cancellable', 'The position changed meanwhile (an exit started or it was closed); look at it again and retry.');
    return { positionId: after.id, takeProfitPrice: decOrNull(after.takeProfitPrice), stopLossPrice: decOrNull(after.stopLossPrice) };
  }

  private async bidOf(listing: ListingRef, side: Outcome): Promise<Decimal | null> {
    const adapter = this.deps.adapters.get(listing.venue);
    const book = await adapter?.getOrderBook({ listing, outcome: side }).catch(() => null);
    return book?.bids[0]?.price ?? null;
  }

  private async own(args: { userId: string; sniperId: string }) {
    if (!args?.userId) bad('A user is required.', 'userId');
    if (typeof args.sniperId !== 'string' || !UUID_RE.test(args.sniperId)) {
      throw new TradingError('order_not_found', `"${String(args.sniperId)}" is not a sniper id; /snipers lists yours.`, { field: 'sniperId' });
    }
    const row = await this.deps.prisma.sniperOrder.findFirst({
      where: { id: args.sniperId, userId: args.userId },
      include: { orders: { select: { id: true }, orderBy: { createdAt: 'asc' } } },
    });
    if (!row) throw new TradingError('order_not_found', `No sniper ${shortId(args.sniperId)} of yours; /snipers lists yours.`, { field: 'sniperId' });
    return row;
  }

  private view(r: SniperOrder, orderIds: string[]): SniperView {
    return {
      id: r.id,
      userId: r.userId,
      marketId: r.marketId,
      marketTitle: this.deps.directory.get(r.marketId)?.title ?? r.marketId,
      side: r.side as Outcome,
      exchange: (r.exchange as Venue | null) ?? null,
      triggerPrice: dec(r.triggerPrice),
      amount: dec(r.amount),
      slippage: dec(r.slippage),
      status: r.status as SniperStatus,
      expiresAt: r.expiresAt,
      repeat: r.repeat,
      paused: r.paused,
      failureReason: r.failureReason,
      fireCount: r.fireCount,
      orderIds,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }
}
