/**
 * The fake Kalshi exchange's state: markets, one YES book per ticker (bids and asks of resting
 * orders; the public orderbook shows YES bids and NO bids = YES asks at 1 − p), accounts keyed by
 * API key id, orders, matching (price-time), fills, net positions and fees.
 *
 * Positions are net YES contracts (negative = NO). Buying YES at p costs p; an ask at p that opens a
 * NO position costs 1 − p; closing returns the other leg. Taker fee per fill =
 * ceil-to-cent(coefficient × C × P × (1 − P)) (EXCHANGES.md), maker fee 0 unless configured.
 */
import { Decimal, ONE, ZERO } from '../../../core/money.ts';
import { kalshiFee } from '../../../core/exchanges/fees.ts';
import { isOnGrid, priceRangesFor } from '../../../core/exchanges/kalshi/ticks.ts';

export type BookSide = 'bid' | 'ask';
export type FakeTif = 'good_till_canceled' | 'fill_or_kill' | 'immediate_or_cancel';

/** A refusal, rendered by the server as `{ code, message, details }` with this HTTP status. */
export class FakeKalshiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details = '') {
    super(message);
  }
}

export interface FakeMarket {
  ticker: string;
  eventTicker: string;
  title: string;
  status: string;
  priceLevelStructure: string;
  fractional: boolean;
  closeTime: Date;
  /** Serve only legacy integer-cents fields (no *_dollars / *_fp). */
  legacyCents: boolean;
  lastPrice: Decimal | null;
}

export interface FakeAccount {
  keyId: string;
  balance: Decimal;
  positions: Map<string, Decimal>;
  revoked: boolean;
}

export interface FakeOrder {
  orderId: string;
  clientOrderId: string;
  keyId: string;
  ticker: string;
  bookSide: BookSide;
  /** YES-book price. */
  price: Decimal;
  initial: Decimal;
  filled: Decimal;
  status: 'resting' | 'canceled' | 'executed';
  tif: FakeTif;
  expirationTs: number | null;
  /** Legacy endpoint intent (side/action) when placed there. */
  legacy: { side: 'yes' | 'no'; action: 'buy' | 'sell' } | null;
  takerFees: Decimal;
  makerFees: Decimal;
  takerCost: Decimal;
  createdMs: number;
  seq: number;
}

export interface FakeFill {
  fillId: string;
  tradeId: string;
  orderId: string;
  keyId: string;
  ticker: string;
  bookSide: BookSide;
  price: Decimal;
  count: Decimal;
  isTaker: boolean;
  fee: Decimal;
  createdMs: number;
  legacy: FakeOrder['legacy'];
}

export interface PlaceInput {
  ticker: string;
  clientOrderId: string;
  bookSide: BookSide;
  price: Decimal;
  count: Decimal;
  tif: FakeTif;
  expirationTs?: number | null;
  buyMaxCost?: Decimal | null;
  postOnly?: boolean;
  reduceOnly?: boolean;
  legacy?: FakeOrder['legacy'];
}

export const MAKER_KEY = '__maker__';

export class FakeKalshiEngine {
  readonly markets = new Map<string, FakeMarket>();
  readonly accounts = new Map<string, FakeAccount>();
  readonly orders = new Map<string, FakeOrder>();
  readonly fills: FakeFill[] = [];
  /** Called for every fill (both sides of each trade), e.g. by the WebSocket side. */
  readonly fillListeners = new Set<(fill: FakeFill) => void>();
  takerCoefficient = new Decimal('0.07');
  makerCoefficient = ZERO;
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.accounts.set(MAKER_KEY, { keyId: MAKER_KEY, balance: new Decimal(1e9), positions: new Map(), revoked: false });
  }

  addMarket(seed: Partial<FakeMarket> & { ticker: string }): FakeMarket {
    const m: FakeMarket = {
      eventTicker: seed.ticker.split('-').slice(0, -1).join('-') || seed.ticker,
      title: `Market ${seed.ticker}`,
      status: 'active',
      priceLevelStructure: 'linear_cent',
      fractional: false,
      closeTime: new Date(this.now() + 30 * 86_400_000),
      legacyCents: false,
      lastPrice: null,
      ...seed,
    };
    this.markets.set(m.ticker, m);
    return m;
  }

  market(ticker: string): FakeMarket {
    const m = this.markets.get(ticker);
    if (!m) throw new FakeKalshiError(404, 'market_not_found', `market ${ticker} not found`);
    return m;
  }

  /** Resting maker liquidity: YES bids at p, and NO bids at q (= YES asks at 1 − q). */
  seedBook(ticker: string, book: { yesBids?: Array<[string, string]>; noBids?: Array<[string, string]> }): void {
    this.market(ticker);
    for (const [p, s] of book.yesBids ?? []) this.rest(ticker, 'bid', new Decimal(p), new Decimal(s));
    for (const [q, s] of book.noBids ?? []) this.rest(ticker, 'ask', ONE.sub(new Decimal(q)), new Decimal(s));
  }

  private rest(ticker: string, bookSide: BookSide, price: Decimal, count: Decimal): void {
    const o = this.newOrder({ ticker, clientOrderId: `seed-${this.seq + 1}`, bookSide, price, count, tif: 'good_till_canceled' }, MAKER_KEY);
    this.orders.set(o.orderId, o);
  }

  private newOrder(input: PlaceInput, keyId: string): FakeOrder {
    this.seq += 1;
    return {
      orderId: `ord_${this.seq.toString().padStart(8, '0')}`,
      clientOrderId: input.clientOrderId,
      keyId,
      ticker: input.ticker,
      bookSide: input.bookSide,
      price: input.price,
      initial: input.count,
      filled: ZERO,
      status: 'resting',
      tif: input.tif,
      expirationTs: input.expirationTs ?? null,
      legacy: input.legacy ?? null,
      takerFees: ZERO,
      makerFees: ZERO,
      takerCost: ZERO,
      createdMs: this.now(),
      seq: this.seq,
    };
  }

  /** Resting orders of one side, best first (bids high→low, asks low→high; then time). */
  resting(ticker: string, side: BookSide): FakeOrder[] {
    this.expire();
    const list = [...this.orders.values()].filter((o) => o.ticker === ticker && o.status === 'resting' && o.bookSide === side);
    return list.sort((a, b) => (side === 'bid' ? b.price.cmp(a.price) : a.price.cmp(b.price)) || a.seq - b.seq);
  }

  /** Aggregated public levels: YES bids and NO bids, ascending (best last), as Kalshi shows them. */
  levels(ticker: string): { yes: Array<[Decimal, Decimal]>; no: Array<[Decimal, Decimal]> } {
    const agg = (orders: FakeOrder[], toPrice: (p: Decimal) => Decimal) => {
      const m = new Map<string, Decimal>();
      for (const o of orders) {
        const k = toPrice(o.price).toFixed(4);
        m.set(k, (m.get(k) ?? ZERO).add(o.initial.sub(o.filled)));
      }
      return [...m.entries()].map(([p, s]) => [new Decimal(p), s] as [Decimal, Decimal]).sort((a, b) => a[0].cmp(b[0]));
    };
    return { yes: agg(this.resting(ticker, 'bid'), (p) => p), no: agg(this.resting(ticker, 'ask'), (p) => ONE.sub(p)) };
  }

  private expire(): void {
    const nowS = Math.floor(this.now() / 1000);
    for (const o of this.orders.values()) if (o.status === 'resting' && o.expirationTs !== null && o.expirationTs <= nowS) o.status = 'canceled';
  }

  /** Cash a fill of `count` at YES price `p` on `side` moves, given the position before it. */
  private cashFor(side: BookSide, p: Decimal, count: Decimal, pos: Decimal): Decimal {
    if (side === 'bid') {
      const close = Decimal.min(count, Decimal.max(ZERO, pos.neg()));
      return close.mul(ONE.sub(p)).sub(count.sub(close).mul(p));
    }
    const close = Decimal.min(count, Decimal.max(ZERO, pos));
    return close.mul(p).sub(count.sub(close).mul(ONE.sub(p)));
  }

  /** Funds the remaining part of an order would need at its limit (opening legs only, plus taker fee). */
  private required(acct: FakeAccount, ticker: string, side: BookSide, price: Decimal, count: Decimal): Decimal {
    const cash = this.cashFor(side, price, count, acct.positions.get(ticker) ?? ZERO);
    const need = cash.isNegative() ? cash.neg() : ZERO;
    return need.add(kalshiFee(price, count, this.takerCoefficient));
  }

  private reserved(acct: FakeAccount): Decimal {
    let total = ZERO;
    for (const o of this.orders.values()) {
      if (o.keyId !== acct.keyId || o.status !== 'resting') continue;
      total = total.add(this.required(acct, o.ticker, o.bookSide, o.price, o.initial.sub(o.filled)));
    }
    return total;
  }

  place(keyId: string, input: PlaceInput): { order: FakeOrder; fills: FakeFill[] } {
    const acct = this.accounts.get(keyId);
    if (!acct) throw new FakeKalshiError(401, 'unauthorized', 'api key not found');
    const m = this.market(input.ticker);
    if (m.status !== 'active') throw new FakeKalshiError(400, 'market_closed', `market ${m.ticker} is ${m.status}`);
    if ([...this.orders.values()].some((o) => o.keyId === keyId && o.clientOrderId === input.clientOrderId))
      throw new FakeKalshiError(409, 'order_already_exists', 'an order with this client_order_id already exists');
    const ranges = priceRangesFor({ structure: m.priceLevelStructure });
    if (!isOnGrid(input.price, ranges))
      throw new FakeKalshiError(400, 'invalid_price', `price ${input.price.toFixed()} is not a valid price for ${m.ticker}`);
    const step = m.fractional ? new Decimal('0.01') : ONE;
    if (input.count.lte(0) || !input.count.mod(step).isZero())
      throw new FakeKalshiError(400, 'invalid_count', `count ${input.count.toFixed()} is not a valid contract count`);
    if (input.expirationTs != null && input.expirationTs <= Math.floor(this.now() / 1000))
      throw new FakeKalshiError(400, 'invalid_parameters', 'expiration_ts is in the past');

    const opposite: BookSide = input.bookSide === 'bid' ? 'ask' : 'bid';
    const crosses = (o: FakeOrder) => (input.bookSide === 'bid' ? o.price.lte(input.price) : o.price.gte(input.price));
    const book = this.resting(m.ticker, opposite).filter((o) => crosses(o) && o.keyId !== keyId);
    if (input.postOnly && book.length > 0) throw new FakeKalshiError(400, 'post_only_cross', 'post only order would cross');

    // Plan the matches first (FOK and buy_max_cost need the whole picture).
    const plan: Array<{ maker: FakeOrder; count: Decimal }> = [];
    let left = input.count;
    let cost = ZERO;
    for (const maker of book) {
      if (left.lte(0)) break;
      let take = Decimal.min(left, maker.initial.sub(maker.filled));
      // A buy NO is an ask on the YES book: each contract costs 1 − p there.
      const unit = input.bookSide === 'bid' ? maker.price : ONE.sub(maker.price);
      if (input.buyMaxCost) {
        const affordable = input.buyMaxCost.sub(cost).div(unit).div(step).floor().mul(step);
        take = Decimal.min(take, affordable);
        if (take.lte(0)) break;
      }
      plan.push({ maker, count: take });
      left = left.sub(take);
      cost = cost.add(take.mul(unit));
    }
    const matched = input.count.sub(left);
    if (input.tif === 'fill_or_kill' && left.gt(0))
      throw new FakeKalshiError(400, 'fill_or_kill_insufficient_resting_volume', 'fill or kill order could not be fully filled');
    const needed = this.required(acct, m.ticker, input.bookSide, input.price, input.tif === 'good_till_canceled' ? input.count : matched);
    if (needed.gt(acct.balance.sub(this.reserved(acct))))
      throw new FakeKalshiError(400, 'insufficient_balance', 'insufficient balance');

    const order = this.newOrder(input, keyId);
    this.orders.set(order.orderId, order);
    const fills: FakeFill[] = [];
    for (const { maker, count } of plan) fills.push(...this.trade(order, maker, count, m));
    if (order.filled.eq(order.initial)) order.status = 'executed';
    else if (input.tif !== 'good_till_canceled' || input.buyMaxCost) order.status = 'canceled';
    return { order, fills };
  }

  private trade(taker: FakeOrder, maker: FakeOrder, count: Decimal, m: FakeMarket): FakeFill[] {
    const price = maker.price;
    const tradeId = `trd_${(this.fills.length + 1).toString().padStart(8, '0')}`;
    const out: FakeFill[] = [];
    for (const [o, isTaker] of [[taker, true], [maker, false]] as const) {
      const acct = this.accounts.get(o.keyId)!;
      const pos = acct.positions.get(o.ticker) ?? ZERO;
      const fee = kalshiFee(price, count, isTaker ? this.takerCoefficient : this.makerCoefficient);
      acct.balance = acct.balance.add(this.cashFor(o.bookSide, price, count, pos)).sub(fee);
      acct.positions.set(o.ticker, o.bookSide === 'bid' ? pos.add(count) : pos.sub(count));
      o.filled = o.filled.add(count);
      if (isTaker) {
        o.takerFees = o.takerFees.add(fee);
        o.takerCost = o.takerCost.add(count.mul(price));
      } else o.makerFees = o.makerFees.add(fee);
      if (o.filled.eq(o.initial)) o.status = 'executed';
      const fill: FakeFill = {
        fillId: `fil_${this.fills.length + 1}_${isTaker ? 't' : 'm'}`,
        tradeId,
        orderId: o.orderId,
        keyId: o.keyId,
        ticker: o.ticker,
        bookSide: o.bookSide,
        price,
        count,
        isTaker,
        fee,
        createdMs: this.now(),
        legacy: o.legacy,
      };
      this.fills.push(fill);
      out.push(fill);
      for (const listener of this.fillListeners) listener(fill);
    }
    m.lastPrice = price;
    return out.filter((f) => f.keyId === taker.keyId && f.isTaker);
  }

  cancel(keyId: string, orderId: string): FakeOrder {
    const o = this.orders.get(orderId);
    if (!o || o.keyId !== keyId) throw new FakeKalshiError(404, 'order_not_found', `order ${orderId} not found`);
    this.expire();
    if (o.status !== 'resting') throw new FakeKalshiError(400, 'invalid_order', `order ${orderId} is ${o.status}, it cannot be canceled`);
    o.status = 'canceled';
    return o;
  }

  order(keyId: string, orderId: string): FakeOrder {
    this.expire();
    const o = this.orders.get(orderId);
    if (!o || o.keyId !== keyId) throw new FakeKalshiError(404, 'order_not_found', `order ${orderId} not found`);
    return o;
  }

  ordersOf(keyId: string): FakeOrder[] {
    this.expire();
    return [...this.orders.values()].filter((o) => o.keyId === keyId).sort((a, b) => b.seq - a.seq);
  }

  fillsOf(keyId: string): FakeFill[] {
    return this.fills.filter((f) => f.keyId === keyId).reverse();
  }
}
