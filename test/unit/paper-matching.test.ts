import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../core/money.ts';
import { feeModelFor } from '../../core/exchanges/fees.ts';
import { LiquidityOverlay, crossResting, planTake, validateOrder } from '../../core/exchanges/paper/matching.ts';
import { VenueError, type BookLevel, type ListingRef, type PlaceOrderRequest } from '../../core/exchanges/types.ts';

const d = (s: string | number) => new Decimal(s);
const lv = (price: string, size: string | number): BookLevel => ({ price: d(price), size: d(size) });
const zeroFee = () => ZERO;
const kalshiTaker = feeModelFor('kalshi').taker;
const now = new Date('2026-11-01T00:00:00Z');

const poly: ListingRef = { listingId: 'm:polymarket', marketId: 'm', venue: 'polymarket', venueMarketId: '0xabc', tickSize: d('0.01'), minSize: d(5), negRisk: false };
const kalshi: ListingRef = { listingId: 'm:kalshi', marketId: 'm', venue: 'kalshi', venueMarketId: 'KXM-26', tickSize: d('0.01'), minSize: d(1), negRisk: false };

function req(over: Partial<PlaceOrderRequest>): PlaceOrderRequest {
  return { account: { userId: 'u' }, listing: poly, outcome: 'yes', action: 'buy', type: 'limit', timeInForce: 'GTC', clientOrderId: 'c1', price: d('0.5'), quantity: d(10), ...over };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).kind).toBe('rejected');
    return (err as VenueError).code;
  }
  return 'none';
}

describe('validateOrder', () => {
  it('enforces the tick grid and the [tick, 1 − tick] range', () => {
    expect(code(() => validateOrder(req({ price: d('0.505') }), now))).toBe('INVALID_ORDER_MIN_TICK_SIZE');
    expect(code(() => validateOrder(req({ price: d('0.99') }), now))).toBe('none');
    expect(code(() => validateOrder(req({ price: d('1') }), now))).toBe('INVALID_ORDER_MIN_TICK_SIZE');
    expect(code(() => validateOrder(req({ price: d('0') }), now))).toBe('INVALID_ORDER_MIN_TICK_SIZE');
    const fine = { ...poly, tickSize: d('0.001') };
    expect(code(() => validateOrder(req({ listing: fine, price: d('0.505') }), now))).toBe('none');
    expect(code(() => validateOrder(req({ listing: fine, price: d('0.0005') }), now))).toBe('INVALID_ORDER_MIN_TICK_SIZE');
  });

  it('rounds quantities down to the venue step and enforces the minimum size', () => {
    expect(validateOrder(req({ quantity: d('10.239') }), now).quantity!.toFixed()).toBe('10.23');
    expect(validateOrder(req({ listing: kalshi, quantity: d('3.7') }), now).quantity!.toFixed()).toBe('3');
    expect(code(() => validateOrder(req({ quantity: d('4.99') }), now))).toBe('INVALID_ORDER_MIN_SIZE');
    expect(code(() => validateOrder(req({ listing: kalshi, quantity: d('0.5') }), now))).toBe('INVALID_ORDER_MIN_SIZE');
    expect(code(() => validateOrder(req({ quantity: d(-1) }), now))).toBe('INVALID_ORDER_ERROR');
  });

  it('accepts a USD amount only on taking buys, and GTD only with a future expiry', () => {
    const amountBuy = req({ type: 'market', timeInForce: 'FAK', quantity: undefined, amount: d(10) });
    expect(validateOrder(amountBuy, now)).toMatchObject({ mode: { kind: 'take', allOrNothing: false }, quantity: null });
    expect(code(() => validateOrder({ ...amountBuy, action: 'sell' }, now))).toBe('INVALID_ORDER_ERROR');
    expect(code(() => validateOrder({ ...amountBuy, type: 'limit', timeInForce: 'GTC' }, now))).toBe('INVALID_ORDER_ERROR');
    expect(code(() => validateOrder(req({ quantity: undefined }), now))).toBe('INVALID_ORDER_ERROR');
    expect(code(() => validateOrder(req({ timeInForce: 'GTD' }), now))).toBe('INVALID_ORDER_EXPIRATION');
    expect(code(() => validateOrder(req({ timeInForce: 'GTD', expiresAt: new Date(now.getTime() - 1) }), now))).toBe('INVALID_ORDER_EXPIRATION');
    expect(validateOrder(req({ timeInForce: 'GTD', expiresAt: new Date(now.getTime() + 60_000) }), now).mode.kind).toBe('rest');
    expect(validateOrder(req({ type: 'limit', timeInForce: 'FOK' }), now).mode).toEqual({ kind: 'take', allOrNothing: true });
    expect(validateOrder(req({ type: 'market', timeInForce: 'GTC' }), now).mode).toEqual({ kind: 'take', allOrNothing: false });
  });
});

describe('planTake', () => {
  const asks = [lv('0.50', 10), lv('0.51', 20), lv('0.53', 50)];

  it('walks levels by quantity, one fill per level, never past the limit', () => {
    const p = planTake({ levels: asks, action: 'buy', limitPrice: d('0.52'), quantity: d(25), step: d('0.01'), takerFee: zeroFee });
    expect(p.fills.map((f) => `${f.price.toFixed()}x${f.quantity}`)).toEqual(['0.5x10', '0.51x15']);
    expect(p.notional.toFixed()).toBe('12.65');
    expect(p.complete).toBe(true);
    const capped = planTake({ levels: asks, action: 'buy', limitPrice: d('0.52'), quantity: d(40), step: d('0.01'), takerFee: zeroFee });
    expect(capped.quantity.toFixed()).toBe('30');
    expect(capped.complete).toBe(false);
  });

  it('sells walk bids downwards to the limit', () => {
    const bids = [lv('0.48', 5), lv('0.47', 5), lv('0.40', 100)];
    const p = planTake({ levels: bids, action: 'sell', limitPrice: d('0.47'), quantity: d(20), step: d(1), takerFee: zeroFee });
    expect(p.quantity.toFixed()).toBe('10');
    expect(p.complete).toBe(false);
  });

  it('buys by amount spend at most the amount, fees included', () => {
    const p = planTake({ levels: asks, action: 'buy', limitPrice: d('0.99'), amount: d(10), step: d('0.01'), takerFee: zeroFee });
    // 10 × 0.50 = 5.00, then 5.00 / 0.51 = 9.80 shares (4.998)
    expect(p.fills.map((f) => `${f.price.toFixed()}x${f.quantity}`)).toEqual(['0.5x10', '0.51x9.8']);
    expect(p.notional.toFixed()).toBe('9.998');
    expect(p.complete).toBe(true);
    const k = planTake({ levels: asks, action: 'buy', limitPrice: d('0.99'), amount: d(10), step: d(1), takerFee: kalshiTaker });
    expect(k.notional.add(k.fee).lte(10)).toBe(true);
    expect(k.complete).toBe(true);
    // The book runs out before the money: incomplete.
    const thin = planTake({ levels: [lv('0.5', 4)], action: 'buy', limitPrice: d('0.99'), amount: d(10), step: d(1), takerFee: kalshiTaker });
    expect(thin.quantity.toFixed()).toBe('4');
    expect(thin.complete).toBe(false);
  });

  it('property: by-amount never exceeds the amount and by-quantity never exceeds the quantity', () => {
    const level = fc.record({ cents: fc.integer({ min: 1, max: 99 }), size: fc.integer({ min: 1, max: 500 }) });
    fc.assert(
      fc.property(fc.array(level, { minLength: 0, maxLength: 8 }), fc.integer({ min: 1, max: 50_000 }), fc.boolean(), (raw, budgetCents, kal) => {
        const levels = [...new Map(raw.map((r) => [r.cents, r])).values()].sort((a, b) => a.cents - b.cents).map((r) => lv((r.cents / 100).toFixed(2), r.size));
        const amount = d(budgetCents).div(100);
        const step = kal ? d(1) : d('0.01');
        const takerFee = kal ? kalshiTaker : zeroFee;
        const p = planTake({ levels, action: 'buy', limitPrice: d('0.99'), amount, step, takerFee });
        expect(p.notional.add(p.fee).lte(amount)).toBe(true);
        for (const f of p.fills) expect(f.quantity.mod(step).isZero()).toBe(true);
        const q = planTake({ levels, action: 'buy', limitPrice: d('0.99'), quantity: d(budgetCents % 300 + 1), step, takerFee });
        expect(q.quantity.lte(budgetCents % 300 + 1)).toBe(true);
      }),
    );
  });
});

describe('crossResting', () => {
  it('fills a resting buy from asks at or below its price, partially when they are small', () => {
    const r = crossResting({ action: 'buy', price: d('0.45'), remaining: d(30), levels: [lv('0.44', 10), lv('0.45', 5), lv('0.46', 100)], step: d(1) });
    expect(r.quantity.toFixed()).toBe('15');
    expect(r.taken.map((l) => `${l.price.toFixed()}x${l.size}`)).toEqual(['0.44x10', '0.45x5']);
    const none = crossResting({ action: 'buy', price: d('0.43'), remaining: d(30), levels: [lv('0.44', 10)], step: d(1) });
    expect(none.quantity.isZero()).toBe(true);
  });

  it('fills a resting sell from bids at or above its price', () => {
    const r = crossResting({ action: 'sell', price: d('0.60'), remaining: d('7.5'), levels: [lv('0.62', 3), lv('0.60', 10)], step: d('0.01') });
    expect(r.quantity.toFixed()).toBe('7.5');
  });
});

describe('LiquidityOverlay', () => {
  it('hides taken liquidity until reset, mirrored between YES and NO', () => {
    const o = new LiquidityOverlay();
    const asks = [lv('0.50', 10), lv('0.51', 20)];
    const c = o.consume('k', 'yes', 'asks', d('0.50'), d(4));
    expect(o.available('k', 'yes', 'asks', asks).map((l) => l.size.toFixed())).toEqual(['6', '20']);
    // YES ask 0.50 is NO bid 0.50; a NO buyer taking NO asks does not touch it.
    expect(o.available('k', 'no', 'bids', [lv('0.50', 10)]).map((l) => l.size.toFixed())).toEqual(['6']);
    expect(o.available('k', 'no', 'asks', [lv('0.50', 10)]).map((l) => l.size.toFixed())).toEqual(['10']);
    o.consume('k', 'no', 'bids', d('0.49'), d(20)); // = YES ask 0.51, all of it
    expect(o.available('k', 'yes', 'asks', asks).map((l) => l.price.toFixed())).toEqual(['0.5']);
    o.release([c]);
    expect(o.available('k', 'yes', 'asks', asks).map((l) => l.size.toFixed())).toEqual(['10']);
    o.reset('k');
    expect(o.available('k', 'yes', 'asks', asks).length).toBe(2);
    // A release from before a reset is ignored.
    const stale = o.consume('k', 'yes', 'asks', d('0.50'), d(1));
    o.reset('k');
    o.consume('k', 'yes', 'asks', d('0.50'), d(2));
    o.release([stale]);
    expect(o.available('k', 'yes', 'asks', asks)[0]!.size.toFixed()).toBe('8');
  });
});
