/**
 * TradingService: the whole order path. Validate → route (SmartRouter) → venue rules → save as
 * `created` → send to the exchange adapter → apply the venue's answer through the OrderStateMachine.
 * Used by chat, HTTP and the automation alike.
 */
import { randomUUID } from 'node:crypto';
import { Prisma, type Order } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { Decimal, ZERO, dec, sum, usd } from '../money.ts';
import {
  VenueError,
  type AdapterRegistry,
  type ExchangeAdapter,
  type ListingRef,
  type PlaceOrderRequest,
  type Venue,
  type VenueOrder,
} from '../exchanges/types.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStore } from '../orders/order-store.ts';
import { isTerminal } from '../orders/state-machine.ts';
import { explainLinkedOnly, linkedListings } from '../accounts/linked-venues.ts';
import { OrderSync, type FollowJobData, type OrderSyncOptions, type StartupReport } from './order-sync.ts';
import type { SmartRouter } from '../routing/smart-router.ts';
import { venueOrderParams } from './order-params.ts';
import { validateOrderInput } from './validate.ts';
import { orderView, positionView } from './views.ts';
import {
  TradingError,
  type BalanceView,
  type OrderStatus,
  type OrderView,
  type PlaceOrderInput,
  type PositionView,
  type RouteDecision,
  type TradingApi,
} from './types.ts';

export interface TradingServiceDeps {
  prisma: Db;
  store: OrderStore;
  router: SmartRouter;
  adapters: AdapterRegistry;
  directory: MarketDirectory;
  /** The global trading halt (admin). */
  isHalted: () => Promise<boolean>;
  settings: { mode: 'paper' | 'live'; maxOrderUsd: Decimal; defaultSlippage: Decimal };
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  /** How often to look an order up by client id after an unknown outcome, and how long to wait between. */
  lookupRetries?: { attempts: number; delayMs: number };
  /** Live mode: the venues a user has linked (only those are routed to). Absent or null: every venue (paper). */
  linkedVenues?: (userId: string) => Promise<ReadonlySet<Venue> | null>;
  /** Enqueues the follow jobs of open orders (order sync); without it nothing is polled per order. */
  jobs?: JobPort;
  /** Order sync tuning (core/trading/order-sync.ts). `follow` defaults to live mode. */
  sync?: OrderSyncOptions;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The wording of a failed placement whose venue was unavailable (retryable: nothing reached its book). */
const UNAVAILABLE_REASON = ' is unavailable right now';

/**
 * How placeOrder's answer reads for a caller: an order that failed while being placed (nothing is at
 * the venue) was refused by the venue ('rejected') or could not reach it ('unavailable', worth a retry).
 */
export function placementFailure(order: { status: string; failureReason: string | null }): 'rejected' | 'unavailable' | null {
  if (order.status !== 'failed' || !order.failureReason) return null;
  return /^\w+ is unavailable right now \(/.test(order.failureReason) ? 'unavailable' : 'rejected';
}

export class TradingService implements TradingApi {
  /** Order sync: follow jobs, reconcile, the startup gate. */
  readonly sync: OrderSync;

  constructor(private readonly deps: TradingServiceDeps) {
    this.sync = new OrderSync({
      prisma: deps.prisma,
      store: deps.store,
      adapters: deps.adapters,
      directory: deps.directory,
      jobs: deps.jobs,
      log: deps.log,
      options: { follow: deps.settings.mode === 'live', ...deps.sync },
    });
  }

  async quote(input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>): Promise<RouteDecision> {
    validateOrderInput(input);
    const market = this.openMarket(input.marketId);
    const held = input.action === 'sell' ? await this.sellableListings(input, market.listings) : market.listings;
    // Live mode: only the venues this user has linked (core/accounts/linked-venues.ts); paper: all.
    const linked = this.deps.linkedVenues ? await this.deps.linkedVenues(input.userId) : null;
    const listings = linkedListings({ listings: held, linked, forceVenue: input.exchange });
    const route = await this.deps.router.route({
      listings,
      outcome: input.side,
      action: input.action,
      quantity: input.quantity,
      amount: input.amount,
      limitPrice: input.type === 'limit' ? input.price : undefined,
      forceVenue: input.exchange,
    });
    // The chosen venue's rules (tick grid, share step, minimum size, an empty book) apply to a quote
    // too: otherwise an order that cannot be placed gets a quote and fails only at confirmation.
    this.venueParams(input, route);
    return linked ? explainLinkedOnly(route, { listed: held, usable: listings }) : route;
  }

  /** The exact price and quantity the chosen venue would get; throws when its rules refuse the order. */
  private venueParams(input: Omit<PlaceOrderInput, 'idempotencyKey' | 'source'>, route: RouteDecision) {
    const listing = this.listingOf(route.listingId);
    return venueOrderParams({
      input,
      listing,
      capabilities: this.deps.adapters.get(listing.venue)!.capabilities,
      quote: route.chosen,
      slippage: this.deps.settings.defaultSlippage,
    });
  }

  async placeOrder(input: PlaceOrderInput): Promise<OrderView> {
    validateOrderInput(input);
    if (!this.sync.gate().open) await this.waitForStartup(input);
    if (input.idempotencyKey) {
      const existing = await this.deps.store.findByIdempotencyKey(input.userId, input.idempotencyKey);
      if (existing) return this.replay(existing, input);
    }
    if (await this.deps.isHalted()) {
      throw new TradingError('trading_halted', 'Trading is paused by the operators right now. Your order was not placed; try again later.');
    }
    let route = await this.quote(input);
    if (input.quotedReason && input.exchange === route.venue) {
      route = { ...route, reason: `${input.quotedReason.slice(0, 500)} (as quoted and confirmed)` };
    }
    const listing = this.listingOf(route.listingId);
    const params = this.venueParams(input, route);
    await this.checkMaxSize(input.userId, params.amount ?? params.quantity.mul(params.price));

    const clientOrderId = `yn-${randomUUID()}`;
    let order;
    try {
      order = await this.deps.store.create({
        userId: input.userId,
        marketId: listing.marketId,
        listingId: listing.listingId,
        side: input.side,
        type: input.type,
        action: input.action,
        price: params.price.toFixed(),
        quantity: params.quantity.toFixed(),
        amount: params.amount?.toFixed() ?? null,
        exchange: listing.venue,
        source: input.source ?? 'manual',
        timeInForce: input.timeInForce ?? (input.type === 'market' ? 'FAK' : 'GTC'),
        clientOrderId,
        idempotencyKey: input.idempotencyKey ?? null,
        copyTradeSubId: input.copyTradeSubId ?? null,
        counterTradeId: input.counterTradeId ?? null,
        sniperId: input.sniperId ?? null,
        routing: routingJson(route),
      });
    } catch (err) {
      if (input.idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        const existing = await this.deps.store.findByIdempotencyKey(input.userId, input.idempotencyKey);
        if (existing) return this.replay(existing, input);
      }
      throw err;
    }

    const applied = await this.submit(order.id, listing, {
      account: { userId: input.userId },
      listing,
      outcome: input.side,
      action: input.action,
      type: input.type,
      timeInForce: order.timeInForce as PlaceOrderRequest['timeInForce'],
      clientOrderId,
      price: params.price,
      quantity: params.amount ? undefined : params.quantity,
      amount: params.amount ?? undefined,
      expiresAt: input.expiresAt,
    });
    return orderView(applied, this.titleOf(listing.marketId));
  }

  /**
   * Sends to the venue and applies the answer; never sends twice blindly. The venue's order id, when
   * the adapter knows it before sending (Polymarket: the signed order's hash), is stored first
   * (onPrepared, one UPDATE), so a process that dies mid-send finds the order again by it.
   * Live venues: an unknown outcome not found by the look-ups leaves the order in `created` (the
   * caller gets its current state) for order sync to resolve; paper venues answer look-ups
   * authoritatively, so there it fails at once.
   */
  private async submit(orderId: string, listing: ListingRef, req: PlaceOrderRequest): Promise<Order> {
    const adapter = this.deps.adapters.get(listing.venue)!;
    let venueOrder: VenueOrder | null = null;
    let unprepared: unknown = null;
    let prepared: string | null = null;
    const onPrepared = async ({ venueOrderId }: { venueOrderId: string }) => {
      try {
        await this.deps.prisma.order.updateMany({ where: { id: orderId, status: 'created' }, data: { venueOrderId } });
        prepared = venueOrderId;
      } catch (err) {
        unprepared = err;
        throw err;
      }
    };
    try {
      venueOrder = await adapter.placeOrder({ ...req, onPrepared });
    } catch (caught) {
      if (unprepared) {
        // Storing the venue id failed, so the adapter did not send: nothing was placed.
        this.deps.log?.error({ err: unprepared, orderId }, 'storing the prepared venue order id failed; the order was not sent');
        const reason = `${listing.venue} order could not be recorded before sending; nothing was placed.`;
        const failed = await this.deps.store.transition({ orderId, from: 'created', to: 'failed', patch: { failureReason: reason }, reason });
        return failed ?? (await this.deps.prisma.order.findUniqueOrThrow({ where: { id: orderId } }));
      }
      // An error the adapter did not classify: we cannot know whether the venue took the order,
      // so treat it as an unknown outcome (look it up before deciding) rather than leave it in `created`.
      const err =
        caught instanceof VenueError
          ? caught
          : new VenueError({ kind: 'unknown_outcome', code: 'ADAPTER_ERROR', venue: listing.venue, message: 'unexpected adapter error', cause: caught });
      if (!(caught instanceof VenueError)) this.deps.log?.error({ err: caught, orderId }, 'adapter threw an unclassified error');
      if (err.kind === 'unknown_outcome') {
        venueOrder = await this.lookUpAfterUnknown(adapter, req, prepared);
        if (venueOrder) return this.applyAndFollow(orderId, venueOrder);
        if (this.deps.settings.mode === 'live') {
          // Maybe placed, maybe not: keep it open (`created`); order sync finds it or, after the grace
          // period, fails it as never received. The caller sees the current state, never a 5xx.
          this.deps.log?.warn({ orderId, venue: listing.venue, code: err.code }, 'unknown outcome and not found yet; order sync will resolve it');
          await this.sync.follow(orderId).catch((e: unknown) => this.deps.log?.error({ err: e, orderId }, 'enqueueing the order follow job failed; the minute sync covers it'));
          return this.deps.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
        }
      }
      const reason =
        err.kind === 'rejected'
          ? `${listing.venue} rejected the order: ${err.message}`
          : err.kind === 'retryable'
            ? `${listing.venue}${UNAVAILABLE_REASON} (${err.message}); nothing was placed.`
            : `${listing.venue} did not confirm the order and it was not found there; nothing was placed.`;
      const failed = await this.deps.store.transition({ orderId, from: 'created', to: 'failed', patch: { failureReason: reason }, reason });
      return failed ?? (await this.deps.prisma.order.findUniqueOrThrow({ where: { id: orderId } }));
    }
    return this.applyAndFollow(orderId, venueOrder);
  }

  /** Applies the venue's answer; an order left open gets its follow job (live mode). */
  private async applyAndFollow(orderId: string, venueOrder: VenueOrder): Promise<Order> {
    const { order } = await this.deps.store.applyVenueOrder(orderId, venueOrder);
    if (this.sync.following && !isTerminal(order.status as OrderStatus)) {
      await this.sync.follow(orderId).catch((err: unknown) => this.deps.log?.error({ err, orderId }, 'enqueueing the order follow job failed; the minute sync covers it'));
    }
    return order;
  }

  /** After an unknown outcome: by the prepared venue id when there is one, else by client order id. */
  private async lookUpAfterUnknown(adapter: ExchangeAdapter, req: PlaceOrderRequest, prepared: string | null): Promise<VenueOrder | null> {
    const { attempts, delayMs } = this.deps.lookupRetries ?? { attempts: 3, delayMs: 250 };
    for (let i = 0; i < attempts; i++) {
      try {
        const found = prepared ? await adapter.getOrder({ account: req.account, venueOrderId: prepared }) : await adapter.getOrderByClientId(req);
        if (found) return found;
      } catch (err) {
        this.deps.log?.warn({ err, clientOrderId: req.clientOrderId }, 'order lookup after unknown outcome failed');
      }
      if (i < attempts - 1) await new Promise((r) => setTimeout(r, delayMs * (i + 1)));
    }
    return null;
  }

  /**
   * Applies a venue-pushed event (e.g. a resting order filled later). Found by client order id, or by
   * venue order id when the venue's stream does not carry ours. Safe to apply twice (fills are unique
   * by venue trade id, transitions compare-and-set under a row lock). Unknown orders are ignored.
   */
  async onVenueOrder(clientOrderId: string, venueOrder: VenueOrder, venue?: ListingRef['venue']): Promise<void> {
    let order = clientOrderId ? await this.deps.store.findByClientOrderId(clientOrderId) : null;
    if (!order && venueOrder.venueOrderId) {
      order = await this.deps.prisma.order.findFirst({ where: { venueOrderId: venueOrder.venueOrderId, ...(venue ? { exchange: venue } : {}) } });
    }
    if (!order) {
      this.deps.log?.warn({ clientOrderId, venueOrderId: venueOrder.venueOrderId }, 'venue event for an order yesno does not know');
      return;
    }
    await this.deps.store.applyVenueOrder(order.id, venueOrder);
  }

  /**
   * Order sync: asks the venue about every non-terminal order (by venue id, or by client id when the
   * placement never got an answer) and applies what it says. Run at start and on a schedule, so a
   * crash between the venue's fill and our write loses nothing. Returns how many orders changed.
   */
  reconcileOpenOrders(args: { olderThanMs?: number; pageSize?: number } = {}): Promise<number> {
    return this.sync.reconcile(args);
  }

  /**
   * The startup pass: reconciles every non-terminal order with its venue (each venue time-boxed) and,
   * in live mode, enqueues their follow jobs. New orders wait for it (see placeOrder). Never throws.
   */
  startupReconcile(): Promise<StartupReport> {
    return this.sync.startup();
  }

  /** One follow job of the order-follow queue (jobs/order-sync.ts). */
  runFollowJob(data: FollowJobData): Promise<OrderStatus | null> {
    return this.sync.runFollowJob(data);
  }

  /**
   * A new order while the startup sync runs: automation waits for it (it is time-boxed); chat and
   * HTTP wait a few seconds, then get a "starting up, retry" answer (not a failure of the order).
   */
  private async waitForStartup(input: PlaceOrderInput): Promise<void> {
    const gate = this.sync.gate();
    const manual = (input.source ?? 'manual') === 'manual';
    if (!manual) return gate.opened;
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      gate.opened.then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), this.deps.sync?.startupWaitMs ?? 3_000))),
    ]);
    clearTimeout(timer);
    if (!waited) {
      // null: the startup pass has not counted its open orders yet (a slow database): no number then.
      const n = this.sync.gate().orders;
      const what = n === null ? 'open orders' : `${n} open order${n === 1 ? '' : 's'}`;
      throw new TradingError(
        'starting_up',
        `yesno is starting up and reconciling ${what} with the venues; your order was not placed. Try again in a few seconds.`,
        n === null ? {} : { openOrders: n },
      );
    }
  }

  async cancelOrder(args: { userId: string; orderId: string }): Promise<OrderView> {
    const order = await this.ownOrder(args);
    const status = order.status as OrderStatus;
    if (isTerminal(status)) {
      throw new TradingError('not_cancellable', `Order ${shortId(order.id)} is already ${status}; there is nothing to cancel.`, { status });
    }
    if (!order.venueOrderId) {
      const cancelled = await this.deps.store.transition({ orderId: order.id, from: status, to: 'cancelled', patch: { failureReason: 'cancelled by you' }, reason: 'cancelled by you' });
      if (cancelled) return orderView(cancelled, this.titleOf(order.marketId));
      return this.getOrder(args);
    }
    const adapter = this.deps.adapters.get(order.exchange as ListingRef['venue']);
    if (!adapter) throw new TradingError('venue_unavailable', `${order.exchange} is not available right now.`);
    try {
      const venueOrder = await adapter.cancelOrder({ account: { userId: order.userId }, venueOrderId: order.venueOrderId });
      const applied = await this.deps.store.applyVenueOrder(order.id, venueOrder, { failureReason: 'cancelled by you' });
      return orderView(applied.order, this.titleOf(order.marketId));
    } catch (err) {
      if (err instanceof VenueError) {
        throw new TradingError(err.kind === 'rejected' ? 'not_cancellable' : 'venue_unavailable', `${order.exchange} did not cancel the order: ${err.message}`);
      }
      throw err;
    }
  }

  async getOrder(args: { userId: string; orderId: string }): Promise<OrderView> {
    const order = await this.ownOrder(args, true);
    return orderView(order, this.titleOf(order.marketId));
  }

  async listOrders(args: { userId: string; status?: OrderStatus[]; limit?: number }): Promise<OrderView[]> {
    const rows = await this.deps.prisma.order.findMany({
      where: { userId: args.userId, ...(args.status?.length ? { status: { in: args.status } } : {}) },
      orderBy: { createdAt: 'desc' },
      take: Math.min(Math.max(args.limit ?? 50, 1), 500),
    });
    return rows.map((o) => orderView(o, this.titleOf(o.marketId)));
  }

  async listPositions(args: { userId: string }): Promise<PositionView[]> {
    const rows = await this.deps.prisma.position.findMany({
      where: { userId: args.userId, quantity: { gt: 0 } },
      orderBy: { updatedAt: 'desc' },
    });
    return Promise.all(
      rows.map(async (p) => {
        const hit = this.deps.directory.listing(p.listingId);
        let bid: Decimal | null = null;
        if (hit) {
          const adapter = this.deps.adapters.get(hit.listing.venue);
          const book = await adapter?.getOrderBook({ listing: hit.listing, outcome: p.side as 'yes' | 'no' }).catch(() => null);
          bid = book?.bids[0]?.price ?? null;
        }
        return positionView(p, this.titleOf(p.marketId), bid);
      }),
    );
  }

  async getBalance(args: { userId: string }): Promise<BalanceView> {
    const linked = this.deps.linkedVenues ? await this.deps.linkedVenues(args.userId) : null;
    const venues = await Promise.all(
      [...this.deps.adapters.values()].filter((a) => !linked || linked.has(a.venue)).map(async (a) => {
        const b = await a.getBalance({ account: { userId: args.userId } });
        return { venue: a.venue, available: b.available, mode: this.deps.settings.mode };
      }),
    );
    return { venues, total: sum(venues.map((v) => v.available)) };
  }

  // ---- helpers ----

  private openMarket(term: string) {
    const market = this.deps.directory.resolve(term);
    if (market.status !== 'open') throw new TradingError('market_closed', `${market.title} is ${market.status}; it cannot be traded.`);
    return market;
  }

  /** Sells go where the shares are: the listings on which the user holds enough of that outcome. */
  private async sellableListings(input: PlaceOrderInput, listings: ListingRef[]): Promise<ListingRef[]> {
    const held = await this.deps.prisma.position.findMany({
      where: { userId: input.userId, listingId: { in: listings.map((l) => l.listingId) }, side: input.side, quantity: { gt: 0 } },
    });
    const need = input.quantity ?? ZERO;
    const enough = listings.filter((l) => held.some((p) => p.listingId === l.listingId && dec(p.quantity).gte(need)));
    if (enough.length === 0) {
      const total = sum(held.map((p) => dec(p.quantity)));
      throw new TradingError(
        held.length ? 'insufficient_position' : 'no_position',
        held.length
          ? `You hold ${total.toFixed(2)} ${input.side.toUpperCase()} shares of this market, fewer than the ${need.toFixed(2)} you asked to sell.`
          : `You have no ${input.side.toUpperCase()} shares of this market to sell.`,
        { held: total.toFixed() },
      );
    }
    return enough;
  }

  /** Per-user order caps, cached briefly: this read is on every order's path. */
  private readonly caps = new Map<string, { cap: Decimal | null; at: number }>();

  private async userCap(userId: string): Promise<Decimal | null> {
    const hit = this.caps.get(userId);
    if (hit && Date.now() - hit.at < 5_000) return hit.cap;
    const user = await this.deps.prisma.user.findUnique({ where: { id: userId }, select: { maxOrderUsd: true } });
    const cap = user?.maxOrderUsd ? dec(user.maxOrderUsd) : null;
    if (this.caps.size > 10_000) this.caps.clear();
    this.caps.set(userId, { cap, at: Date.now() });
    return cap;
  }

  private async checkMaxSize(userId: string, notional: Decimal): Promise<void> {
    const cap = (await this.userCap(userId)) ?? this.deps.settings.maxOrderUsd;
    if (notional.gt(cap)) {
      throw new TradingError('max_order_size', `This order is worth about ${usd(notional)}, above your per-order limit of ${usd(cap)}.`, { limit: cap.toFixed() });
    }
  }

  private async replay(existing: Order, input: PlaceOrderInput): Promise<OrderView> {
    const market = this.deps.directory.get(input.marketId);
    const eq = (stored: { toString(): string } | null, given: Decimal | undefined) => (stored === null ? given === undefined : given !== undefined && dec(stored).eq(given));
    const same =
      existing.side === input.side &&
      existing.action === input.action &&
      existing.type === input.type &&
      (!market || market.id === existing.marketId) &&
      // Same size: the same USD amount, or (not by amount) the same shares; a buy by amount's quantity is the venue's.
      eq(existing.amount, input.amount) &&
      (input.amount !== undefined || eq(existing.quantity, input.quantity)) &&
      (input.type !== 'limit' || eq(existing.price, input.price)) &&
      (!input.exchange || input.exchange === existing.exchange);
    if (!same) {
      throw new TradingError('idempotency_conflict', 'This idempotency key was already used for a different order.');
    }
    return orderView(existing, this.titleOf(existing.marketId));
  }

  private async ownOrder(args: { userId: string; orderId: string }, withFills = false) {
    if (!UUID_RE.test(args.orderId)) throw new TradingError('order_not_found', `"${args.orderId}" is not an order id.`);
    const order = await this.deps.prisma.order.findFirst({
      where: { id: args.orderId, userId: args.userId },
      include: withFills ? { fills: { orderBy: { filledAt: 'asc' } } } : undefined,
    });
    if (!order) throw new TradingError('order_not_found', `No order ${shortId(args.orderId)} of yours.`);
    return order;
  }

  private listingOf(listingId: string): ListingRef {
    const hit = this.deps.directory.listing(listingId);
    if (!hit) throw new TradingError('venue_not_listed', 'That listing is no longer available.');
    return hit.listing;
  }

  private titleOf(marketId: string): string {
    return this.deps.directory.get(marketId)?.title ?? marketId;
  }
}

function shortId(id: string): string {
  return id.slice(0, 8);
}

function routingJson(route: RouteDecision): Prisma.InputJsonValue {
  const q = (v: Decimal | null) => (v ? v.toFixed() : null);
  return {
    venue: route.venue,
    reason: route.reason,
    forced: route.forced,
    quotes: route.quotes.map((x) => ({
      venue: x.venue,
      fillable: x.fillable,
      quantity: x.quantity.toFixed(),
      avgPrice: q(x.avgPrice),
      worstPrice: q(x.worstPrice),
      notional: x.notional.toFixed(),
      fee: x.fee.toFixed(),
      total: x.total.toFixed(),
    })),
  };
}
