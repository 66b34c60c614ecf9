/**
 * The fake CLOB's state and matching engine: markets, per-token books (seeded liquidity plus resting
 * user orders), orders keyed by their EIP-712 hash, trades with their settlement status, and
 * USDC / token balances per maker address. All amounts are Decimal; the wire uses 6-decimal integers.
 *
 * Matching (one token's book; no cross-outcome matching):
 * - BUY FOK/FAK (a market buy): spends up to makerAmount USDC on asks priced ≤ the order's price
 *   (makerAmount / takerAmount), best first; FOK fills all or nothing, FAK takes what is there.
 * - BUY GTC/GTD: takes up to takerAmount shares on asks ≤ price, the rest rests at price.
 * - SELL: sells up to makerAmount shares on bids ≥ price (takerAmount / makerAmount); FOK/FAK as above.
 * Trades start MATCHED; tests drive MINED / CONFIRMED / RETRYING / FAILED with setTradeStatus().
 */
import { Decimal } from '../../../core/money.ts';

export interface FakeMarket {
  conditionId: string;
  question: string;
  tokens: [{ tokenId: string; outcome: string }, { tokenId: string; outcome: string }];
  tickSize: Decimal;
  minOrderSize: Decimal;
  negRisk: boolean;
  /** Taker fee parameters; null = fee-free. */
  fee: { rate: Decimal; exponent: Decimal } | null;
  acceptingOrders: boolean;
  closed: boolean;
  active: boolean;
  endDate: string | null;
}

export interface RestingOrder {
  id: string;
  /** null = seeded liquidity (infinite balance, no account). */
  maker: string | null;
  owner: string | null;
  tokenId: string;
  side: 'BUY' | 'SELL';
  price: Decimal;
  originalSize: Decimal;
  sizeMatched: Decimal;
  status: 'LIVE' | 'MATCHED' | 'CANCELED';
  orderType: string;
  createdAt: number;
  expiration: string;
  associateTrades: string[];
  outcome: string;
  market: string;
  /** USDC still reserved by a resting BUY. */
  reservedUsd: Decimal;
}

export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';

export interface FakeTrade {
  id: string;
  takerOrderId: string;
  market: string;
  assetId: string;
  side: 'BUY' | 'SELL';
  size: Decimal;
  price: Decimal;
  feeRateBps: Decimal;
  status: TradeStatus;
  matchTime: number;
  lastUpdate: number;
  outcome: string;
  owner: string | null;
  makerAddress: string | null;
  makerOrders: { orderId: string; owner: string | null; makerAddress: string | null; matchedAmount: Decimal; price: Decimal; outcome: string }[];
  transactionHash: string | null;
}

export interface Account {
  usdc: Decimal;
  tokens: Map<string, Decimal>;
}

let seq = 0;
const nextId = (prefix: string): string => `${prefix}${Date.now().toString(16)}${(++seq).toString(16).padStart(6, '0')}`;

/** What the engine tells the user WebSocket channel: an order changed, or a trade appeared / moved. */
export type EngineEvent =
  | { kind: 'order'; type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION'; order: RestingOrder }
  | { kind: 'trade'; trade: FakeTrade };

export class ClobEngine {
  /** Subscribers to order and trade changes (the fake's user channel). */
  readonly listeners = new Set<(e: EngineEvent) => void>();
  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }
  readonly markets = new Map<string, FakeMarket>();
  readonly tokenToMarket = new Map<string, FakeMarket>();
  readonly orders = new Map<string, RestingOrder>();
  readonly trades: FakeTrade[] = [];
  readonly accounts = new Map<string, Account>();

  addMarket(m: Partial<FakeMarket> & { conditionId: string; tokens: FakeMarket['tokens'] }): FakeMarket {
    const market: FakeMarket = {
      question: m.question ?? `Market ${m.conditionId.slice(0, 10)}?`,
      tickSize: m.tickSize ?? new Decimal('0.01'),
      minOrderSize: m.minOrderSize ?? new Decimal(5),
      negRisk: m.negRisk ?? false,
      fee: m.fee ?? null,
      acceptingOrders: m.acceptingOrders ?? true,
      closed: m.closed ?? false,
      active: m.active ?? true,
      endDate: m.endDate ?? null,
      ...m,
    } as FakeMarket;
    this.markets.set(market.conditionId, market);
    for (const t of market.tokens) this.tokenToMarket.set(t.tokenId, market);
    return market;
  }

  account(address: string): Account {
    const key = address.toLowerCase();
    let acc = this.accounts.get(key);
    if (!acc) {
      acc = { usdc: new Decimal(0), tokens: new Map() };
      this.accounts.set(key, acc);
    }
    return acc;
  }

  /** Replaces the seeded liquidity of a token's book (user orders stay). */
  seedBook(args: { tokenId: string; bids?: { price: Decimal.Value; size: Decimal.Value }[]; asks?: { price: Decimal.Value; size: Decimal.Value }[] }): void {
    for (const [id, o] of this.orders) if (o.tokenId === args.tokenId && o.maker === null) this.orders.delete(id);
    const market = this.tokenToMarket.get(args.tokenId);
    const outcome = market?.tokens.find((t) => t.tokenId === args.tokenId)?.outcome ?? 'Yes';
    for (const [side, levels] of [['BUY', args.bids ?? []], ['SELL', args.asks ?? []]] as const) {
      for (const l of levels) {
        const id = nextId('0xseed');
        this.orders.set(id, {
          id, maker: null, owner: null, tokenId: args.tokenId, side, price: new Decimal(l.price), originalSize: new Decimal(l.size),
          sizeMatched: new Decimal(0), status: 'LIVE', orderType: 'GTC', createdAt: Math.floor(Date.now() / 1000), expiration: '0',
          associateTrades: [], outcome, market: market?.conditionId ?? '', reservedUsd: new Decimal(0),
        });
      }
    }
  }

  /** Cancels every resting order (seeded and users') of every book. */
  clearBooks(): void {
    for (const o of this.orders.values()) if (o.status === 'LIVE') this.cancel(o.id);
  }

  /** Aggregated levels, best first. */
  levels(tokenId: string, side: 'BUY' | 'SELL'): { price: Decimal; size: Decimal }[] {
    const agg = new Map<string, Decimal>();
    for (const o of this.restingOn(tokenId, side)) {
      const k = o.price.toFixed();
      agg.set(k, (agg.get(k) ?? new Decimal(0)).add(o.originalSize.sub(o.sizeMatched)));
    }
    const out = [...agg].map(([p, s]) => ({ price: new Decimal(p), size: s }));
    out.sort((a, b) => (side === 'BUY' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
    return out;
  }

  /** Resting orders on one side, in price-time priority. */
  restingOn(tokenId: string, side: 'BUY' | 'SELL'): RestingOrder[] {
    const now = Math.floor(Date.now() / 1000);
    const out = [...this.orders.values()].filter(
      (o) => o.tokenId === tokenId && o.side === side && o.status === 'LIVE' && (o.expiration === '0' || Number(o.expiration) > now),
    );
    out.sort((a, b) => (side === 'BUY' ? b.price.cmp(a.price) : a.price.cmp(b.price)) || a.createdAt - b.createdAt);
    return out;
  }

  /** Available USDC: balance minus what resting BUYs reserve. */
  availableUsd(address: string): Decimal {
    let reserved = new Decimal(0);
    for (const o of this.orders.values()) if (o.maker === address.toLowerCase() && o.status === 'LIVE') reserved = reserved.add(o.reservedUsd);
    return this.account(address).usdc.sub(reserved);
  }

  availableTokens(address: string, tokenId: string): Decimal {
    let reserved = new Decimal(0);
    for (const o of this.orders.values()) {
      if (o.maker === address.toLowerCase() && o.status === 'LIVE' && o.side === 'SELL' && o.tokenId === tokenId) reserved = reserved.add(o.originalSize.sub(o.sizeMatched));
    }
    return (this.account(address).tokens.get(tokenId) ?? new Decimal(0)).sub(reserved);
  }

  /**
   * Matches an incoming order and (GTC/GTD) rests the remainder. Returns the trades it made, or
   * 'FOK_NOT_FILLED' without touching anything.
   */
  execute(args: {
    id: string; maker: string; owner: string; tokenId: string; side: 'BUY' | 'SELL'; price: Decimal;
    /** BUY: USDC offered (makerAmount); SELL: shares offered. */
    makerAmount: Decimal;
    /** BUY: shares wanted; SELL: USDC wanted. */
    takerAmount: Decimal;
    orderType: 'GTC' | 'GTD' | 'FOK' | 'FAK'; expiration: string; postOnly: boolean;
  }): { trades: FakeTrade[]; order: RestingOrder } | 'FOK_NOT_FILLED' | 'POST_ONLY_CROSSES' {
    const market = this.tokenToMarket.get(args.tokenId)!;
    const outcome = market.tokens.find((t) => t.tokenId === args.tokenId)?.outcome ?? 'Yes';
    const contra = this.restingOn(args.tokenId, args.side === 'BUY' ? 'SELL' : 'BUY').filter((o) =>
      args.side === 'BUY' ? o.price.lte(args.price) : o.price.gte(args.price),
    );
    if (args.postOnly && contra.length > 0) return 'POST_ONLY_CROSSES';
    const byAmount = args.side === 'BUY' && (args.orderType === 'FOK' || args.orderType === 'FAK');
    const wantShares = args.side === 'BUY' ? args.takerAmount : args.makerAmount;
    // Plan the fills first (FOK must not touch anything when it cannot fill).
    const plan: { o: RestingOrder; size: Decimal }[] = [];
    let usdLeft = args.makerAmount;
    let sharesLeft = wantShares;
    for (const o of contra) {
      const avail = o.originalSize.sub(o.sizeMatched);
      let size = byAmount ? Decimal.min(avail, usdLeft.div(o.price).toDecimalPlaces(6, Decimal.ROUND_DOWN)) : Decimal.min(avail, sharesLeft);
      size = size.toDecimalPlaces(6, Decimal.ROUND_DOWN);
      if (size.lte(0)) break;
      plan.push({ o, size });
      usdLeft = usdLeft.sub(size.mul(o.price).toDecimalPlaces(6, Decimal.ROUND_UP));
      sharesLeft = sharesLeft.sub(size);
      if (byAmount ? usdLeft.lt(o.price.mul('0.000001')) : sharesLeft.lte(0)) break;
    }
    const complete = byAmount ? usdLeft.lte('0.0001') : sharesLeft.lte(0);
    if (args.orderType === 'FOK' && !complete) return 'FOK_NOT_FILLED';

    const now = Date.now();
    const filled = plan.reduce((s, p) => s.add(p.size), new Decimal(0));
    const order: RestingOrder = {
      id: args.id, maker: args.maker.toLowerCase(), owner: args.owner, tokenId: args.tokenId, side: args.side, price: args.price,
      originalSize: byAmount ? filled : wantShares, sizeMatched: filled, status: 'LIVE', orderType: args.orderType,
      createdAt: Math.floor(now / 1000), expiration: args.expiration, associateTrades: [], outcome, market: market.conditionId,
      reservedUsd: new Decimal(0),
    };
    const trades: FakeTrade[] = [];
    const feeBps = market.fee ? market.fee.rate.mul(10000) : new Decimal(0);
    const taker = this.account(args.maker);
    for (const { o, size } of plan) {
      const cost = size.mul(o.price).toDecimalPlaces(6, Decimal.ROUND_UP);
      o.sizeMatched = o.sizeMatched.add(size);
      if (o.sizeMatched.gte(o.originalSize)) o.status = 'MATCHED';
      if (o.side === 'BUY' && o.maker) o.reservedUsd = Decimal.max(0, o.reservedUsd.sub(cost));
      const tokens = (acc: Account, delta: Decimal) => acc.tokens.set(args.tokenId, (acc.tokens.get(args.tokenId) ?? new Decimal(0)).add(delta));
      if (args.side === 'BUY') {
        taker.usdc = taker.usdc.sub(cost);
        tokens(taker, size);
        if (o.maker) { const m = this.account(o.maker); m.usdc = m.usdc.add(cost); tokens(m, size.neg()); }
      } else {
        taker.usdc = taker.usdc.add(cost);
        tokens(taker, size.neg());
        if (o.maker) { const m = this.account(o.maker); m.usdc = m.usdc.sub(cost); tokens(m, size); }
      }
      const trade: FakeTrade = {
        id: nextId('trade-'), takerOrderId: args.id, market: market.conditionId, assetId: args.tokenId, side: args.side, size,
        price: o.price, feeRateBps: feeBps, status: 'MATCHED', matchTime: Math.floor(now / 1000), lastUpdate: Math.floor(now / 1000),
        outcome, owner: args.owner, makerAddress: args.maker.toLowerCase(),
        makerOrders: [{ orderId: o.id, owner: o.owner, makerAddress: o.maker, matchedAmount: size, price: o.price, outcome }],
        transactionHash: null,
      };
      o.associateTrades.push(trade.id);
      order.associateTrades.push(trade.id);
      trades.push(trade);
      this.trades.push(trade);
    }
    const rests = args.orderType === 'GTC' || args.orderType === 'GTD';
    if (order.sizeMatched.gte(order.originalSize) && order.originalSize.gt(0)) order.status = 'MATCHED';
    else if (!rests) order.status = order.sizeMatched.gt(0) ? 'MATCHED' : 'CANCELED';
    else if (args.side === 'BUY') order.reservedUsd = order.originalSize.sub(order.sizeMatched).mul(args.price).toDecimalPlaces(6, Decimal.ROUND_UP);
    this.orders.set(order.id, order);
    if (trades.length > 0 || rests) this.emit({ kind: 'order', type: 'PLACEMENT', order });
    for (const { o } of plan) if (o.maker) this.emit({ kind: 'order', type: 'UPDATE', order: o });
    for (const t of trades) this.emit({ kind: 'trade', trade: t });
    return { trades, order };
  }

  cancel(id: string): 'ok' | 'not_found' | 'already' {
    const o = this.orders.get(id);
    if (!o) return 'not_found';
    if (o.status !== 'LIVE') return 'already';
    o.status = 'CANCELED';
    o.reservedUsd = new Decimal(0);
    if (o.maker) this.emit({ kind: 'order', type: 'CANCELLATION', order: o });
    return 'ok';
  }

  /** Drives a trade's settlement status; FAILED unwinds its balances. */
  setTradeStatus(tradeId: string, status: TradeStatus): void {
    const t = this.trades.find((x) => x.id === tradeId);
    if (!t) throw new Error(`no trade ${tradeId}`);
    t.status = status;
    t.lastUpdate = Math.floor(Date.now() / 1000);
    if (status === 'MINED' || status === 'CONFIRMED') t.transactionHash ??= `0x${tradeId.replace(/[^0-9a-f]/gi, '').padEnd(64, '0').slice(0, 64)}`;
    this.emit({ kind: 'trade', trade: t });
  }
}
