/** HTTP trading routes against an in-memory Services stub: shapes, validation, ownership. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bearer, stubServer, type StubWorld } from './api-stub.ts';

let app: FastifyInstance;
let world: StubWorld;

beforeEach(async () => {
  ({ app, world } = await stubServer());
});
afterEach(async () => {
  await app.close();
});

const DEC = /^-?\d+(\.\d+)?$/;

function post(url: string, payload: unknown, headers: Record<string, string> = bearer(world.alice.token)) {
  return app.inject({ method: 'POST', url, payload: payload as object, headers });
}

function placed(): number {
  return world.calls.filter((c) => c.method === 'trading.placeOrder').length;
}

describe('POST /api/v1/trading/order', () => {
  it('places a market buy by amount: 201 with every decimal a string and dates ISO', async () => {
    const res = await post('/api/v1/trading/order', { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '25' });
    expect(res.statusCode).toBe(201);
    const { order } = res.json();
    for (const k of ['id', 'status', 'side', 'type', 'action', 'price', 'quantity', 'amount', 'filledQuantity', 'avgFillPrice', 'fee', 'exchange', 'source', 'timeInForce', 'marketId', 'marketTitle', 'clientOrderId', 'venueOrderId', 'failureReason', 'copyTradeSubId', 'routing', 'createdAt', 'updatedAt']) {
      expect(order).toHaveProperty(k);
    }
    for (const k of ['price', 'quantity', 'amount', 'filledQuantity', 'avgFillPrice', 'fee']) {
      expect(typeof order[k]).toBe('string');
      expect(order[k]).toMatch(DEC);
    }
    expect(order.amount).toBe('25');
    expect(order.avgFillPrice).toBe('0.431235'); // 6 places, half-up
    expect(order.fee).toBe('0.07'); // trailing zeros trimmed
    expect(order.status).toBe('filled');
    expect(order.source).toBe('manual');
    expect(order.createdAt).toBe('2026-03-04T05:06:07.089Z');
    const call = world.calls.find((c) => c.method === 'trading.placeOrder')!.args as Record<string, unknown>;
    expect(call.userId).toBe(world.alice.user.id);
    expect(String(call.amount)).toBe('25');
  });

  it('places a limit order and passes every field to the core', async () => {
    const res = await post('/api/v1/trading/order', {
      marketId: 'fed-cut-dec', side: 'no', action: 'buy', type: 'limit', quantity: '10.5', price: '0.45', exchange: 'kalshi', timeInForce: 'GTC',
    });
    expect(res.statusCode).toBe(201);
    const call = world.calls.find((c) => c.method === 'trading.placeOrder')!.args as Record<string, unknown>;
    expect(call).toMatchObject({ marketId: 'fed-cut-dec', side: 'no', action: 'buy', type: 'limit', exchange: 'kalshi', timeInForce: 'GTC', source: 'manual' });
    expect(String(call.quantity)).toBe('10.5');
    expect(String(call.price)).toBe('0.45');
    expect(res.json().order.exchange).toBe('kalshi');
  });

  it('honours Idempotency-Key: the same key returns the same order, and is passed to the core', async () => {
    const body = { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '5' };
    const h = { ...bearer(world.alice.token), 'idempotency-key': 'abc-123' };
    const a = await post('/api/v1/trading/order', body, h);
    const b = await post('/api/v1/trading/order', body, h);
    expect(a.statusCode).toBe(201);
    expect(b.json().order.id).toBe(a.json().order.id);
    expect(world.orders).toHaveLength(1);
    expect((world.calls[0]!.args as Record<string, unknown>).idempotencyKey).toBe('abc-123');
  });

  it('refuses a bad Idempotency-Key', async () => {
    const body = { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '5' };
    const res = await post('/api/v1/trading/order', body, { ...bearer(world.alice.token), 'idempotency-key': 'x'.repeat(129) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/Idempotency-Key/);
    expect(placed()).toBe(0);
  });

  const base = { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '25' };
  const bad: [string, unknown, RegExp][] = [
    ['amount as a JSON number', { ...base, amount: 25 }, /amount must be a string such as "25" \(decimal money is sent as strings\)/],
    ['quantity as a JSON number', { ...base, amount: undefined, quantity: 10 }, /quantity must be a string such as "10" \(decimal money is sent as strings\)/],
    ['price as a JSON number', { ...base, type: 'limit', amount: undefined, quantity: '10', price: 0.45 }, /price must be a string such as "0.45" \(decimal money is sent as strings\)/],
    ['negative amount', { ...base, amount: '-5' }, /amount must be a positive decimal such as "25" \(got "-5"\)/],
    // A bad price string must not reach the cross-field rules untransformed (it used to be a 500).
    ['negative price', { ...base, type: 'limit', amount: undefined, quantity: '10', price: '-0.45' }, /price must be a positive decimal such as "0.45" \(got "-0.45"\)/],
    ['zero price', { ...base, type: 'limit', amount: undefined, quantity: '10', price: '0' }, /price must be greater than 0/],
    ['price not a decimal', { ...base, type: 'limit', amount: undefined, quantity: '10', price: 'cheap' }, /price must be a positive decimal/],
    ['amount in exponent form', { ...base, amount: '1e3' }, /amount must be a positive decimal/],
    ['zero amount', { ...base, amount: '0' }, /amount must be greater than 0/],
    ['seven decimals', { ...base, amount: '1.1234567' }, /amount has at most 6 decimal places/],
    ['huge amount', { ...base, amount: '1' + '0'.repeat(20) }, /amount is too large/],
    ['missing marketId', { ...base, marketId: undefined }, /marketId is required/],
    ['empty marketId', { ...base, marketId: '  ' }, /marketId must not be empty/],
    ['marketId not a string', { ...base, marketId: 12 }, /marketId must be a string/],
    ['bad side', { ...base, side: 'maybe' }, /side must be "yes" or "no" \(got "maybe"\)/],
    ['missing side', { ...base, side: undefined }, /side is required/],
    ['bad action', { ...base, action: 'hold' }, /action must be "buy" or "sell"/],
    ['bad type', { ...base, type: 'stop' }, /type must be "market" or "limit"/],
    ['bad exchange', { ...base, exchange: 'nyse' }, /exchange must be "polymarket" or "kalshi"/],
    ['bad timeInForce', { ...base, timeInForce: 'IOC' }, /timeInForce must be "GTC", "GTD", "FOK" or "FAK"/],
    ['unknown field', { ...base, amout: '5' }, /unknown body field "amout"/],
    ['market buy without amount or quantity', { ...base, amount: undefined }, /amount \(USD to spend\) or quantity \(shares\) is required for a market buy/],
    ['market buy with both', { ...base, quantity: '3' }, /not both/],
    ['limit without price', { ...base, type: 'limit', amount: undefined, quantity: '10' }, /price is required for a limit order/],
    ['limit without quantity', { ...base, type: 'limit', amount: undefined, price: '0.4' }, /quantity \(shares\) is required for a limit order/],
    ['limit with amount', { ...base, type: 'limit', quantity: '10', price: '0.4' }, /amount is only for market buys/],
    ['sell without quantity', { ...base, action: 'sell', amount: undefined }, /quantity \(shares to sell\) is required for a sell/],
    ['sell with amount', { ...base, action: 'sell', quantity: '3' }, /amount is only for market buys; a sell takes quantity/],
    ['price of 1 or more', { ...base, type: 'limit', amount: undefined, quantity: '10', price: '1.2' }, /price must be below 1/],
    ['an array body', [base], /body must be a JSON object/],
    ['a string body', 'buy', /body must be a JSON object/],
  ];
  for (const [name, payload, message] of bad) {
    it(`400 for ${name}, naming the field, and places nothing`, async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/trading/order',
        headers: { ...bearer(world.alice.token), 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      expect(res.statusCode).toBe(400);
      const err = res.json().error;
      expect(err.code).toBe('invalid_input');
      expect(err.message).toMatch(message);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(placed()).toBe(0);
    });
  }

  it('400 for a missing body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/trading/order', headers: bearer(world.alice.token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_input', message: 'body must be a JSON object' });
  });

  it('reports several problems at once', async () => {
    const res = await post('/api/v1/trading/order', { marketId: 'x', side: 'up', action: 'buy', type: 'market', amount: 3 });
    const msg: string = res.json().error.message;
    expect(msg).toMatch(/side must be/);
    expect(msg).toMatch(/amount must be a string/);
  });

  it('core errors keep their code and message: unknown market 404, ambiguous 422 with candidates', async () => {
    const nf = await post('/api/v1/trading/order', { ...base, marketId: 'nothing-like-this' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error).toEqual({ code: 'market_not_found', message: 'No market matches "nothing-like-this".' });
    const amb = await post('/api/v1/trading/order', { ...base, marketId: 'i' });
    expect(amb.statusCode).toBe(422);
    expect(amb.json().error.code).toBe('market_ambiguous');
    expect(amb.json().error.details.candidates).toEqual(['fed-cut-dec', 'btc-100k']);
  });

  it('a halted market is 423 trading_halted', async () => {
    world.halt.halted = true;
    world.halt.reason = 'maintenance';
    const res = await post('/api/v1/trading/order', base);
    expect(res.statusCode).toBe(423);
    expect(res.json().error.code).toBe('trading_halted');
    expect(res.json().error.message).toMatch(/maintenance/);
  });
});

describe('POST /api/v1/trading/quote', () => {
  it('returns the route with every venue quote as strings', async () => {
    const res = await post('/api/v1/trading/quote', { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', quantity: '10' });
    expect(res.statusCode).toBe(200);
    const { route } = res.json();
    expect(route).toMatchObject({ venue: 'polymarket', reason: 'cheapest', forced: false });
    expect(route.quotes).toHaveLength(2);
    expect(route.quotes[0]).toMatchObject({ venue: 'polymarket', fillable: true, quantity: '10', avgPrice: '0.431235', total: '4.382346', bestBid: '0.41' });
    expect(world.orders).toHaveLength(0);
  });

  it('validates like the order route', async () => {
    const res = await post('/api/v1/trading/quote', { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'limit', quantity: '10' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/price is required for a limit order/);
  });

  it('an unlisted forced venue is 422 venue_not_listed', async () => {
    const res = await post('/api/v1/trading/quote', { marketId: 'btc-100k', side: 'yes', action: 'buy', type: 'market', quantity: '10', exchange: 'kalshi' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('venue_not_listed');
  });
});

describe('orders: list, get, cancel', () => {
  async function place(token: string, type: 'market' | 'limit' = 'limit') {
    const body = type === 'limit'
      ? { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type, quantity: '10', price: '0.4' }
      : { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type, amount: '10' };
    const res = await post('/api/v1/trading/order', body, bearer(token));
    expect(res.statusCode).toBe(201);
    return res.json().order as { id: string; status: string };
  }

  it('lists only your own orders, with a status filter and a limit', async () => {
    const mine = await place(world.alice.token);
    await place(world.alice.token, 'market');
    await place(world.bob.token);
    const all = await app.inject({ url: '/api/v1/trading/orders', headers: bearer(world.alice.token) });
    expect(all.statusCode).toBe(200);
    expect(all.json().orders).toHaveLength(2);
    const pending = await app.inject({ url: '/api/v1/trading/orders?status=pending,partial', headers: bearer(world.alice.token) });
    expect(pending.json().orders.map((o: { id: string }) => o.id)).toEqual([mine.id]);
    const call = world.calls.filter((c) => c.method === 'trading.listOrders').at(-1)!.args;
    expect(call).toEqual({ userId: world.alice.user.id, status: ['pending', 'partial'], limit: 50 });
    await app.inject({ url: '/api/v1/trading/orders?limit=1', headers: bearer(world.alice.token) });
    expect((world.calls.filter((c) => c.method === 'trading.listOrders').at(-1)!.args as { limit: number }).limit).toBe(1);
  });

  const badQueries: [string, RegExp][] = [
    ['status=open', /status must be a comma-separated list of created, pending, partial, filled, cancelled, failed \(unknown: "open"\)/],
    ['limit=0', /limit must be a whole number from 1 to 200 \(got "0"\)/],
    ['limit=201', /limit must be a whole number from 1 to 200/],
    ['limit=abc', /limit must be a whole number from 1 to 200/],
    ['limit=1.5', /limit must be a whole number/],
    ['sort=asc', /unknown query parameter "sort"/],
  ];
  for (const [q, message] of badQueries) {
    it(`GET orders?${q} is 400 with a clear message`, async () => {
      const res = await app.inject({ url: `/api/v1/trading/orders?${q}`, headers: bearer(world.alice.token) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
      expect(res.json().error.message).toMatch(message);
    });
  }

  it('gets an order with its fills', async () => {
    const o = await place(world.alice.token, 'market');
    const res = await app.inject({ url: `/api/v1/trading/orders/${o.id}`, headers: bearer(world.alice.token) });
    expect(res.statusCode).toBe(200);
    const { order } = res.json();
    expect(order.id).toBe(o.id);
    expect(order.fills).toHaveLength(1);
    expect(order.fills[0]).toMatchObject({ venueTradeId: 't-1', price: '0.43', fee: '0.07', late: false });
    expect(order.fills[0].filledAt).toBe('2026-03-04T05:06:07.089Z');
  });

  it("another user's order is 404, for get and cancel, and stays untouched", async () => {
    const o = await place(world.alice.token);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `/api/v1/trading/orders/${o.id}`, headers: bearer(world.bob.token) });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('order_not_found');
    }
    expect(world.orders[0]!.status).toBe('pending');
  });

  it('a malformed id is 400 naming the id, never 500', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      for (const id of ['123', 'not-a-uuid', "1' OR '1'='1", '%E0%A4%A']) {
        const res = await app.inject({ method, url: `/api/v1/trading/orders/${id}`, headers: bearer(world.alice.token) });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toMatch(/invalid_input|bad_request/);
      }
    }
    const res = await app.inject({ url: '/api/v1/trading/orders/123', headers: bearer(world.alice.token) });
    expect(res.json().error.message).toMatch(/order id must be a UUID/);
  });

  it('cancels an open order (200) and refuses a filled one (409 not_cancellable)', async () => {
    const open = await place(world.alice.token);
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/trading/orders/${open.id}`, headers: bearer(world.alice.token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().order.status).toBe('cancelled');
    const filled = await place(world.alice.token, 'market');
    const again = await app.inject({ method: 'DELETE', url: `/api/v1/trading/orders/${filled.id}`, headers: bearer(world.alice.token) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_cancellable');
  });

  it('DELETE with an empty JSON body still works', async () => {
    const open = await place(world.alice.token);
    const res = await app.inject({
      method: 'DELETE',
      url: `/api/v1/trading/orders/${open.id}`,
      headers: { ...bearer(world.alice.token), 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(200);
  });
});
