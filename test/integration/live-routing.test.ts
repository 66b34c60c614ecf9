/**
 * TRADING_MODE=live routing: the SmartRouter only considers venues the user has linked. A market
 * listed on both fake venues, Polymarket cheaper: a Kalshi-only user is routed to Kalshi anyway; a
 * user with both goes to Polymarket; a forced unlinked venue and a user with nothing linked get a
 * clear message that says how to link, and nothing reaches a venue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';
import type { FakeKalshi } from '../fakes/kalshi/server.ts';
import type { FakeClob } from '../fakes/polymarket/server.ts';
import { LIVE_MARKET, startLiveStack, type LiveStack } from './live-harness.ts';

const MARKET = LIVE_MARKET.id;

let h: LiveStack;
let clob: FakeClob;
let kalshi: FakeKalshi;
let stack: LiveStack['app'] & { db: LiveStack['db'] };

beforeAll(async () => {
  h = await startLiveStack();
  clob = h.clob;
  kalshi = h.kalshi;
  stack = Object.assign(h.app, { db: h.db });
});
afterAll(async () => {
  await h?.stop();
});

async function user(name: string, link: { polymarket?: boolean; kalshi?: boolean }): Promise<{ id: string; token: string }> {
  const { user: u, apiToken } = await stack.core.users.createUser({ name });
  const accounts = stack.core.accounts!;
  if (link.polymarket) {
    const { address } = await accounts.linkPolymarket({ userId: u.id });
    clob.fund({ address, usdc: '100' });
  }
  if (link.kalshi) {
    const key = kalshi.registerKey({ balance: '100' });
    await accounts.linkKalshi({ userId: u.id, keyId: key.keyId, privateKey: key.privateKeyPem });
  }
  return { id: u.id, token: apiToken };
}

const buy = (userId: string, over: Record<string, unknown> = {}) => ({
  userId,
  marketId: MARKET,
  side: 'yes' as const,
  action: 'buy' as const,
  type: 'market' as const,
  amount: new Decimal('5'),
  source: 'manual' as const,
  ...over,
});

async function tradingError(p: Promise<unknown>): Promise<TradingError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TradingError) return err;
    throw err;
  }
  throw new Error('expected a TradingError');
}

describe('live routing over linked venues', () => {
  it('both venues list it and Polymarket is cheaper, but a Kalshi-only user is routed to Kalshi', async () => {
    const k = await user('kalshi-only', { kalshi: true });
    const quote = await stack.core.trading.quote(buy(k.id));
    expect(quote.venue).toBe('kalshi');
    expect(quote.quotes.map((q) => q.venue)).toEqual(['kalshi']);
    expect(quote.reason).toBe('kalshi: the only venue you have linked that lists this market (not linked: Polymarket).');
    const postsBefore = clob.count('POST', '/order');
    const order = await stack.core.trading.placeOrder(buy(k.id));
    expect(order.exchange).toBe('kalshi');
    expect(kalshi.orderPosts().length).toBe(1);
    expect(clob.count('POST', '/order')).toBe(postsBefore);
  });

  it('a user with both linked goes to the cheaper venue (Polymarket)', async () => {
    const both = await user('both', { polymarket: true, kalshi: true });
    const quote = await stack.core.trading.quote(buy(both.id));
    expect(quote.venue).toBe('polymarket');
    expect(quote.quotes.map((q) => q.venue).sort()).toEqual(['kalshi', 'polymarket']);
    const order = await stack.core.trading.placeOrder(buy(both.id));
    expect(order.exchange).toBe('polymarket');
    expect(clob.count('POST', '/order')).toBe(1);
  });

  it('forcing a venue that is not linked is a clear 422 (HTTP) that says how to link; nothing is sent', async () => {
    const k = await user('kalshi-forced', { kalshi: true });
    const err = await tradingError(stack.core.trading.quote(buy(k.id, { exchange: 'polymarket' })));
    expect(err.message).toMatch(/You have not linked a Polymarket account.*POST \/api\/v1\/account\/polymarket/);
    expect(err.details).toMatchObject({ reason: 'venue_not_linked', venue: 'polymarket', linked: ['kalshi'] });
    const posts = kalshi.orderPosts().length;
    const res = await fetch(`${stack.address}/api/v1/trading/order`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ marketId: MARKET, side: 'yes', action: 'buy', type: 'market', amount: '5', exchange: 'polymarket' }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toMatch(/not linked a Polymarket account/);
    expect(kalshi.orderPosts().length).toBe(posts);
    expect(await stack.db.prisma.order.count({ where: { userId: k.id } })).toBe(0);
  });

  it('a user with nothing linked is told how to link; balance shows no venue instead of failing', async () => {
    const none = await user('nothing', {});
    const err = await tradingError(stack.core.trading.placeOrder(buy(none.id)));
    expect(err.message).toMatch(/You have not linked a venue account yet.*POST \/api\/v1\/account\/polymarket.*POST \/api\/v1\/account\/kalshi/);
    expect(await stack.db.prisma.order.count({ where: { userId: none.id } })).toBe(0);
    const balance = await stack.core.trading.getBalance({ userId: none.id });
    expect(balance.venues).toEqual([]);
  });

  it('a Kalshi-only user sees only the Kalshi balance, from the venue', async () => {
    const k = await user('kalshi-balance', { kalshi: true });
    const balance = await stack.core.trading.getBalance({ userId: k.id });
    expect(balance.venues.map((v) => [v.venue, v.available.toFixed(), v.mode])).toEqual([['kalshi', '100', 'live']]);
  });
});
