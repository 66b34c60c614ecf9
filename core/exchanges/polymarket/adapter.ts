/**
 * PolymarketAdapter: the shared ExchangeAdapter over the Polymarket CLOB V2, per user (each call
 * resolves that user's sub-wallet key and CLOB API credentials through a CredentialSource and keeps
 * them only for the call).
 *
 *   const polymarket = new PolymarketAdapter({
 *     clobUrl: config.POLYMARKET_CLOB_URL, chainId: config.POLYMARKET_CHAIN_ID, credentials, timeoutMs: 10_000,
 *   });
 *
 * What comes from the official `@polymarket/clob-client-v2`: the L2 header construction
 * (`createL2Headers`), the V2 wire body (`orderToJsonV2`) and, in wallet.ts, L1 api-key creation /
 * derivation (`createOrDeriveApiKey`). What we do ourselves, and why:
 * - order building and signing (order-builder.ts): the client sizes orders with JS floats and offers no
 *   way to learn the order hash before posting; we need the hash first (`onPrepared`), Decimal sizing,
 *   and the venue's rules enforced with readable messages;
 * - transport (http.ts): the client uses a shared global axios without timeouts, flattens network
 *   errors into `{ error }`, and after a matched order polls /data/trades for up to 30 s; we need
 *   timeouts and the before-send / after-send distinction for the error taxonomy.
 *
 * Placement never submits twice: after signing, `onPrepared({ venueOrderId: hash })` stores the hash;
 * a timeout / dropped connection / 5xx after sending is `unknown_outcome`, and `getOrderByClientId`
 * (this process) or `getOrder(hash)` (after a restart) finds the order by that hash.
 *
 * onOrderEvent: with `wsUrl` set, the user's WebSocket channel (user-stream.ts) is opened when one of
 * their orders rests (or by `watchUser`); each pushed order / trade event for an order placed by this
 * process makes the adapter re-read that order from the venue and emit it. Orders this process does
 * not know the client id of (e.g. after a restart) are not emitted: polling order sync covers them.
 * Without `wsUrl`, no events are pushed and order sync polls getOrder / getFills.
 */
import { getAddress, type WalletClient } from 'viem';
import { sign } from 'viem/accounts';
import { polymarketTakerFee } from '../fees.ts';
import { Decimal, ZERO } from '../../money.ts';
import type { ClobApiCreds, CredentialSource, PolymarketCredentials } from '../credentials.ts';
import {
  VenueError,
  type AccountRef, type Balance, type ExchangeAdapter, type ListingRef, type OrderBook, type Outcome, type PlaceOrderRequest,
  type VenueCapabilities, type VenueFill, type VenueOrder, type VenueOrderListener, type VenuePosition,
} from '../types.ts';
import { classifyVenueMessage, polymarketError } from './errors.ts';
import { tradeLegs, toFill, type TradeLeg } from './fills.ts';
import { ClobHttp } from './http.ts';
import { buildSignedOrder, type BuiltOrder, type DigestSigner } from './order-builder.ts';
import { MARKETS_END_CURSOR, MARKETS_FIRST_CURSOR, PolymarketPublicApi } from './public-api.ts';
import { MarketRulesCache } from './rules.ts';
import { PolymarketUserStream } from './user-stream.ts';
import { balanceSchema, cancelResponseSchema, mapOrderStatus, openOrderSchema, postOrderResponseSchema, tradesPageSchema, type Trade } from './wire.ts';

export interface PolymarketAdapterOptions {
  /** CLOB host (POLYMARKET_CLOB_URL). */
  clobUrl: string;
  /** 137 (Polygon) or 80002 (Amoy). */
  chainId: 137 | 80002;
  credentials: CredentialSource;
  /** Per-request timeout. */
  timeoutMs: number;
  clock?: () => Date;
  /** How long venue market rules (tick, min size, neg-risk, fees) are cached; default 30 s. */
  rulesTtlMs?: number;
  /** Injected fetch (tests, benchmarks); default global fetch. */
  fetch?: typeof fetch;
  /** POLYMARKET_WS_URL (e.g. wss://ws-subscriptions-clob.polymarket.com/ws): enables pushed order events. */
  wsUrl?: string;
  /** User channel tuning: keep-alive and reconnect backoff. */
  userStream?: { pingMs?: number; minBackoffMs?: number; maxBackoffMs?: number };
  /** Non-secret diagnostics (user channel errors, failed refreshes). */
  onWarning?: (message: string, context: Record<string, unknown>) => void;
}

interface Session {
  creds: PolymarketCredentials;
  apiCreds: ClobApiCreds;
  account: DigestSigner;
  /** For the official createL2Headers, which only reads `account.address` from it. */
  signer: WalletClient;
  maker: string;
}

const UNIT = new Decimal(1_000_000);
const OUTCOME_NAMES: Record<string, Outcome> = { yes: 'yes', no: 'no' };

export class PolymarketAdapter implements ExchangeAdapter {
  readonly venue = 'polymarket' as const;
  readonly capabilities: VenueCapabilities = {
    marketOrders: true,
    limitOrders: true,
    timeInForce: ['GTC', 'GTD', 'FOK', 'FAK'],
    marketBuyByAmount: true,
    quantityStep: new Decimal('0.01'),
  };
  readonly publicApi: PolymarketPublicApi;
  private readonly http: ClobHttp;
  private readonly rules: MarketRulesCache;
  private readonly clock: () => Date;
  /** clientOrderId → signed order hash, for lookups after an unknown outcome in this process. */
  private readonly hashes = new Map<string, string>();
  private readonly clientIds = new Map<string, string>();
  private readonly listeners = new Set<VenueOrderListener>();
  private readonly stream: PolymarketUserStream | null;
  private readonly refreshing = new Map<string, boolean>();
  /** Open orders found by a look-up (venue order ids, lowercase) whose pushed events are followed. */
  private readonly watched = new Set<string>();

  constructor(private readonly opts: PolymarketAdapterOptions) {
    const base = opts.clobUrl.replace(/\/+$/, '');
    this.clock = opts.clock ?? (() => new Date());
    this.publicApi = new PolymarketPublicApi({ baseUrl: base, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.http = new ClobHttp(base, opts.timeoutMs, opts.fetch);
    this.rules = new MarketRulesCache(this.publicApi, opts.rulesTtlMs ?? 30_000, () => this.clock().getTime());
    this.stream = opts.wsUrl
      ? new PolymarketUserStream({
          wsUrl: opts.wsUrl,
          credentials: opts.credentials,
          ...opts.userStream,
          onOrderTouched: (userId, ids) => {
            for (const id of ids) if (this.clientIds.has(id.toLowerCase()) || this.watched.has(id.toLowerCase())) this.refresh(userId, id);
          },
          onError: (userId, message) => opts.onWarning?.(`polymarket user channel: ${message}`, { userId }),
        })
      : null;
  }

  /** Opens the user's WebSocket channel (no-op without `wsUrl`); e.g. at start for users with open orders. */
  watchUser(args: { userId: string }): void {
    this.stream?.watch(args.userId);
  }

  /** Closes every user channel (shutdown). */
  close(): void {
    this.stream?.close();
  }

  /** Re-reads one order after a pushed event and emits it; coalesces bursts per order. */
  private refresh(userId: string, venueOrderId: string): void {
    const key = venueOrderId.toLowerCase();
    if (this.refreshing.has(key)) {
      this.refreshing.set(key, true);
      return;
    }
    this.refreshing.set(key, false);
    void (async () => {
      try {
        for (;;) {
          const watched = this.watched.has(key); // (getOrder forgets it once the order is no longer open)
          const order = await this.getOrder({ account: { userId }, venueOrderId });
          // Without a client order id (an order watched after a restart) the listener finds it by venue order id.
          const clientOrderId = this.clientIds.get(key) ?? (watched ? '' : undefined);
          if (order && clientOrderId !== undefined) {
            for (const l of this.listeners) l({ venue: 'polymarket', clientOrderId, order: { ...order, clientOrderId } });
          }
          if (!this.refreshing.get(key)) break;
          this.refreshing.set(key, false);
        }
      } catch (err) {
        this.opts.onWarning?.('polymarket: refreshing a pushed order failed; order sync will catch up', { userId, venueOrderId, err: err instanceof Error ? err.message : String(err) });
      } finally {
        this.refreshing.delete(key);
      }
    })();
  }

  async placeOrder(req: PlaceOrderRequest): Promise<VenueOrder> {
    const s = await this.session(req.account);
    const tokenId = this.tokenOf(req.listing, req.outcome);
    const rules = await this.rules.get({ conditionId: req.listing.venueMarketId, tokenId });
    if (!rules.acceptingOrders) throw polymarketError('MARKET_CLOSED');
    const built = await buildSignedOrder({ req, tokenId, rules, account: s.account, creds: s.creds, owner: s.apiCreds.key, chainId: this.opts.chainId, now: this.clock() });
    this.remember(req.clientOrderId, built.hash);
    // Store the hash before anything leaves the process; if the caller cannot, nothing is sent.
    if (req.onPrepared) await req.onPrepared({ venueOrderId: built.hash });
    // A resting order can fill at any moment: have the user channel open (idempotent) before it rests.
    if (built.orderType === 'GTC' || built.orderType === 'GTD') this.stream?.watch(req.account.userId);
    const raw = await this.http.request({ method: 'POST', path: '/order', body: built.body, signer: s.signer, creds: s.apiCreds, phase: 'write' });
    const parsed = postOrderResponseSchema.safeParse(raw);
    if (!parsed.success) throw polymarketError('BAD_RESPONSE', 'order answer');
    const res = parsed.data;
    if (res.success === false || (!res.orderID && res.errorMsg)) {
      throw polymarketError(classifyVenueMessage(res.errorMsg ?? ''), res.errorMsg ?? undefined);
    }
    // The venue's id is the order's EIP-712 hash. Should it ever differ from ours, the venue's id is the
    // one it answers to: use it (never orphan a live order) and say so.
    const venueOrderId = res.orderID || built.hash;
    if (venueOrderId.toLowerCase() !== built.hash.toLowerCase()) {
      this.opts.onWarning?.('polymarket: venue order id differs from the signed order hash', { hash: built.hash, orderID: venueOrderId });
      this.remember(req.clientOrderId, venueOrderId);
    }
    let fills: VenueFill[] = [];
    if ((res.tradeIDs ?? []).length > 0) {
      fills = await this.fillsFor(s, { venueOrderId, tokenId }).catch(() => []);
    }
    const placed = this.fromPlacement({ req, built: { ...built, hash: venueOrderId as BuiltOrder['hash'] }, res, fills });
    if (placed.status === 'open') this.stream?.watch(req.account.userId);
    return placed;
  }

  async cancelOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder> {
    const s = await this.session(args.account);
    const raw = await this.http.request({ method: 'DELETE', path: '/order', body: { orderID: args.venueOrderId }, signer: s.signer, creds: s.apiCreds, phase: 'write' });
    const res = cancelResponseSchema.safeParse(raw);
    const order = await this.orderOf(s, args.venueOrderId);
    if (!order) throw polymarketError('NOT_FOUND', res.success ? String(res.data.not_canceled?.[args.venueOrderId] ?? '') || undefined : undefined);
    return order;
  }

  async getOrder(args: { account: AccountRef; venueOrderId: string }): Promise<VenueOrder | null> {
    const order = await this.orderOf(await this.session(args.account), args.venueOrderId);
    // An open order found by order sync (e.g. placed before a restart): its pushed events are
    // followed from now on (by venue order id: this process may not know its client order id).
    if (order?.status === 'open' && this.stream) {
      this.watched.add(args.venueOrderId.toLowerCase());
      this.stream.watch(args.account.userId);
    } else this.watched.delete(args.venueOrderId.toLowerCase());
    return order;
  }

  async getOrderByClientId(args: { account: AccountRef; clientOrderId: string; listing: ListingRef }): Promise<VenueOrder | null> {
    const hash = this.hashes.get(args.clientOrderId);
    // Unknown here (e.g. after a restart): the caller holds the hash from onPrepared and uses getOrder.
    if (!hash) return null;
    return this.orderOf(await this.session(args.account), hash);
  }

  async getFills(args: { account: AccountRef; venueOrderId?: string; since?: Date }): Promise<VenueFill[]> {
    return this.fillsFor(await this.session(args.account), args);
  }

  async getOrderBook(args: { listing: ListingRef; outcome: Outcome }): Promise<OrderBook> {
    const tokenId = this.tokenOf(args.listing, args.outcome);
    // Warm the market's rules (fee parameters for takerFee, tick / neg-risk for placing) alongside.
    void this.rules.get({ conditionId: args.listing.venueMarketId, tokenId }).catch(() => null);
    // A closed market has no book (404 "No orderbook exists…"): say so in the table's words, not the wire's.
    const book = await this.publicApi.getBook({ tokenId }).catch((err: unknown) => {
      throw err instanceof VenueError && err.kind === 'rejected' && err.code === 'NOT_FOUND' ? polymarketError('NO_ORDERBOOK', undefined, err) : err;
    });
    return { venue: 'polymarket', venueMarketId: args.listing.venueMarketId, outcome: args.outcome, bids: book.bids, asks: book.asks, timestamp: book.timestamp };
  }

  async getBalance(args: { account: AccountRef }): Promise<Balance> {
    const s = await this.session(args.account);
    const available = await this.balanceOf(s, { asset_type: 'COLLATERAL' });
    return { venue: 'polymarket', available, currency: 'USD' };
  }

  /**
   * Positions: the CLOB has no positions endpoint, so the tokens come from the account's venue
   * trades and each quantity is the venue's own conditional-token balance (`/balance-allowance`).
   */
  async getPositions(args: { account: AccountRef }): Promise<VenuePosition[]> {
    const s = await this.session(args.account);
    const legs = await this.legs(s, {});
    const tokens = new Map<string, TradeLeg>();
    for (const l of legs) tokens.set(l.tokenId, l);
    const out: VenuePosition[] = [];
    await Promise.all(
      [...tokens.values()].map(async (l) => {
        const quantity = await this.balanceOf(s, { asset_type: 'CONDITIONAL', token_id: l.tokenId });
        const outcome = OUTCOME_NAMES[(l.outcome ?? '').toLowerCase()];
        if (quantity.gt(0) && outcome) out.push({ venueMarketId: l.conditionId, outcome, quantity });
      }),
    );
    return out.sort((a, b) => a.venueMarketId.localeCompare(b.venueMarketId) || a.outcome.localeCompare(b.outcome));
  }

  /** From the venue's fee parameters when known (read with the market's rules); fee-free until read. */
  takerFee(args: { listing: ListingRef; price: Decimal; quantity: Decimal }): Decimal {
    return polymarketTakerFee(args.price, args.quantity, this.rules.peek(args.listing.venueMarketId)?.fee ?? null);
  }

  onOrderEvent(listener: VenueOrderListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // -----------------------------------------------------------------------------------------------

  private async session(account: AccountRef): Promise<Session> {
    const creds = await this.opts.credentials.polymarket(account.userId);
    if (!creds) throw polymarketError('NOT_LINKED');
    if (!creds.apiCreds) throw polymarketError('NOT_LINKED', 'the wallet exists but its CLOB API credentials were never created');
    // The stored address is the key's (the vault derives it when the wallet is created or imported); a
    // mismatch would make the venue refuse the signature (INVALID_SIGNATURE / 401), never sign for someone else.
    const address = getAddress(creds.address);
    const privateKey = creds.privateKey;
    const digestSigner: DigestSigner = { address, sign: ({ hash }) => sign({ hash, privateKey, to: 'hex' }) };
    const signer = {
      account: { address },
      signTypedData: async () => Promise.reject(new Error('L2 headers never sign typed data')),
    } as unknown as WalletClient;
    const maker = creds.signatureType === 0 ? address : (creds.funderAddress ?? address);
    return { creds, apiCreds: creds.apiCreds, account: digestSigner, signer, maker };
  }

  private tokenOf(listing: ListingRef, outcome: Outcome): string {
    const token = outcome === 'yes' ? listing.yesTokenId : listing.noTokenId;
    if (!token) throw polymarketError('NO_TOKEN', `${outcome.toUpperCase()} of ${listing.venueMarketId}`);
    return token;
  }

  private remember(clientOrderId: string, hash: string): void {
    this.hashes.set(clientOrderId, hash);
    this.clientIds.set(hash.toLowerCase(), clientOrderId);
    if (this.hashes.size > 50_000) {
      const oldest = this.hashes.keys().next().value as string;
      this.clientIds.delete(this.hashes.get(oldest)!.toLowerCase());
      this.hashes.delete(oldest);
    }
  }

  private fromPlacement(args: { req: PlaceOrderRequest; built: BuiltOrder; res: ReturnType<typeof postOrderResponseSchema.parse>; fills: VenueFill[] }): VenueOrder {
    const { req, built, res, fills } = args;
    const making = new Decimal(res.makingAmount || '0');
    const taking = new Decimal(res.takingAmount || '0');
    const filled = built.side === 'BUY' ? taking : making;
    const spent = built.side === 'BUY' ? making : taking;
    const base = { venueOrderId: built.hash, clientOrderId: req.clientOrderId, filledQuantity: filled, fills };
    if (res.status?.toLowerCase() === 'delayed') return { ...base, status: 'open', quantity: built.shares, reason: 'Polymarket delayed matching the order' };
    if (built.orderType === 'GTC' || built.orderType === 'GTD') {
      return { ...base, quantity: built.shares, status: filled.gte(built.shares) ? 'filled' : 'open' };
    }
    const complete = built.byAmount ? spent.gte(built.usd.sub('0.01')) || built.orderType === 'FOK' : filled.gte(built.shares);
    if (complete) return { ...base, quantity: built.byAmount ? filled : built.shares, status: 'filled' };
    return {
      ...base,
      quantity: built.shares,
      status: 'cancelled',
      reason: built.byAmount
        ? `spent $${spent.toFixed()} of $${built.usd.toFixed()} at ${req.price.toFixed()} or better; the rest was cancelled (FAK)`
        : `${filled.toFixed()} of ${built.shares.toFixed()} filled at ${req.price.toFixed()} or better; the rest was cancelled (FAK)`,
    };
  }

  private async orderOf(s: Session, venueOrderId: string): Promise<VenueOrder | null> {
    let raw: unknown;
    try {
      raw = await this.http.request({ method: 'GET', path: `/data/order/${venueOrderId}`, signer: s.signer, creds: s.apiCreds, phase: 'read' });
    } catch (err) {
      if (err instanceof VenueError && (err.code === 'NOT_FOUND' || err.code === 'NO_ORDERBOOK')) return null;
      throw err;
    }
    if (raw === null || (typeof raw === 'object' && raw !== null && Object.keys(raw).length === 0)) return null;
    const parsed = openOrderSchema.safeParse(raw);
    if (!parsed.success) throw polymarketError('BAD_RESPONSE', 'order lookup');
    const o = parsed.data;
    const status = mapOrderStatus(o.status);
    if (!status) throw polymarketError('BAD_RESPONSE', `order status ${o.status}`);
    const sizeMatched = new Decimal(o.size_matched);
    const fills = sizeMatched.gt(0) ? await this.fillsFor(s, { venueOrderId: o.id, tokenId: o.asset_id ?? undefined }) : [];
    const fromFills = fills.reduce((sum, f) => sum.add(f.quantity), ZERO);
    const quantity = new Decimal(o.original_size);
    // The venue's matched size, less any trade whose settlement FAILED (those fills are dropped).
    const filledQuantity = fills.length > 0 ? Decimal.min(sizeMatched, fromFills) : sizeMatched;
    // A FAK the venue reports MATCHED after a partial fill: the rest was killed, as at placement.
    const killedRest = status === 'filled' && o.order_type?.toUpperCase() === 'FAK' && filledQuantity.lt(quantity);
    return {
      venueOrderId: o.id,
      clientOrderId: this.clientIds.get(o.id.toLowerCase()) ?? '',
      status: killedRest ? 'cancelled' : status,
      quantity,
      filledQuantity,
      fills,
      ...(status === 'cancelled' ? { reason: 'cancelled on Polymarket' } : {}),
      ...(killedRest ? { reason: `${filledQuantity.toFixed()} of ${quantity.toFixed()} filled; the rest was cancelled (FAK)` } : {}),
    };
  }

  private async fillsFor(s: Session, args: { venueOrderId?: string; since?: Date; tokenId?: string }): Promise<VenueFill[]> {
    const legs = await this.legs(s, { since: args.since, tokenId: args.tokenId });
    const id = args.venueOrderId?.toLowerCase();
    return legs.filter((l) => !id || l.venueOrderId.toLowerCase() === id).map(toFill);
  }

  /** Our trade legs, every page of /data/trades (optionally one token, after a time). */
  private async legs(s: Session, args: { since?: Date; tokenId?: string }): Promise<TradeLeg[]> {
    const trades: Trade[] = [];
    let cursor = MARKETS_FIRST_CURSOR;
    for (let page = 0; page < 500; page++) {
      const raw = await this.http.request({
        method: 'GET', path: '/data/trades', signer: s.signer, creds: s.apiCreds, phase: 'read',
        query: { next_cursor: cursor, asset_id: args.tokenId, after: args.since ? String(Math.floor(args.since.getTime() / 1000) - 1) : undefined },
      });
      const parsed = tradesPageSchema.safeParse(raw);
      if (!parsed.success) throw polymarketError('BAD_RESPONSE', 'trades page');
      trades.push(...(parsed.data.data ?? []));
      const next = parsed.data.next_cursor;
      if (!next || next === MARKETS_END_CURSOR || next === cursor) break;
      cursor = next;
    }
    const feeMarkets = new Map<string, string>();
    for (const t of trades) if (!new Decimal(t.fee_rate_bps ?? '0').isZero()) feeMarkets.set(t.market, t.asset_id);
    for (const [conditionId, tokenId] of feeMarkets) await this.rules.get({ conditionId, tokenId }).catch(() => null);
    return tradeLegs(trades, { apiKey: s.apiCreds.key, makerAddress: s.maker, feeExponent: (c) => this.rules.peek(c)?.fee?.exponent ?? null });
  }

  private async balanceOf(s: Session, query: { asset_type: 'COLLATERAL' | 'CONDITIONAL'; token_id?: string }): Promise<Decimal> {
    const raw = await this.http.request({
      method: 'GET', path: '/balance-allowance', signer: s.signer, creds: s.apiCreds, phase: 'read',
      query: { ...query, signature_type: String(s.creds.signatureType) },
    });
    const parsed = balanceSchema.safeParse(raw);
    if (!parsed.success || !/^\d+$/.test(parsed.data.balance)) throw polymarketError('BAD_RESPONSE', 'balance');
    return new Decimal(parsed.data.balance).div(UNIT);
  }
}
