/**
 * The Kalshi venue adapter (Trade API v2, custodial: no per-trade wallet signature; every request
 * is signed with the user's RSA API key, resolved per call from the CredentialSource and not kept).
 *
 *   const kalshi = new KalshiAdapter({ apiUrl: config.KALSHI_API_URL, timeoutMs: 5_000, credentials });
 *   await kalshi.placeOrder(req);                          // → VenueOrder, or throws VenueError
 *   await verifyKalshiCredentials({ apiUrl, keyId, privateKeyPem, timeoutMs }); // balance, before storing a key
 *
 * Orders go to `POST /portfolio/events/orders` on the YES book (see orders.ts for the side mapping).
 * Checked before sending: linked account, market open, price on the market's grid, contract count
 * on the market's step. A market buy for $X is sized from the live book so it costs ≤ $X there, and
 * carries `buy_max_cost` = $X so the venue caps it if the book moves (fees are charged on top).
 * Nothing is ever re-sent here: after an unknown outcome the caller looks the order up by client id.
 */
import { Decimal } from '../../money.ts';
import type { CredentialSource } from '../credentials.ts';
import { kalshiFee, KALSHI_TAKER_COEFFICIENT } from '../fees.ts';
import {
  VenueError,
  type AccountRef,
  type Balance,
  type ExchangeAdapter,
  type ListingRef,
  type OrderBook,
  type Outcome,
  type PlaceOrderRequest,
  type VenueCapabilities,
  type VenueFill,
  type VenueOrder,
  type VenueOrderListener,
  type VenuePosition,
} from '../types.ts';
import { KalshiClient, type KalshiCreateOrderBody } from './client.ts';
import { kalshiError } from './errors.ts';
import { buildKalshiOrder } from './build-order.ts';
import { hasFills, parseVenueClientId, settled, toVenueFill, toVenueOrder } from './orders.ts';
import { KalshiPublicApi, type KalshiMarket } from './public-api.ts';
import { kalshiAuthHeaders, loadKalshiPrivateKey } from './signing.ts';
import { KalshiFillStream, kalshiWsUrl } from './ws.ts';

export interface KalshiAdapterOptions {
  /** Trade API base including /trade-api/v2 (KALSHI_API_URL). */
  apiUrl: string;
  timeoutMs: number;
  credentials: CredentialSource;
  clock?: () => Date;
  fetch?: typeof fetch;
  /** Taker fee coefficient for takerFee() quotes (default 0.07). */
  takerCoefficient?: Decimal.Value;
  /** How long market rules (status, grid, step) are reused before re-reading, ms. Default 5 s. */
  marketTtlMs?: number;
  /** Pages of recent orders scanned to find an order by client id. Default 5 (× 200). */
  lookupPages?: number;
  /** WebSocket URL (KALSHI_WS_URL); default derived from apiUrl (…/trade-api/ws/v2). */
  wsUrl?: string;
  /** Stream state changes and failures of pushed-event handling (for logs; never carries secrets). */
  onStreamEvent?: (event: { userId: string; state: 'connected' | 'disconnected' | 'stopped' | 'error'; detail?: string }) => void;
  /** Reconnect backoff of the fill streams, ms (default 500 → 30 000). */
  streamBackoffMs?: { initial: number; max: number };
  /** Opens the user's fill stream (watchAccount) as soon as one of their orders rests. Default false. */
  watchRestingOrders?: boolean;
}

export { verifyKalshiCredentials } from './client.ts';

export class KalshiAdapter implements ExchangeAdapter {
  readonly venue = 'kalshi' as const;
  readonly capabilities: VenueCapabilities = {
    marketOrders: true,
    limitOrders: true,
    timeInForce: ['GTC', 'GTD', 'FOK', 'FAK'],
    marketBuyByAmount: true,
    quantityStep: new Decimal(1),
  };
  readonly publicApi: KalshiPublicApi;
  private readonly markets = new Map<string, { market: KalshiMarket; at: number }>();
  private readonly clock: () => Date;
  private readonly takerCoefficient: Decimal;
  private readonly listeners = new Set<VenueOrderListener>();
  private readonly streams = new Map<string, KalshiFillStream>();
  /** Order id → outcome (immutable facts, no secrets), so fill listings need not re-read every order. */
  private readonly outcomes = new Map<string, Outcome>();

  constructor(private readonly opts: KalshiAdapterOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.publicApi = new KalshiPublicApi({ baseUrl: opts.apiUrl, timeoutMs: opts.timeoutMs, fetch: opts.fetch, clock: this.clock });
    this.takerCoefficient = new Decimal(opts.takerCoefficient ?? KALSHI_TAKER_COEFFICIENT);
  }

  /** A signed client for this user's key, built for this call only. */
  private async client(account: AccountRef): Promise<KalshiClient> {
    const creds = await this.opts.credentials.kalshi(account.userId);
    if (!creds) throw kalshiError({ key: 'not_linked', mutating: false });
    return new KalshiClient({
      baseUrl: this.opts.apiUrl,
      timeoutMs: this.opts.timeoutMs,
      keyId: creds.keyId,
      privateKeyPem: creds.privateKeyPem,
      fetch: this.opts.fetch,
      nowMs: () => this.clock().getTime(),
    });
  }

  private async market(ticker: string): Promise<KalshiMarket> {
    const hit = this.markets.get(ticker);
    const now = this.clock().getTime();
    if (hit && now - hit.at < (this.opts.marketTtlMs ?? 5_000)) return hit.market;
    const market = await this.publicApi.getMarket({ ticker });
    this.markets.set(ticker, { market, at: now });
    return market;
  }

  /** Builds the create-order body, checking the venue's rules first (build-order.ts). */
  async buildOrder(req: PlaceOrderRequest): Promise<KalshiCreateOrderBody> {
    const market = await this.market(req.listing.venueMarketId);
    return buildKalshiOrder({
      req,
      market,
      nowMs: this.clock().getTime(),
      asks: async () => (await this.publicApi.getOrderBooks({ ticker: market.ticker }))[req.outcome].asks,
    });
  }

  async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    const client = await this.client(req.account);
    const body = await this.buildOrder(req);
    // An order that may rest can fill at any moment, also after an unknown outcome resolved later by
    // order sync: have the user's fill channel open (idempotent) before it is sent.
    if (body.time_in_force === 'good_till_canceled' && this.opts.watchRestingOrders) this.watchAccount({ account: req.account });
    const res = await client.createOrder(body); // sent once; an unknown outcome propagates to the caller
    this.remember(res.order_id, req.outcome);
    const requested = new Decimal(body.count);
    const filled = new Decimal(res.fill_count);
    const remaining = new Decimal(res.remaining_count);
    let fills: VenueFill[] = [];
    if (filled.gt(0)) {
      // The order is placed whatever happens now: a failed fill read must not look like a failed order.
      fills = await this.fillsOf(client, res.order_id, req.outcome).catch(() => []);
    }
    const venueStatus = filled.gte(requested) ? 'filled' : remaining.gt(0) ? 'open' : 'cancelled';
    if (venueStatus === 'open' && this.opts.watchRestingOrders) this.watchAccount({ account: req.account });
    return settled({
      venueOrderId: res.order_id,
      clientOrderId: req.clientOrderId,
      status: venueStatus,
      quantity: requested,
      filledQuantity: filled,
      fills,
      reason:
        venueStatus === 'cancelled'
          ? filled.gt(0)
            ? `Kalshi filled ${filled.toFixed()} of ${requested.toFixed()} contracts; the rest was cancelled`
            : 'Kalshi had nothing to match at this price; nothing was filled'
          : undefined,
    });
  }

  private remember(orderId: string, outcome: Outcome): void {
    if (this.outcomes.size >= 50_000) this.outcomes.delete(this.outcomes.keys().next().value!);
    this.outcomes.set(orderId, outcome);
  }

  private async fillsOf(client: KalshiClient, orderId: string, outcome: Outcome): Promise<VenueFill[]> {
    const out = new Map<string, VenueFill>();
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await client.listFills({ orderId, cursor });
      for (const f of res.fills) if (f.order_id === orderId) {
        const fill = toVenueFill(f, outcome);
        out.set(fill.venueTradeId, fill);
      }
      if (!res.cursor || res.cursor === cursor) break;
      cursor = res.cursor;
    }
    return [...out.values()];
  }

  private async orderWithFills(client: KalshiClient, wire: Awaited<ReturnType<KalshiClient['getOrder']>>): Promise<VenueOrder> {
    const { outcome } = parseVenueClientId(wire.client_order_id);
    this.remember(wire.order_id, outcome);
    const fills = hasFills(wire) ? await this.fillsOf(client, wire.order_id, outcome) : [];
    return settled(toVenueOrder(wire, fills));
  }

  async cancelOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder> {
    const client = await this.client(args.account);
    try {
      return await this.orderWithFills(client, await client.cancelOrder(args.venueOrderId));
    } catch (err) {
      // Already executed or cancelled: the venue refuses the cancel; answer with the order's final state.
      if (err instanceof VenueError && err.kind === 'rejected' && !['AUTH', 'NOT_LINKED', 'BAD_CREDENTIALS'].includes(err.code)) {
        const current = await this.getOrder(args);
        if (current && current.status !== 'open') return current;
      }
      throw err;
    }
  }

  async getOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder | null> {
    const client = await this.client(args.account);
    try {
      const order = await this.orderWithFills(client, await client.getOrder(args.venueOrderId));
      // An open order found by order sync (e.g. after a restart): its fills are pushed from now on.
      if (order.status === 'open' && this.opts.watchRestingOrders) this.watchAccount({ account: args.account });
      return order;
    } catch (err) {
      if (err instanceof VenueError && err.kind === 'rejected' && (err.code === 'ORDER_NOT_FOUND' || err.code === 'NOT_FOUND')) return null;
      throw err;
    }
  }

  /** Kalshi cannot filter by client_order_id: scan the ticker's recent orders, newest first. */
  async getOrderByClientId(args: { account: AccountRef; clientOrderId: string; listing: ListingRef }): Promise<VenueOrder | null> {
    const client = await this.client(args.account);
    let cursor: string | null = null;
    for (let page = 0; page < (this.opts.lookupPages ?? 5); page++) {
      const res = await client.listOrders({ ticker: args.listing.venueMarketId, cursor });
      const hit = res.orders.find((o) => parseVenueClientId(o.client_order_id).clientOrderId === args.clientOrderId);
      if (hit) return this.orderWithFills(client, hit);
      if (!res.cursor || res.cursor === cursor) return null;
      cursor = res.cursor;
    }
    return null;
  }

  async getFills(args: { account: AccountRef; venueOrderId?: string; since?: Date }): Promise<VenueFill[]> {
    const client = await this.client(args.account);
    const out = new Map<string, VenueFill>();
    let cursor: string | null = null;
    const minTs = args.since ? Math.floor(args.since.getTime() / 1000) : undefined;
    for (let page = 0; page < 50; page++) {
      const res = await client.listFills({ orderId: args.venueOrderId, minTs, cursor });
      for (const f of res.fills) {
        if (args.venueOrderId && f.order_id !== args.venueOrderId) continue;
        let outcome = this.outcomes.get(f.order_id);
        if (!outcome) {
          outcome = parseVenueClientId((await client.getOrder(f.order_id)).client_order_id).outcome;
          this.remember(f.order_id, outcome);
        }
        const fill = toVenueFill(f, outcome);
        if (!args.since || fill.filledAt >= args.since) out.set(fill.venueTradeId, fill);
      }
      if (!res.cursor || res.cursor === cursor) break;
      cursor = res.cursor;
    }
    return [...out.values()];
  }

  async getOrderBook(args: { listing: ListingRef; outcome: Outcome }): Promise<OrderBook> {
    return (await this.publicApi.getOrderBooks({ ticker: args.listing.venueMarketId }))[args.outcome];
  }

  async getBalance(args: { account: AccountRef }): Promise<Balance> {
    const client = await this.client(args.account);
    return { venue: 'kalshi', available: await client.getBalance(), currency: 'USD' };
  }

  async getPositions(args: { account: AccountRef }): Promise<VenuePosition[]> {
    const client = await this.client(args.account);
    return (await client.getPositions()).map((p) => ({
      venueMarketId: p.ticker,
      outcome: p.position.gt(0) ? 'yes' : 'no',
      quantity: p.position.abs(),
    }));
  }

  takerFee(args: { listing: ListingRef; price: Decimal; quantity: Decimal }): Decimal {
    return kalshiFee(args.price, args.quantity, this.takerCoefficient);
  }

  /**
   * Venue-pushed order events. Events flow only for accounts being watched (watchAccount): Kalshi's
   * `fill` channel is per API key. Polling (getOrder / getFills) stays the fallback.
   */
  onOrderEvent(listener: VenueOrderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens (once per user) the user's `fill` WebSocket channel with reconnect and backoff; each fill
   * frame is turned into the order's current state (getOrder) and emitted to onOrderEvent listeners.
   * The stream stops by itself when the user unlinks Kalshi. Returns a stop function.
   */
  watchAccount(args: { account: AccountRef }): () => void {
    const userId = args.account.userId;
    let stream = this.streams.get(userId);
    if (!stream) {
      const url = this.opts.wsUrl ?? kalshiWsUrl(this.opts.apiUrl);
      const created = new KalshiFillStream({
        url,
        headers: async () => {
          const creds = await this.opts.credentials.kalshi(userId);
          if (!creds) return null;
          const key = loadKalshiPrivateKey(creds.privateKeyPem);
          return kalshiAuthHeaders({ keyId: creds.keyId, key, method: 'GET', pathname: new URL(url).pathname, nowMs: this.clock().getTime() });
        },
        onFill: (frame) => void this.pushFill(args.account, frame.msg.order_id),
        onState: (state, detail) => {
          if (state === 'stopped' && this.streams.get(userId) === created) this.streams.delete(userId);
          this.opts.onStreamEvent?.({ userId, state, detail });
        },
        initialBackoffMs: this.opts.streamBackoffMs?.initial,
        maxBackoffMs: this.opts.streamBackoffMs?.max,
      });
      this.streams.set(userId, created);
      created.start();
      stream = created;
    }
    const s = stream;
    return () => s.stop();
  }

  /** The watched accounts' stream objects (health, tests). */
  streamOf(userId: string): KalshiFillStream | undefined {
    return this.streams.get(userId);
  }

  private async pushFill(account: AccountRef, venueOrderId: string): Promise<void> {
    try {
      const order = await this.getOrder({ account, venueOrderId });
      if (!order) return;
      for (const listener of [...this.listeners]) listener({ venue: 'kalshi', clientOrderId: order.clientOrderId, order });
    } catch (err) {
      const detail = err instanceof Error ? err.message : 'unknown error';
      this.opts.onStreamEvent?.({ userId: account.userId, state: 'error', detail: `reading order ${venueOrderId} after a fill: ${detail}` });
    }
  }

  /** Stops every fill stream. */
  close(): void {
    for (const s of [...this.streams.values()]) s.stop();
    this.streams.clear();
  }
}

