/** Presenters: quotes, orders, positions with PnL, balances, notifications, errors. Decimal in, text out. */
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../../core/money.ts';
import { TradingError, type OrderView, type RouteDecision, type VenueQuote } from '../../core/trading/types.ts';
import type { TradeCommand } from '../../bots/commands/commands.ts';
import { describeError } from '../../bots/commands/errors.ts';
import { pct, shares, signedUsd } from '../../bots/commands/format.ts';
import { presentNotification } from '../../bots/commands/notify.ts';
import {
  presentBalance,
  presentMarkets,
  presentOrderDetail,
  presentOrderResult,
  presentOrders,
  presentPositions,
  presentPrice,
  presentQuote,
} from '../../bots/commands/present.ts';
import { commandText, toOrderInput } from '../../bots/commands/trade.ts';
import { MARKETS, position } from './commands-stub.ts';

const d = (s: string) => new Decimal(s);
const fed = MARKETS[0]!;

function order(p: Partial<OrderView> = {}): OrderView {
  return {
    id: '1a2b3c4d-1111-4222-8333-444455556666',
    userId: 'u1',
    marketId: 'mkt-fed',
    marketTitle: 'Fed cuts rates in December?',
    listingId: 'mkt-fed:polymarket',
    side: 'yes',
    type: 'market',
    action: 'buy',
    price: d('0.45'),
    quantity: d('58.12'),
    amount: d('25'),
    filledQuantity: d('58.12'),
    avgFillPrice: d('0.421'),
    fee: d('0.12'),
    exchange: 'polymarket',
    source: 'manual',
    timeInForce: 'FAK',
    status: 'filled',
    clientOrderId: 'yn-x',
    venueOrderId: 'v1',
    failureReason: null,
    copyTradeSubId: null,
    lateFillQuantity: ZERO,
    routing: null,
    createdAt: new Date('2026-11-29T12:00:00Z'),
    updatedAt: new Date('2026-11-29T12:00:01Z'),
    ...p,
  };
}

function vq(p: Partial<VenueQuote> & Pick<VenueQuote, 'venue'>): VenueQuote {
  return {
    listingId: `mkt-fed:${p.venue}`,
    fillable: true,
    quantity: d('58.12'),
    avgPrice: d('0.421'),
    worstPrice: d('0.43'),
    notional: d('24.47'),
    fee: d('0.12'),
    total: d('24.59'),
    bestBid: d('0.41'),
    bestAsk: d('0.42'),
    ...p,
  };
}

const buy25: TradeCommand = { name: 'buy', market: { text: 'fed-cut', candidates: ['fed-cut'] }, side: 'yes', size: { kind: 'usd', amount: d('25') } };

describe('formatting', () => {
  it('shares, signed dollars and percentages from Decimals, with no float noise', () => {
    expect(shares(d('57.638000000000005'))).toBe('57.63');
    expect(shares(d('10'))).toBe('10.00');
    expect(signedUsd(d('1.005'))).toBe('+$1.01');
    expect(signedUsd(d('-0.35'))).toBe('-$0.35');
    expect(signedUsd(d('0.001'))).toBe('$0.00');
    expect(pct(d('1'), d('8'))).toBe('+12.5%');
    expect(pct(d('-1'), d('3'))).toBe('-33.3%');
    expect(pct(d('1'), ZERO)).toBe('');
  });
});

describe('quote (confirmation screen)', () => {
  it('market buy: venue, expected average, fees, worst price, why, the other venue', () => {
    const decision: RouteDecision = {
      venue: 'polymarket',
      listingId: 'mkt-fed:polymarket',
      quotes: [vq({ venue: 'polymarket' }), vq({ venue: 'kalshi', quantity: d('56.5'), avgPrice: d('0.44'), total: d('25'), fee: d('0.14') })],
      chosen: vq({ venue: 'polymarket' }),
      reason: 'polymarket: 1.62 more shares for $25.00 than on kalshi (58.12 vs 56.50, fees included).',
      forced: false,
    };
    expect(presentQuote({ cmd: buy25, market: fed, decision, ttlSec: 60 })).toBe(
      [
        'Buy $25.00 of YES at market on polymarket',
        '  Fed cuts rates in December?',
        '  expected: 58.12 shares at avg 42.1¢ (worst price 43¢)',
        '  fees $0.12 · you pay about $24.59',
        '  why polymarket: 1.62 more shares for $25.00 than on kalshi (58.12 vs 56.50, fees included).',
        '  kalshi: 56.50 shares at avg 44¢, pay $25.00 incl. $0.14 fees',
        'Confirm within 60s, or cancel.',
      ].join('\n'),
    );
  });

  it('limit sell that rests, and a market order the book cannot fill', () => {
    const sell: TradeCommand = { name: 'sell', market: buy25.market, side: 'no', size: { kind: 'shares', quantity: d('10') }, price: d('0.61') };
    const chosen = vq({ venue: 'kalshi', quantity: ZERO, avgPrice: null, worstPrice: null, notional: ZERO, fee: ZERO, total: ZERO });
    const text = presentQuote({ cmd: sell, market: fed, decision: { venue: 'kalshi', listingId: 'x', quotes: [chosen], chosen, reason: 'kalshi: the only venue that lists this market.', forced: false }, ttlSec: 30 });
    expect(text).toContain('Sell 10.00 NO @ 61¢ (limit) on kalshi');
    expect(text).toContain('receives at least $6.10 before fees');
    expect(text).toContain('nothing fills at that price right now');
    expect(text).toContain('Confirm within 30s');

    const partial = vq({ venue: 'polymarket', fillable: false, quantity: d('40') });
    const t2 = presentQuote({ cmd: buy25, market: fed, decision: { venue: 'polymarket', listingId: 'x', quotes: [partial], chosen: partial, reason: 'polymarket: the only venue that lists this market.', forced: false }, ttlSec: 60 });
    expect(t2).toContain('note: the book can fill only 40.00 shares right now');
  });
});

describe('orders', () => {
  it('placement results by status', () => {
    expect(presentOrderResult(order())).toBe('Bought 58.12 YES at avg 42.1¢ on polymarket for $24.59 incl. $0.12 fees.\n  Fed cuts rates in December?\nOrder 1a2b3c4d filled.');
    expect(presentOrderResult(order({ action: 'sell', amount: null }))).toMatch(/^Sold 58\.12 YES at avg 42\.1¢ on polymarket for \$24\.35 after \$0\.12 fees\./);
    const resting = order({ type: 'limit', status: 'pending', amount: null, quantity: d('10'), price: d('0.4'), filledQuantity: ZERO, avgFillPrice: null, fee: ZERO });
    expect(presentOrderResult(resting)).toBe(
      "Order 1a2b3c4d is open on polymarket: buy 10.00 YES @ 40¢.\n  Fed cuts rates in December?\nYou'll get a message when it fills. /cancel 1a2b3c4d cancels it.",
    );
    expect(presentOrderResult(order({ status: 'failed', failureReason: 'polymarket rejected the order: not enough balance' }))).toBe(
      'Order 1a2b3c4d failed: polymarket rejected the order: not enough balance. Nothing was bought.',
    );
    expect(presentOrderResult(order({ status: 'partial', quantity: d('100') }))).toMatch(/^Order 1a2b3c4d partly filled on polymarket: 58\.12 of 100\.00 YES at avg 42\.1¢; the rest is open\./);
    expect(presentOrderResult(order({ status: 'cancelled', failureReason: 'cancelled by you', type: 'limit', amount: null, price: d('0.4') }))).toBe(
      'Order 1a2b3c4d was cancelled (cancelled by you): buy 58.12 YES @ 40¢ on polymarket; 58.12 filled at avg 42.1¢ before that.',
    );
  });

  it('order detail lists fills, late fills and the worst price', () => {
    const text = presentOrderDetail(
      order({
        lateFillQuantity: d('1'),
        fills: [{ id: 'f1', venueTradeId: 't1', price: d('0.42'), quantity: d('58.12'), fee: d('0.12'), late: false, filledAt: new Date('2026-11-29T12:00:00Z') }],
      }),
    );
    expect(text).toContain('Order 1a2b3c4d · filled');
    expect(text).toContain('buy $25.00 of YES at market on polymarket (market, FAK)');
    expect(text).toContain('filled 58.12 of 58.12 at avg 42.1¢ · fees $0.12');
    expect(text).toContain('worst price allowed 45¢');
    expect(text).toContain('late fills after cancel: 1.00 shares');
    expect(text).toContain('fill 58.12 @ 42¢ fee $0.12 at 12:00:00');
  });

  it('order lists', () => {
    expect(presentOrders([], 'open')).toBe('No open orders. /orders all shows your recent orders.');
    expect(presentOrders([], 'all')).toBe('No orders yet. Start with /markets, then /buy.');
    const t = presentOrders([order()], 'all');
    expect(t).toContain('1a2b3c4d  filled    buy $25.00 of YES at market on polymarket · filled 58.12 @ 42.1¢ · Fed cuts rates in December?');
  });
});

describe('positions and balance', () => {
  it('per-position PnL at the bid and totals', () => {
    const fed = position({ marketId: 'mkt-fed', side: 'yes', quantity: d('100'), exchange: 'polymarket', avgPrice: d('0.40'), currentPrice: d('0.45'), id: '1a2b3c4d-0000-4000-8000-000000000001' });
    const btc = position({ marketId: 'mkt-btc', side: 'no', quantity: d('10'), exchange: 'polymarket', avgPrice: d('0.5'), currentPrice: null, realizedPnl: d('-1.5'), id: '9f8e7d6c-0000-4000-8000-000000000002' });
    const text = presentPositions([fed, btc]);
    expect(text).toBe(
      [
        'Your positions (valued at the best bid):',
        'Fed cuts rates in December? - YES on polymarket · #1a2b3c4d',
        '  100.00 shares · avg 40¢ · now 45¢ · cost $40.00 · value $45.00 · PnL +$5.00 (+12.5%)',
        'Bitcoin above $100k on Dec 31? - NO on polymarket · #9f8e7d6c',
        '  10.00 shares · avg 50¢ · now - · cost $5.00 · no bid now · realized -$1.50',
        'Total: cost $45.00 · value $45.00 · unrealized +$5.00 (+11.1%) · realized -$1.50',
      ].join('\n'),
    );
    expect(presentPositions([])).toBe('You hold no positions. Find a market with /markets and /buy it.');
  });

  it('balance per venue and total', () => {
    expect(
      presentBalance({
        venues: [
          { venue: 'polymarket', available: d('975.004'), mode: 'paper' },
          { venue: 'kalshi', available: d('1000'), mode: 'paper' },
        ],
        total: d('1975.004'),
      }),
    ).toBe('Balance (paper money):\n  polymarket  $975.00\n  kalshi      $1000.00\n  total       $1975.00');
  });
});

describe('markets and price', () => {
  it('lists markets with per-venue YES bid/ask', () => {
    const t = presentMarkets(MARKETS.slice(0, 2), { query: 'fed', more: true });
    expect(t).toContain('fed-cut - Fed cuts rates in December? [economics]\n  polymarket YES 41¢/43¢ · kalshi YES 40¢/44¢');
    expect(t).toContain('More match; add words to narrow it down.');
    expect(presentMarkets([], { query: 'zzz' })).toBe('No market matches "zzz". Try fewer or other words, or /markets for the full list.');
  });

  it('price shows YES and NO per venue (NO mirrors YES)', () => {
    expect(presentPrice(fed)).toBe(
      [
        'Fed cuts rates in December? (fed-cut)',
        'polymarket: YES bid 41¢ / ask 43¢ · NO bid 57¢ / ask 59¢',
        'kalshi: YES bid 40¢ / ask 44¢ · NO bid 56¢ / ask 60¢',
        'Cheapest YES: polymarket at 43¢ · cheapest NO: polymarket at 59¢',
        'Buy: /buy fed-cut yes $25',
      ].join('\n'),
    );
  });
});

describe('notifications', () => {
  const filled = order();
  it('order state changes and fills, one message per order (editKey)', () => {
    const r = presentNotification({ kind: 'order_status', orderId: filled.id, status: 'filled', previous: 'pending' }, filled)!;
    expect(r.text).toBe('order 1a2b3c4d filled: 58.12 YES @ 42.1¢ on polymarket, fee $0.12');
    expect(r.editKey).toBe(`order:${filled.id}`);
    expect(presentNotification({ kind: 'order_status', orderId: filled.id, status: 'created', previous: null }, filled)).toBeNull();
    expect(presentNotification({ kind: 'order_status', orderId: filled.id, status: 'failed', previous: 'created', reason: 'kalshi rejected the order: market closed' }, null)!.text).toBe(
      'order 1a2b3c4d failed: kalshi rejected the order: market closed',
    );
    const open = order({ status: 'partial', type: 'limit', quantity: d('100'), filledQuantity: d('40'), amount: null });
    expect(presentNotification({ kind: 'order_fill', orderId: open.id, fillId: 'f', price: '0.42', quantity: '40', fee: '0', late: false }, open)!.text).toBe(
      'order 1a2b3c4d fill: 40.00 YES @ 42¢ on polymarket (40.00 of 100.00 filled)',
    );
    // A fill of a now-filled order is covered by the "filled" message.
    expect(presentNotification({ kind: 'order_fill', orderId: filled.id, fillId: 'f', price: '0.42', quantity: '58.12', fee: '0', late: false }, filled)).toBeNull();
    expect(presentNotification({ kind: 'order_fill', orderId: filled.id, fillId: 'f', price: '0.42', quantity: '2', fee: '0.01', late: true }, filled)!.text).toBe(
      'order 1a2b3c4d late fill after cancel: 2.00 YES @ 42¢ on polymarket, fee $0.01; your position includes it',
    );
    expect(presentNotification({ kind: 'order_status', orderId: filled.id, status: 'cancelled', previous: 'partial', reason: 'cancelled by you' }, order({ status: 'cancelled', quantity: d('100') }))!.text).toBe(
      'order 1a2b3c4d cancelled (cancelled by you): 58.12 of 100.00 YES filled before',
    );
    expect(presentNotification({ kind: 'text', text: 'hello' }, null)).toEqual({ kind: 'text', text: 'hello' });
  });
});

describe('errors', () => {
  it('every TradingError code gets friendly wording; unknown errors never leak', () => {
    const codes = [
      'invalid_input', 'market_not_found', 'market_ambiguous', 'market_closed', 'venue_not_listed', 'order_not_found', 'not_cancellable', 'no_position',
      'insufficient_position', 'insufficient_liquidity', 'max_order_size', 'below_minimum', 'trading_halted', 'rejected', 'venue_unavailable', 'idempotency_conflict',
    ] as const;
    for (const code of codes) {
      const text = describeError(new TradingError(code, 'Something specific.'), { example: '/buy fed-cut yes $25', command: 'buy' });
      expect(text.startsWith('Something specific.'), code).toBe(true);
    }
    expect(describeError(new TradingError('invalid_input', 'Bad price.'), { example: '/buy fed-cut yes 10 @42c' })).toBe('Bad price. Try: /buy fed-cut yes 10 @42c');
    expect(describeError(new TradingError('market_ambiguous', '"fed" matches 2 markets.', { candidates: ['fed-cut-dec-2026'] }), { example: '/buy fed yes $25' })).toBe(
      '"fed" matches 2 markets. Try: /buy fed-cut-dec-2026 yes $25',
    );
    expect(describeError(new TradingError('rejected', 'kalshi rejected the order: insufficient balance.'))).toBe('kalshi rejected the order: insufficient balance. Nothing was placed.');
    expect(describeError(new Error('ECONNREFUSED 127.0.0.1:5432'), { command: 'balance' })).toBe('Something went wrong on our side. Please try again in a moment.');
  });
});

describe('trade helpers', () => {
  it('commandText is the canonical form; toOrderInput maps every size', () => {
    const limit: TradeCommand = { ...buy25, size: { kind: 'shares', quantity: d('10') }, price: d('0.425'), venue: 'kalshi' };
    expect(commandText(limit, fed)).toBe('/buy fed-cut yes 10 @42.5c on kalshi');
    expect(commandText({ ...buy25, market: { text: 'fed cut', candidates: ['fed cut'] } })).toBe('/buy "fed cut" yes $25');
    expect(toOrderInput(buy25, fed, 'u1')).toEqual({ userId: 'u1', marketId: 'mkt-fed', side: 'yes', action: 'buy', type: 'market', amount: d('25') });
    expect(toOrderInput(limit, fed, 'u1')).toEqual({ userId: 'u1', marketId: 'mkt-fed', side: 'yes', action: 'buy', type: 'limit', quantity: d('10'), price: d('0.425'), exchange: 'kalshi' });
  });
});
