/**
 * The Kalshi fill WebSocket: signed handshake, subscribe, fills of resting orders pushed as order
 * events, reconnect with backoff after a drop, refused keys, unlinking stops the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import type { CredentialSource, KalshiCredentials } from '../../core/exchanges/credentials.ts';
import { KalshiAdapter } from '../../core/exchanges/kalshi/adapter.ts';
import type { VenueOrderEvent } from '../../core/exchanges/types.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { attachKalshiWs, type FakeKalshiWs } from '../fakes/kalshi/ws.ts';

const d = (v: string) => new Decimal(v);
const T = 'KXWS-26-Y';
let fake: FakeKalshi;
let ws: FakeKalshiWs;
let adapter: KalshiAdapter;
const creds = new Map<string, KalshiCredentials>();
const source: CredentialSource = { polymarket: async () => null, kalshi: async (u) => creds.get(u) ?? null };
const states: Array<{ userId: string; state: string; detail?: string }> = [];
const events: VenueOrderEvent[] = [];

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const listing = { listingId: 'l', marketId: 'm', venue: 'kalshi' as const, venueMarketId: T, tickSize: d('0.01'), minSize: d('1'), negRisk: false };

beforeAll(async () => {
  fake = await FakeKalshi.start();
  ws = attachKalshiWs(fake);
  fake.engine.addMarket({ ticker: T });
  adapter = new KalshiAdapter({
    apiUrl: fake.url,
    timeoutMs: 1_000,
    credentials: source,
    streamBackoffMs: { initial: 20, max: 100 },
    onStreamEvent: (e) => states.push(e),
  });
  adapter.onOrderEvent((e) => events.push(e));
});
afterAll(async () => {
  adapter.close();
  await fake.stop();
});

function counterparty(): string {
  return fake.registerKey({ balance: '1000' }).keyId;
}

describe('Kalshi fill stream', () => {
  it('pushes a resting order’s fill as an order event, in the order’s outcome terms, and survives a drop', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '100' });
    creds.set('ann', { keyId, privateKeyPem });
    const stop = adapter.watchAccount({ account: { userId: 'ann' } });
    await until(() => states.some((s) => s.userId === 'ann' && s.state === 'connected'));

    // Ann buys 3 NO at 0.40 (an ask on the YES book at 0.60) and it rests.
    const order = await adapter.placeOrder({
      account: { userId: 'ann' },
      listing,
      outcome: 'no',
      action: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      clientOrderId: 'yn-ws-1',
      price: d('0.40'),
      quantity: d('3'),
    });
    expect(order.status).toBe('open');

    // Someone buys 2 YES at 0.60: Ann's order fills partly.
    const bob = counterparty();
    fake.engine.place(bob, { ticker: T, clientOrderId: 'bob-1', bookSide: 'bid', price: d('0.60'), count: d('2'), tif: 'immediate_or_cancel' });
    await until(() => events.length >= 1);
    const first = events[0]!;
    expect(first.venue).toBe('kalshi');
    expect(first.clientOrderId).toBe('yn-ws-1');
    expect(first.order.status).toBe('open');
    expect(first.order.filledQuantity.toFixed()).toBe('2');
    expect(first.order.fills.map((f) => [f.price.toFixed(), f.quantity.toFixed()])).toEqual([['0.4', '2']]);

    // The connection drops; the stream reconnects (signing a fresh handshake) and the next fill arrives.
    const connectsBefore = adapter.streamOf('ann')!.connects;
    ws.dropAll();
    await until(() => adapter.streamOf('ann')!.connects > connectsBefore && ws.connections === 1);
    await until(() => states.filter((s) => s.userId === 'ann' && s.state === 'connected').length >= 2);
    fake.engine.place(bob, { ticker: T, clientOrderId: 'bob-2', bookSide: 'bid', price: d('0.60'), count: d('1'), tif: 'immediate_or_cancel' });
    await until(() => events.length >= 2);
    expect(events[1]!.order.status).toBe('filled');
    expect(events[1]!.order.fills).toHaveLength(2);
    stop();
    await until(() => ws.connections === 0);
    expect(adapter.streamOf('ann')).toBeUndefined();
  });

  it('a handshake with the wrong key is refused (401) and retried with backoff, no key material in the states', async () => {
    const { keyId } = fake.registerKey({ balance: '1' });
    const wrong = fake.registerKey({ balance: '1' });
    creds.set('eve', { keyId, privateKeyPem: wrong.privateKeyPem });
    const refusedBefore = ws.refused;
    const stop = adapter.watchAccount({ account: { userId: 'eve' } });
    await until(() => ws.refused >= refusedBefore + 3);
    stop();
    const mine = states.filter((s) => s.userId === 'eve');
    expect(mine.some((s) => s.state === 'connected')).toBe(false);
    expect(JSON.stringify(mine)).not.toMatch(/PRIVATE KEY|MII/);
  });

  it('the stream stops by itself when the user unlinks Kalshi', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '1' });
    creds.set('cy', { keyId, privateKeyPem });
    adapter.watchAccount({ account: { userId: 'cy' } });
    await until(() => states.some((s) => s.userId === 'cy' && s.state === 'connected'));
    creds.delete('cy');
    ws.dropAll();
    await until(() => states.some((s) => s.userId === 'cy' && s.state === 'stopped'));
    expect(adapter.streamOf('cy')).toBeUndefined();
  });
});
