import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolymarketAdapter } from '../../core/exchanges/polymarket/adapter.ts';
import type { VenueOrderEvent } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import { startPolymarketHarness, type PolymarketHarness } from '../fakes/polymarket/harness.ts';

const d = (v: Decimal.Value) => new Decimal(v);
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Polymarket user channel (WebSocket) → onOrderEvent', () => {
  let h: PolymarketHarness;
  let adapter: PolymarketAdapter;
  beforeAll(async () => {
    h = await startPolymarketHarness();
    adapter = new PolymarketAdapter({
      clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 2000, wsUrl: h.clob.wsUrl,
      userStream: { pingMs: 50, minBackoffMs: 20, maxBackoffMs: 200 },
    });
  });
  afterAll(async () => {
    adapter.close();
    await h.stop();
  });

  it('pushes fills of a resting order, keeps alive with PING, and resubscribes after a drop', async () => {
    const maker = await h.addUser({ usdc: '100' });
    const taker = await h.addUser({ tokens: { [h.listing.yesTokenId!]: '100' } });
    const events: VenueOrderEvent[] = [];
    const off = adapter.onOrderEvent((e) => events.push(e));
    const req = h.request({ userId: maker.userId, price: d('0.6'), quantity: d(20) });
    const resting = await adapter.placeOrder(req);
    expect(resting.status).toBe('open');
    await until(() => (h.clob.userChannel?.connected ?? 0) >= 1);

    await h.adapter.placeOrder(h.request({ userId: taker.userId, action: 'sell', timeInForce: 'FAK', price: d('0.6'), quantity: d(5) }));
    await until(() => events.some((e) => e.order.filledQuantity.eq(5)));
    const first = events.find((e) => e.order.filledQuantity.eq(5))!;
    expect(first.clientOrderId).toBe(req.clientOrderId);
    expect(first.venue).toBe('polymarket');
    expect(first.order.venueOrderId).toBe(resting.venueOrderId);
    expect(first.order.fills.map((f) => f.quantity.toFixed())).toEqual(['5']);
    await until(() => (h.clob.userChannel?.pings ?? 0) >= 2);

    const subsBefore = h.clob.userChannel!.subscriptions;
    h.clob.userChannel!.dropAll();
    await until(() => h.clob.userChannel!.subscriptions > subsBefore && h.clob.userChannel!.connected >= 1);
    await h.adapter.placeOrder(h.request({ userId: taker.userId, action: 'sell', timeInForce: 'FAK', price: d('0.6'), quantity: d(15) }));
    await until(() => events.some((e) => e.order.status === 'filled'));
    const done = events.find((e) => e.order.status === 'filled')!;
    expect(done.order.filledQuantity.toFixed()).toBe('20');
    expect(done.order.fills).toHaveLength(2);

    off();
    const n = events.length;
    await adapter.cancelOrder({ account: req.account, venueOrderId: resting.venueOrderId }).catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    expect(events.length).toBe(n);
  });
});
