/**
 * How the fake Kalshi renders its state on the wire (the venue's JSON shapes, new fixed-point
 * fields plus legacy integer cents/counts where they are exact).
 */
import { Decimal, ONE } from '../../../core/money.ts';
import type { FakeFill, FakeMarket, FakeOrder } from './engine.ts';

const p4 = (d: Decimal) => d.toFixed(4);
const c2 = (d: Decimal) => d.toFixed(2);
/** Legacy integer (cents or count) when exact, else undefined (the venue drops them for sub-penny/fractional). */
const int = (d: Decimal) => (d.isInteger() ? d.toNumber() : undefined);
const cents = (d: Decimal) => int(d.mul(100));
const iso = (ms: number) => new Date(ms).toISOString();

export function marketJson(m: FakeMarket, top: { yesBid: Decimal | null; yesAsk: Decimal | null }): Record<string, unknown> {
  const noBid = top.yesAsk ? ONE.sub(top.yesAsk) : null;
  const noAsk = top.yesBid ? ONE.sub(top.yesBid) : null;
  const base = {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    yes_sub_title: 'Yes',
    status: m.status,
    open_time: '2026-01-01T00:00:00Z',
    close_time: m.closeTime.toISOString(),
    expiration_time: m.closeTime.toISOString(),
    rules_primary: `Resolves Yes if ${m.title}.`,
  };
  if (m.legacyCents) {
    return {
      ...base,
      yes_bid: top.yesBid ? cents(top.yesBid) : 0,
      yes_ask: top.yesAsk ? cents(top.yesAsk) : 100,
      no_bid: noBid ? cents(noBid) : 0,
      no_ask: noAsk ? cents(noAsk) : 100,
      last_price: m.lastPrice ? cents(m.lastPrice) : 0,
      volume: 0,
      open_interest: 0,
      tick_size: 1,
    };
  }
  return {
    ...base,
    yes_bid_dollars: top.yesBid ? p4(top.yesBid) : '0.0000',
    yes_ask_dollars: top.yesAsk ? p4(top.yesAsk) : '1.0000',
    no_bid_dollars: noBid ? p4(noBid) : '0.0000',
    no_ask_dollars: noAsk ? p4(noAsk) : '1.0000',
    last_price_dollars: m.lastPrice ? p4(m.lastPrice) : '0.0000',
    volume_fp: '0.00',
    open_interest_fp: '0.00',
    price_level_structure: m.priceLevelStructure,
    fractional_trading_enabled: m.fractional,
  };
}

export function orderbookJson(m: FakeMarket, levels: { yes: Array<[Decimal, Decimal]>; no: Array<[Decimal, Decimal]> }): Record<string, unknown> {
  if (m.legacyCents) {
    const legacy = (ls: Array<[Decimal, Decimal]>) => (ls.length ? ls.map(([p, s]) => [cents(p), int(s)]) : null);
    return { orderbook: { yes: legacy(levels.yes), no: legacy(levels.no) } };
  }
  const fp = (ls: Array<[Decimal, Decimal]>) => ls.map(([p, s]) => [p4(p), c2(s)]);
  return { orderbook_fp: { yes_dollars: fp(levels.yes), no_dollars: fp(levels.no) } };
}

function intent(o: { legacy: FakeOrder['legacy']; bookSide: FakeOrder['bookSide'] }): { side: 'yes' | 'no'; action: 'buy' | 'sell' } {
  return o.legacy ?? { side: 'yes', action: o.bookSide === 'bid' ? 'buy' : 'sell' };
}

export function orderJson(o: FakeOrder): Record<string, unknown> {
  const remaining = o.status === 'resting' ? o.initial.sub(o.filled) : new Decimal(0);
  const { side, action } = intent(o);
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    side,
    action,
    book_side: o.bookSide,
    type: 'limit',
    status: o.status,
    yes_price_dollars: p4(o.price),
    no_price_dollars: p4(ONE.sub(o.price)),
    yes_price: cents(o.price),
    no_price: cents(ONE.sub(o.price)),
    initial_count_fp: c2(o.initial),
    fill_count_fp: c2(o.filled),
    remaining_count_fp: c2(remaining),
    initial_count: int(o.initial),
    fill_count: int(o.filled),
    remaining_count: int(remaining),
    taker_fees_dollars: p4(o.takerFees),
    maker_fees_dollars: p4(o.makerFees),
    taker_fill_cost_dollars: p4(o.takerCost),
    time_in_force: o.tif,
    expiration_time: o.expirationTs ? new Date(o.expirationTs * 1000).toISOString() : null,
    created_time: iso(o.createdMs),
    last_update_time: iso(o.createdMs),
  };
}

/** The replacement endpoint's answer. */
export function createdJson(o: FakeOrder, nowMs: number): Record<string, unknown> {
  const remaining = o.status === 'resting' ? o.initial.sub(o.filled) : new Decimal(0);
  const avgPrice = o.filled.gt(0) ? o.takerCost.div(o.filled) : null;
  const avgFee = o.filled.gt(0) ? o.takerFees.div(o.filled) : null;
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    fill_count: c2(o.filled),
    remaining_count: c2(remaining),
    average_fill_price: avgPrice ? avgPrice.toDecimalPlaces(4).toFixed(4) : null,
    average_fee_paid: avgFee ? avgFee.toDecimalPlaces(6).toFixed(6) : null,
    ts_ms: nowMs,
  };
}

export function fillJson(f: FakeFill): Record<string, unknown> {
  const { side, action } = intent(f);
  return {
    fill_id: f.fillId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    side,
    action,
    count_fp: c2(f.count),
    count: int(f.count),
    yes_price_dollars: p4(f.price),
    no_price_dollars: p4(ONE.sub(f.price)),
    yes_price: cents(f.price),
    no_price: cents(ONE.sub(f.price)),
    is_taker: f.isTaker,
    fee_cost: p4(f.fee),
    created_time: iso(f.createdMs),
    ts: Math.floor(f.createdMs / 1000),
  };
}
