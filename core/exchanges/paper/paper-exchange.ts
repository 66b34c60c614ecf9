/**
 * PaperExchange: an in-process venue that behaves like Polymarket or Kalshi against the market data
 * feed, with its ledger in Postgres (PaperAccount / PaperHolding / PaperOrder / PaperTrade).
 * One instance per venue, so routing between "polymarket" and "kalshi" is real.
 *
 * Rules (see matching.ts and ledger.ts):
 * - Prices on the listing's tick grid within [tick, 1 − tick]; quantities rounded down to the venue's
 *   step (Polymarket 0.01 shares, Kalshi 1 contract) and at least the listing's minimum size.
 * - Taker orders walk the book from the best level, never past `price` (the worst acceptable price),
 *   one fill (one trade id) per level at the level's price, each fill paying the venue's taker fee.
 *   A buy by USD `amount` spends at most `amount` in total: notional + fees ≤ amount (fee-free on
 *   Polymarket by default; on Kalshi the fee comes out of the same budget).
 *   FOK fills whole or is rejected; FAK and market orders take what there is and cancel the rest.
 * - Limit GTC/GTD: the marketable part fills now; the rest rests with its cash (remaining × price) or
 *   shares reserved. Resting orders fill, at their own price and fee-free (as makers), when a feed
 *   update crosses them; partially when the crossing levels are smaller than the order.
 * - Liquidity taken from a level is gone until the feed publishes the listing's next book.
 * - Each order is one SQL statement with conditional balance/position updates: concurrent orders of
 *   one account never overdraw it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { Decimal, ZERO, dec, usd } from '../../money.ts';
import type { BookUpdate, MarketDataFeed } from '../../markets/types.ts';
import { feeModelFor, type KalshiFeeParams, type PolymarketFeeParams } from '../fees.ts';
import {
  VenueError,
  type AccountRef,
  type Balance,
  type ExchangeAdapter,
  type ListingRef,
  type OrderBook,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueCapabilities,
  type VenueFill,
  type VenueOrder,
  type VenueOrderListener,
  type VenuePosition,
} from '../types.ts';
import * as ledger from './ledger.ts';
import { isUniqueViolation, toVenueFill, toVenueOrder } from './ledger.ts';
import { LiquidityOverlay, crossResting, planTake, quantityStepOf, rejected, validateOrder, type Consumption } from './matching.ts';

export interface PaperExchangeOptions {
  venue: Venue;
  prisma: Db;
  feed: MarketDataFeed;
  /** Cash of a new paper account (created on first use, per venue and user). */
  startingBalance: Decimal;
  clock?: () => Date;
  /** Fee parameters: a Polymarket market's rate/exponent (none = fee-free), Kalshi's coefficients. */
  fees?: {
    polymarket?: (listing: ListingRef) => PolymarketFeeParams | null | undefined;
    kalshi?: KalshiFeeParams;
  };
  /** Background failures (matching resting orders, loading them at start). */
  onError?: (err: unknown, context: string) => void;
}

/** A resting order as the matcher keeps it in memory (the database row is the truth). */
interface Resting {
  id: string;
  accountId: string;
  clientOrderId: string;
  venueMarketId: string;
  side: Outcome;
  action: 'buy' | 'sell';
  price: Decimal;
  remaining: Decimal;
  expiresAt: Date | null;
  seq: number;
}

const ALL_TIF = ['GTC', 'GTD', 'FOK', 'FAK'] as const;

export class PaperExchange implements ExchangeAdapter {
  readonly venue: Venue;
  readonly capabilities: VenueCapabilities;
  private readonly prisma: Db;
  private readonly feed: MarketDataFeed;
  private readonly startingBalance: Decimal;
  private readonly clock: () => Date;
  private readonly step: Decimal;
  private readonly overlay = new LiquidityOverlay();
  private readonly resting = new Map<string, Map<string, Resting>>();
  private readonly accounts = new Map<string, Promise<void>>();
  private readonly listeners = new Set<VenueOrderListener>();
  private readonly unsubscribeFeed: () => void;
  private readonly loaded: Promise<void>;
  private background: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly opts: PaperExchangeOptions) {
    this.venue = opts.venue;
    this.prisma = opts.prisma;
    this.feed = opts.feed;
    this.startingBalance = opts.startingBalance;
    this.clock = opts.clock ?? (() => new Date());
    this.step = quantityStepOf(opts.venue);
    this.capabilities = { marketOrders: true, limitOrders: true, timeInForce: ALL_TIF, marketBuyByAmount: true, quantityStep: this.step };
    this.unsubscribeFeed = this.feed.onUpdate((u) => this.onBookUpdate(u));
    this.loaded = this.loadOpenOrders().catch((err) => this.opts.onError?.(err, 'loading open paper orders'));
  }

  /** Resolves once the open orders of a previous run are loaded and matching. */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** Resolves when background work (resting fills, expiries, their events) has settled. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.background;
      await current;
    } while (current !== this.background);
  }

  /** Stops listening to the feed. */
  close(): void {
    this.unsubscribeFeed();
  }

  onOrderEvent(listener: VenueOrderListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  takerFee(args: { listing: ListingRef; price: Decimal; quantity: Decimal }): Decimal {
    return this.feeModel(args.listing).taker(args.price, args.quantity);
  }

  async getOrderBook(args: { listing: ListingRef; outcome: Outcome }): Promise<OrderBook> {
    const { venueMarketId } = args.listing;
    const book = this.feed.getBook(this.venue, venueMarketId, args.outcome);
    if (!book) return { venue: this.venue, venueMarketId, outcome: args.outcome, bids: [], asks: [], timestamp: this.clock() };
    return {
      ...book,
      bids: this.overlay.available(venueMarketId, args.outcome, 'bids', book.bids),
      asks: this.overlay.available(venueMarketId, args.outcome, 'asks', book.asks),
    };
  }

  async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    if (req.listing.venue !== this.venue) {
      throw rejected(this.venue, 'INVALID_ORDER_ERROR', `this order is for ${req.listing.venue}, not ${this.venue}`);
    }
    await this.loaded;
    const v = validateOrder(req, this.clock());
    const accountId = req.account.userId;
    await this.ensureAccount(accountId);

    // Plan and consume liquidity synchronously: no other order can take the same levels meanwhile.
    const now = this.clock();
    const { venueMarketId } = req.listing;
    const bookSide = req.action === 'buy' ? 'asks' : 'bids';
    const book = this.feed.getBook(this.venue, venueMarketId, req.outcome);
    const levels = book ? this.overlay.available(venueMarketId, req.outcome, bookSide, req.action === 'buy' ? book.asks : book.bids) : [];
    const fees = this.feeModel(req.listing);
    const plan = planTake({ levels, action: req.action, limitPrice: req.price, quantity: v.quantity, amount: v.amount, step: this.step, takerFee: fees.taker });

    if (v.mode.kind === 'take') {
      if (v.mode.allOrNothing && !plan.complete) {
        throw rejected(this.venue, 'FOK_ORDER_NOT_FILLED_ERROR', `the book cannot fill the whole order at ${req.price.toFixed()} or better (fill-or-kill): nothing was traded`);
      }
      if (plan.quantity.isZero() && !(v.amount && plan.complete)) {
        throw rejected(this.venue, 'NO_MATCH', `no orders found to match at ${req.price.toFixed()} or better: nothing was traded`);
      }
      if (v.amount && plan.quantity.lt(req.listing.minSize)) {
        throw rejected(this.venue, 'INVALID_ORDER_MIN_SIZE', `${usd(v.amount)} buys ${plan.quantity.toFixed()} shares at ${req.price.toFixed()} or better; the minimum for this market is ${req.listing.minSize.toFixed()}`);
      }
    }
    const consumed: Consumption[] = plan.fills.map((f) => this.overlay.consume(venueMarketId, req.outcome, bookSide, f.price, f.quantity));

    const quantity = v.quantity ?? plan.quantity;
    const remaining = quantity.sub(plan.quantity);
    const rests = v.mode.kind === 'rest' && remaining.gt(0);
    let status: ledger.NewOrderRow['status'] = remaining.isZero() ? 'filled' : rests ? 'open' : 'cancelled';
    let reason: string | null = null;
    if (v.amount) {
      status = plan.complete ? 'filled' : 'cancelled';
      if (!plan.complete) reason = `the book had only ${usd(plan.notional.add(plan.fee))} of the ${usd(v.amount)} at ${req.price.toFixed()} or better; the rest was cancelled`;
    } else if (status === 'cancelled') {
      reason = `${plan.quantity.toFixed()} of ${quantity.toFixed()} filled at ${req.price.toFixed()} or better; the rest was cancelled (${req.timeInForce === 'FOK' ? 'FOK' : 'FAK'})`;
    }
    const order: ledger.NewOrderRow = {
      id: this.newOrderId(),
      venue: this.venue,
      accountId,
      clientOrderId: req.clientOrderId,
      venueMarketId,
      side: req.outcome,
      action: req.action,
      type: req.type,
      timeInForce: req.timeInForce,
      price: req.price,
      quantity,
      filledQuantity: plan.quantity,
      status,
      reason,
      expiresAt: rests && v.mode.kind === 'rest' ? v.mode.expiresAt : null,
    };
    const trades = plan.fills.map((f, i) => ({ id: `${order.id}-${String(i + 1).padStart(3, '0')}`, ...f }));

    let ok: boolean;
    try {
      if (req.action === 'buy') {
        const reserve = rests ? remaining.mul(req.price) : ZERO;
        ok = await ledger.insertBuy(this.prisma, { order, trades, debit: plan.notional.add(plan.fee).add(reserve), now });
      } else {
        ok = await ledger.insertSell(this.prisma, {
          order,
          trades,
          required: quantity,
          decrement: rests ? quantity : plan.quantity,
          credit: plan.notional.sub(plan.fee),
          now,
        });
      }
    } catch (err) {
      this.overlay.release(consumed);
      if (isUniqueViolation(err)) {
        throw rejected(this.venue, 'DUPLICATE_CLIENT_ORDER_ID', `an order with client order id ${req.clientOrderId} already exists: it was not placed again`);
      }
      throw new VenueError({ kind: 'unknown_outcome', code: 'PAPER_LEDGER_ERROR', venue: this.venue, message: 'the paper ledger did not confirm the order', cause: err });
    }
    if (!ok) {
      this.overlay.release(consumed);
      throw await this.insufficient(req, accountId, quantity, plan.notional.add(plan.fee).add(rests ? remaining.mul(req.price) : ZERO));
    }
    if (rests) {
      this.addResting({
        id: order.id,
        accountId,
        clientOrderId: req.clientOrderId,
        venueMarketId,
        side: req.outcome,
        action: req.action,
        price: req.price,
        remaining,
        expiresAt: order.expiresAt,
        seq: ++this.seq,
      });
    }
    return {
      venueOrderId: order.id,
      clientOrderId: req.clientOrderId,
      status,
      quantity,
      filledQuantity: plan.quantity,
      fills: trades.map((t) => ({ venueTradeId: t.id, venueOrderId: order.id, price: t.price, quantity: t.quantity, fee: t.fee, filledAt: now })),
      ...(reason ? { reason } : {}),
    };
  }

  async cancelOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder> {
    const accountId = args.account.userId;
    await ledger.cancelOpenOrder(this.prisma, { venue: this.venue, orderId: args.venueOrderId, accountId, reason: 'cancelled by the owner', now: this.clock() });
    const row = await ledger.findOrder(this.prisma, this.venue, args.venueOrderId);
    if (!row || row.accountId !== accountId) throw rejected(this.venue, 'ORDER_NOT_FOUND', `there is no order ${args.venueOrderId} on this account`);
    if (row.status !== 'open') this.removeResting(row.venueMarketId, row.id);
    return toVenueOrder(row);
  }

  async getOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder | null> {
    const row = await ledger.findOrder(this.prisma, this.venue, args.venueOrderId);
    return row && row.accountId === args.account.userId ? toVenueOrder(row) : null;
  }

  async getOrderByClientId(args: { account: AccountRef; clientOrderId: string; listing: ListingRef }): Promise<VenueOrder | null> {
    const row = await ledger.findOrderByClientId(this.prisma, this.venue, args.clientOrderId);
    return row && row.accountId === args.account.userId ? toVenueOrder(row) : null;
  }

  async getFills(args: { account: AccountRef; venueOrderId?: string; since?: Date }): Promise<VenueFill[]> {
    const rows = await this.prisma.paperTrade.findMany({
      where: {
        venue: this.venue,
        accountId: args.account.userId,
        ...(args.venueOrderId ? { orderId: args.venueOrderId } : {}),
        ...(args.since ? { createdAt: { gte: args.since } } : {}),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toVenueFill);
  }

  async getBalance(args: { account: AccountRef }): Promise<Balance> {
    await this.ensureAccount(args.account.userId);
    const cash = await ledger.accountCash(this.prisma, this.venue, args.account.userId);
    return { venue: this.venue, available: cash ?? this.startingBalance, currency: 'USD' };
  }

  async getPositions(args: { account: AccountRef }): Promise<VenuePosition[]> {
    const rows = await ledger.positions(this.prisma, this.venue, args.account.userId);
    return rows.map((r) => ({ venueMarketId: r.venueMarketId, outcome: r.side as Outcome, quantity: r.quantity }));
  }

  // ---- internals ----

  private feeModel(listing: ListingRef) {
    return feeModelFor(this.venue, { polymarket: this.opts.fees?.polymarket?.(listing) ?? null, kalshi: this.opts.fees?.kalshi });
  }

  /** Polymarket order ids look like order hashes (0x + 64 hex); Kalshi's are UUIDs. */
  private newOrderId(): string {
    return this.venue === 'polymarket' ? `0x${randomBytes(32).toString('hex')}` : randomUUID();
  }

  private ensureAccount(accountId: string): Promise<void> {
    let p = this.accounts.get(accountId);
    if (!p) {
      p = ledger.ensureAccount(this.prisma, this.venue, accountId, this.startingBalance);
      this.accounts.set(accountId, p);
      p.catch(() => this.accounts.delete(accountId));
    }
    return p;
  }

  private async insufficient(req: PlaceOrderRequest, accountId: string, quantity: Decimal, needed: Decimal): Promise<VenueError> {
    if (req.action === 'buy') {
      const cash = (await ledger.accountCash(this.prisma, this.venue, accountId)) ?? ZERO;
      return rejected(this.venue, 'INSUFFICIENT_BALANCE', `not enough balance: this order needs ${usd(needed)} and ${usd(cash)} is available`);
    }
    const held = await this.prisma.paperHolding.findUnique({
      where: { venue_accountId_venueMarketId_side: { venue: this.venue, accountId, venueMarketId: req.listing.venueMarketId, side: req.outcome } },
    });
    const have = held ? dec(held.quantity) : ZERO;
    return rejected(this.venue, 'INSUFFICIENT_POSITION', `not enough shares: selling ${quantity.toFixed()} ${req.outcome.toUpperCase()} but ${have.toFixed()} are available`);
  }

  private addResting(r: Resting): void {
    let byId = this.resting.get(r.venueMarketId);
    if (!byId) {
      byId = new Map();
      this.resting.set(r.venueMarketId, byId);
    }
    byId.set(r.id, r);
  }

  private removeResting(venueMarketId: string, id: string): void {
    const byId = this.resting.get(venueMarketId);
    byId?.delete(id);
    if (byId?.size === 0) this.resting.delete(venueMarketId);
  }

  private async loadOpenOrders(): Promise<void> {
    const rows = await ledger.openOrders(this.prisma, this.venue);
    for (const row of rows) {
      if (this.resting.get(row.venueMarketId)?.has(row.id)) continue;
      this.addResting({
        id: row.id,
        accountId: row.accountId,
        clientOrderId: row.clientOrderId,
        venueMarketId: row.venueMarketId,
        side: row.side as Outcome,
        action: row.action as 'buy' | 'sell',
        price: dec(row.price),
        remaining: dec(row.quantity).sub(dec(row.filledQuantity)),
        expiresAt: row.expiresAt,
        seq: ++this.seq,
      });
    }
  }

  /**
   * A new book for one listing: the consumption overlay resets, expired GTD orders are cancelled and
   * resting orders that the book crosses fill (time priority). Planning is synchronous; the ledger
   * writes and the events run on a background queue, in order.
   */
  private onBookUpdate(update: BookUpdate): void {
    if (update.venue !== this.venue) return;
    const key = update.venueMarketId;
    this.overlay.reset(key);
    const orders = this.resting.get(key);
    if (!orders || orders.size === 0) return;
    const now = this.clock();
    for (const r of [...orders.values()].sort((a, b) => a.seq - b.seq)) {
      if (r.expiresAt && r.expiresAt.getTime() <= now.getTime()) {
        this.removeResting(key, r.id);
        this.enqueue(`expiring ${r.id}`, async () => {
          if (await ledger.cancelOpenOrder(this.prisma, { venue: this.venue, orderId: r.id, reason: 'expired (GTD)', now })) await this.emit(r.id);
        });
        continue;
      }
      const book = this.feed.getBook(this.venue, key, r.side);
      if (!book) continue;
      const side = r.action === 'buy' ? 'asks' : 'bids';
      const levels = this.overlay.available(key, r.side, side, r.action === 'buy' ? book.asks : book.bids);
      const cross = crossResting({ action: r.action, price: r.price, remaining: r.remaining, levels, step: this.step });
      if (cross.quantity.isZero()) continue;
      for (const t of cross.taken) this.overlay.consume(key, r.side, side, t.price, t.size);
      r.remaining = r.remaining.sub(cross.quantity);
      if (r.remaining.lte(0)) this.removeResting(key, r.id);
      const qty = cross.quantity;
      this.enqueue(`filling ${r.id}`, async () => {
        const applied = await ledger.applyRestingFill(this.prisma, { venue: this.venue, orderId: r.id, tradeId: randomUUID(), qty, fee: ZERO, now });
        if (applied) await this.emit(r.id);
        else this.removeResting(key, r.id);
      });
    }
  }

  private enqueue(context: string, task: () => Promise<void>): void {
    this.background = this.background.then(task).catch((err) => this.opts.onError?.(err, context));
  }

  private async emit(orderId: string): Promise<void> {
    if (this.listeners.size === 0) return;
    const row = await ledger.findOrder(this.prisma, this.venue, orderId);
    if (!row) return;
    const event = { venue: this.venue, clientOrderId: row.clientOrderId, order: toVenueOrder(row) };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.opts.onError?.(err, 'order event listener');
      }
    }
  }
}
