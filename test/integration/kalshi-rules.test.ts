/**
 * Kalshi venue rules through the adapter: fractional and tapered markets, market sells at the
 * venue's (better) price, GTD expiry on the venue's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import type { CredentialSource, KalshiCredentials } from '../../core/exchanges/credentials.ts';
import { KalshiAdapter } from '../../core/exchanges/kalshi/adapter.ts';
import { VenueError, type PlaceOrderRequest } from '../../core/exchanges/types.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';

const d = (v: string) => new Decimal(v);
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
let fake: FakeKalshi;
let adapter: KalshiAdapter;
const creds = new Map<string, KalshiCredentials>();
const source: CredentialSource = { polymarket: async () => null, kalshi: async (u) => creds.get(u) ?? null };

function order(ticker: string, over: Partial<PlaceOrderRequest>): PlaceOrderRequest {
  return {
    account: { userId: 'ann' },
    listing: { listingId: 'l', marketId: 'm', venue: 'kalshi', venueMarketId: ticker, tickSize: d('0.01'), minSize: d('1'), negRisk: false },
    outcome: 'yes',
    action: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    clientOrderId: `yn-${crypto.randomUUID()}`,
    price: d('0.30'),
    quantity: d('1'),
    ...over,
  };
}

beforeAll(async () => {
  fake = await FakeKalshi.start({ now });
  const { keyId, privateKeyPem } = fake.registerKey({ balance: '500' });
  creds.set('ann', { keyId, privateKeyPem });
  adapter = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 1_000, credentials: source, clock: () => new Date(now()), marketTtlMs: 0 });
  fake.engine.addMarket({ ticker: 'KXFRAC-26-Y', fractional: true });
  fake.engine.seedBook('KXFRAC-26-Y', { noBids: [['0.55', '10']] });
  fake.engine.addMarket({ ticker: 'KXTAPER-26-Y', priceLevelStructure: 'tapered_deci_cent' });
  fake.engine.addMarket({ ticker: 'KXSELL-26-Y' });
  fake.engine.seedBook('KXSELL-26-Y', { yesBids: [['0.40', '10']] });
  fake.engine.addMarket({ ticker: 'KXGTD-26-Y' });
});
afterAll(async () => {
  await fake.stop();
});

describe('Kalshi venue rules', () => {
  it('a fractional market takes 2-dp counts; a whole-contract market refuses them', async () => {
    const o = await adapter.placeOrder(order('KXFRAC-26-Y', { quantity: d('1.5'), price: d('0.45'), timeInForce: 'FAK' }));
    expect((fake.orderPosts().at(-1)!.body as { count: string }).count).toBe('1.50');
    expect(o.filledQuantity.toFixed()).toBe('1.5');
    expect(o.fills.map((f) => f.quantity.toFixed())).toEqual(['1.5']);
    const err = await adapter.placeOrder(order('KXFRAC-26-Y', { quantity: d('1.005') })).catch((e: unknown) => e);
    expect((err as VenueError).code).toBe('INVALID_SIZE');
    expect((err as VenueError).message).toMatch(/multiple of 0\.01/);
  });

  it('a tapered market takes deci-cent prices in the tails and refuses them in the middle', async () => {
    await adapter.placeOrder(order('KXTAPER-26-Y', { price: d('0.055') }));
    expect((fake.orderPosts().at(-1)!.body as { price: string }).price).toBe('0.0550');
    // buy NO at 0.945 → an ask at 0.055 on the YES book
    await adapter.placeOrder(order('KXTAPER-26-Y', { outcome: 'no', price: d('0.945') }));
    expect((fake.orderPosts().at(-1)!.body as { price: string }).price).toBe('0.0550');
    const err = await adapter.placeOrder(order('KXTAPER-26-Y', { price: d('0.555') })).catch((e: unknown) => e);
    expect((err as VenueError).code).toBe('INVALID_PRICE');
  });

  it('a market sell with a worst price fills at the venue’s better price, immediate-or-cancel', async () => {
    const o = await adapter.placeOrder(order('KXSELL-26-Y', { action: 'sell', type: 'market', timeInForce: 'FAK', price: d('0.353'), quantity: d('2') }));
    const body = fake.orderPosts().at(-1)!.body as Record<string, unknown>;
    expect(body).toMatchObject({ side: 'ask', price: '0.3600', time_in_force: 'immediate_or_cancel' }); // guard rounded up onto the grid
    expect(o.fills.map((f) => f.price.toFixed())).toEqual(['0.4']);
  });

  it('a GTD order rests until its expiry on the venue, then reads as cancelled', async () => {
    const o = await adapter.placeOrder(order('KXGTD-26-Y', { timeInForce: 'GTD', expiresAt: new Date(now() + 60_000) }));
    expect(o.status).toBe('open');
    offsetMs += 61_000;
    const later = await adapter.getOrder({ account: { userId: 'ann' }, venueOrderId: o.venueOrderId });
    expect(later?.status).toBe('cancelled');
    offsetMs = 0;
  });
});
