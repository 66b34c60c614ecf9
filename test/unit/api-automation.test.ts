/**
 * HTTP automation routes against the in-memory stub: snipers (create, list, get, cancel) and a
 * position's TP/SL. Shapes, status codes, ownership, and a table of bad input per endpoint: each
 * must answer a 4xx naming the problem and change nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Decimal } from '../../core/money.ts';
import { bearer, stubServer, type StubWorld } from './api-stub.ts';
import { sniperView } from './automation-stub.ts';

let app: FastifyInstance;
let world: StubWorld;

beforeEach(async () => {
  ({ app, world } = await stubServer());
});
afterEach(async () => {
  await app.close();
});

const DEC = /^\d+(\.\d+)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const future = () => new Date(Date.now() + 2 * 3600_000).toISOString();

function req(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, token: string = world.alice.token) {
  return app.inject({
    method,
    url,
    headers: { ...bearer(token), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
}

function automationCalls(method?: string) {
  return world.automation.calls.filter((c) => !method || c.method === method);
}

const base = { marketId: 'fed-cut-dec', side: 'yes', triggerPrice: '0.42', amount: '25' };

describe('POST /api/v1/snipers', () => {
  it('201 with every field; decimals as strings, dates ISO, no order ids yet', async () => {
    const expiresAt = future();
    const res = await req('POST', '/api/v1/snipers', { ...base, slippage: '0.03', expiresAt, repeat: true, exchange: 'kalshi' });
    expect(res.statusCode).toBe(201);
    const { sniper } = res.json();
    expect(Object.keys(sniper).sort()).toEqual(
      ['amount', 'createdAt', 'exchange', 'expiresAt', 'failureReason', 'fireCount', 'id', 'marketId', 'marketTitle', 'orderIds', 'paused', 'repeat', 'side', 'slippage', 'status', 'triggerPrice', 'updatedAt'].sort(),
    );
    expect(sniper).toMatchObject({
      status: 'WATCHING',
      marketId: 'fed-cut-dec',
      side: 'yes',
      triggerPrice: '0.42',
      amount: '25',
      slippage: '0.03',
      expiresAt: new Date(expiresAt).toISOString(),
      repeat: true,
      exchange: 'kalshi',
      paused: false,
      fireCount: 0,
      orderIds: [],
      failureReason: null,
    });
    expect(sniper.id).toMatch(UUID_RE);
    const call = automationCalls('createSniper')[0]!.args as Record<string, unknown>;
    expect(call.userId).toBe(world.alice.user.id);
    expect(call.triggerPrice).toBeInstanceOf(Decimal);
    expect(String(call.triggerPrice)).toBe('0.42');
    expect(String(call.slippage)).toBe('0.03');
    expect(call.expiresAt).toBeInstanceOf(Date);
  });

  it('defaults: slippage 2% (from the core), no expiry, fire once, any venue; nothing else is passed', async () => {
    const res = await req('POST', '/api/v1/snipers', base);
    expect(res.statusCode).toBe(201);
    expect(res.json().sniper).toMatchObject({ slippage: '0.02', expiresAt: null, repeat: false, exchange: null });
    const call = automationCalls('createSniper')[0]!.args as Record<string, unknown>;
    expect(Object.keys(call).sort()).toEqual(['amount', 'marketId', 'side', 'triggerPrice', 'userId']);
  });

  it('slippage 0 is allowed (no worse than the trigger), and 0.5 (50%) is the maximum', async () => {
    expect((await req('POST', '/api/v1/snipers', { ...base, slippage: '0' })).statusCode).toBe(201);
    expect((await req('POST', '/api/v1/snipers', { ...base, slippage: '0.5' })).statusCode).toBe(201);
    expect((await req('POST', '/api/v1/snipers', { ...base, slippage: '0.5000' })).statusCode).toBe(201);
  });

  const bad: [string, unknown, RegExp][] = [
    ['triggerPrice as a JSON number', { ...base, triggerPrice: 0.42 }, /triggerPrice must be a string such as "0.42" \(decimal money is sent as strings\)/],
    ['amount as a JSON number', { ...base, amount: 25 }, /amount must be a string such as "25" \(decimal money is sent as strings\)/],
    ['slippage as a JSON number', { ...base, slippage: 0.02 }, /slippage must be a string such as "0.02" \(2%\); decimal values are sent as strings/],
    ['triggerPrice of 1', { ...base, triggerPrice: '1' }, /triggerPrice must be below 1/],
    ['triggerPrice above 1', { ...base, triggerPrice: '1.5' }, /triggerPrice must be below 1/],
    ['triggerPrice of 0', { ...base, triggerPrice: '0' }, /triggerPrice must be greater than 0/],
    ['negative triggerPrice', { ...base, triggerPrice: '-0.4' }, /triggerPrice must be a positive decimal such as "0.42" \(got "-0.4"\)/],
    ['triggerPrice in cents', { ...base, triggerPrice: '42c' }, /triggerPrice must be a positive decimal/],
    ['triggerPrice with 7 decimals', { ...base, triggerPrice: '0.4200001' }, /triggerPrice has at most 6 decimal places/],
    ['negative amount', { ...base, amount: '-25' }, /amount must be a positive decimal such as "25" \(got "-25"\)/],
    ['zero amount', { ...base, amount: '0' }, /amount must be greater than 0/],
    ['amount with a dollar sign', { ...base, amount: '$25' }, /amount must be a positive decimal/],
    ['huge amount', { ...base, amount: '1' + '0'.repeat(20) }, /amount is too large/],
    ['slippage over 50%', { ...base, slippage: '0.51' }, /slippage must be at most 0.5 \(50%\) \(got "0.51"\)/],
    ['slippage as a percentage', { ...base, slippage: '3%' }, /slippage must be a fraction from 0 to 0.5 such as "0.02" for 2% \(got "3%"\)/],
    ['slippage of 3 (300%)', { ...base, slippage: '3' }, /slippage must be at most 0.5/],
    ['negative slippage', { ...base, slippage: '-0.01' }, /slippage must be a fraction from 0 to 0.5/],
    ['slippage with 5 decimals', { ...base, slippage: '0.02001' }, /slippage has at most 4 decimal places/],
    ['expiresAt in the past', { ...base, expiresAt: '2020-01-01T00:00:00Z' }, /expiresAt must be in the future \(got "2020-01-01T00:00:00Z"/],
    ['expiresAt not a date', { ...base, expiresAt: 'tomorrow' }, /expiresAt must be an ISO 8601 date-time such as "2026-12-31T23:00:00Z" \(got "tomorrow"\)/],
    ['expiresAt as epoch millis', { ...base, expiresAt: 1893456000000 }, /expiresAt must be an ISO 8601 date-time/],
    ['repeat as a string', { ...base, repeat: 'yes' }, /repeat must be true or false \(got "yes"\)/],
    ['bad side', { ...base, side: 'up' }, /side must be "yes" or "no" \(got "up"\)/],
    ['missing side', { ...base, side: undefined }, /side is required/],
    ['missing triggerPrice', { ...base, triggerPrice: undefined }, /triggerPrice is required/],
    ['missing amount', { ...base, amount: undefined }, /amount is required/],
    ['missing marketId', { ...base, marketId: undefined }, /marketId is required/],
    ['empty marketId', { ...base, marketId: ' ' }, /marketId must not be empty/],
    ['bad exchange', { ...base, exchange: 'nyse' }, /exchange must be "polymarket" or "kalshi" \(got "nyse"\)/],
    ['unknown field', { ...base, price: '0.42' }, /unknown body field "price"/],
    ['seed name typo', { ...base, trigger: '0.42' }, /unknown body field "trigger"/],
    ['an array body', [base], /body must be a JSON object/],
  ];
  for (const [name, payload, message] of bad) {
    it(`400 for ${name}, naming the field; nothing is created`, async () => {
      const res = await req('POST', '/api/v1/snipers', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
      expect(res.json().error.message).toMatch(message);
      expect(Object.keys(res.json())).toEqual(['error']);
      expect(automationCalls('createSniper')).toHaveLength(0);
      expect(world.automation.snipers).toHaveLength(0);
    });
  }

  it('400 for a missing body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/snipers', headers: bearer(world.alice.token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'invalid_input', message: 'body must be a JSON object' });
  });

  it('reports several problems at once', async () => {
    const res = await req('POST', '/api/v1/snipers', { ...base, triggerPrice: '1.2', amount: 5, slippage: '0.9' });
    const msg: string = res.json().error.message;
    expect(msg).toMatch(/triggerPrice must be below 1/);
    expect(msg).toMatch(/amount must be a string/);
    expect(msg).toMatch(/slippage must be at most 0.5/);
  });

  it('core refusals keep their code: unknown market 404, ambiguous 422, unlisted venue 422; nothing is created', async () => {
    const nf = await req('POST', '/api/v1/snipers', { ...base, marketId: 'no-such-market' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error).toEqual({ code: 'market_not_found', message: 'No market matches "no-such-market".' });
    const amb = await req('POST', '/api/v1/snipers', { ...base, marketId: 'i' });
    expect(amb.statusCode).toBe(422);
    expect(amb.json().error.code).toBe('market_ambiguous');
    const venue = await req('POST', '/api/v1/snipers', { ...base, marketId: 'btc-100k', exchange: 'kalshi' });
    expect(venue.statusCode).toBe(422);
    expect(venue.json().error.code).toBe('venue_not_listed');
    expect(world.automation.snipers).toHaveLength(0);
  });

  it('401 without a token, and nothing is created', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/snipers', payload: base });
    expect(res.statusCode).toBe(401);
    expect(automationCalls()).toHaveLength(0);
  });

  it('refuses query parameters it does not know', async () => {
    const res = await req('POST', '/api/v1/snipers?dryRun=1', base);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/unknown query parameter "dryRun"/);
    expect(automationCalls()).toHaveLength(0);
  });
});

describe('GET /api/v1/snipers', () => {
  it("lists only the caller's snipers, with a case-insensitive comma-separated status filter", async () => {
    const a1 = (await req('POST', '/api/v1/snipers', base)).json().sniper;
    const a2 = sniperView({ userId: world.alice.user.id, status: 'FILLED', fireCount: 1, orderIds: ['3f2c9a9e-1b2c-4d5e-8f90-123456789abc'] });
    world.automation.snipers.push(a2, sniperView({ userId: world.bob.user.id }));
    const all = await req('GET', '/api/v1/snipers');
    expect(all.statusCode).toBe(200);
    expect(all.json().snipers.map((s: { id: string }) => s.id)).toEqual([a1.id, a2.id]);
    const filled = await req('GET', '/api/v1/snipers?status=filled,Expired');
    expect(filled.json().snipers.map((s: { id: string }) => s.id)).toEqual([a2.id]);
    expect(automationCalls('listSnipers').at(-1)!.args).toEqual({ userId: world.alice.user.id, status: ['FILLED', 'EXPIRED'] });
    const repeated = await req('GET', '/api/v1/snipers?status=WATCHING&status=FILLED');
    expect(repeated.json().snipers).toHaveLength(2);
    const f = filled.json().snipers[0];
    expect(f.orderIds).toEqual(['3f2c9a9e-1b2c-4d5e-8f90-123456789abc']);
    for (const k of ['triggerPrice', 'amount', 'slippage']) expect(f[k]).toMatch(DEC);
  });

  it('bob sees none of alice\'s', async () => {
    await req('POST', '/api/v1/snipers', base);
    const res = await req('GET', '/api/v1/snipers', undefined, world.bob.token);
    expect(res.json()).toEqual({ snipers: [] });
  });

  it('400 for an unknown status or an unknown parameter', async () => {
    const res = await req('GET', '/api/v1/snipers?status=watching,armed');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('status must be a comma-separated list of WATCHING, EXECUTING, FILLED, EXPIRED, CANCELLED, FAILED (unknown: "armed")');
    const q = await req('GET', '/api/v1/snipers?limit=5');
    expect(q.statusCode).toBe(400);
    expect(q.json().error.message).toMatch(/unknown query parameter "limit"/);
  });
});

describe('GET and DELETE /api/v1/snipers/:id', () => {
  it('gets one with its order ids; another user\'s is a 404 like a missing one', async () => {
    const s = sniperView({ userId: world.alice.user.id, status: 'FILLED', orderIds: ['3f2c9a9e-1b2c-4d5e-8f90-123456789abc'] });
    world.automation.snipers.push(s);
    const res = await req('GET', `/api/v1/snipers/${s.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().sniper).toMatchObject({ id: s.id, status: 'FILLED', orderIds: ['3f2c9a9e-1b2c-4d5e-8f90-123456789abc'], createdAt: '2026-03-04T05:06:07.000Z' });
    const upper = await req('GET', `/api/v1/snipers/${s.id.toUpperCase()}`);
    expect(upper.statusCode).toBe(200);
    const foreign = await req('GET', `/api/v1/snipers/${s.id}`, undefined, world.bob.token);
    expect(foreign.statusCode).toBe(404);
    const missing = await req('GET', '/api/v1/snipers/3f2c9a9e-1b2c-4d5e-8f90-123456789abc');
    expect(missing.statusCode).toBe(404);
  });

  it('cancels a watching sniper; a second cancel, or a filled one, is 409; bob gets 404 and nothing changes', async () => {
    const created = (await req('POST', '/api/v1/snipers', base)).json().sniper;
    const foreign = await req('DELETE', `/api/v1/snipers/${created.id}`, undefined, world.bob.token);
    expect(foreign.statusCode).toBe(404);
    expect(world.automation.snipers[0]!.status).toBe('WATCHING');
    const res = await req('DELETE', `/api/v1/snipers/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().sniper).toMatchObject({ id: created.id, status: 'CANCELLED' });
    const again = await req('DELETE', `/api/v1/snipers/${created.id}`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_cancellable');
    const filled = sniperView({ userId: world.alice.user.id, status: 'FILLED' });
    world.automation.snipers.push(filled);
    const f = await req('DELETE', `/api/v1/snipers/${filled.id}`);
    expect(f.statusCode).toBe(409);
    expect(f.json().error.message).toMatch(/filled; it can no longer be cancelled/);
    expect(filled.status).toBe('FILLED');
  });

  for (const method of ['GET', 'DELETE'] as const) {
    it(`${method}: a malformed id is 400 naming the right form, and the core is never asked`, async () => {
      for (const id of ['123', 'not-a-uuid', '3f2c9a9e1b2c4d5e8f90123456789abc0', '3f2c9a9e']) {
        const res = await req(method, `/api/v1/snipers/${id}`);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.message).toMatch(/sniper id must be a UUID such as "3f2c9a9e-1b2c-4d5e-8f90-123456789abc"/);
      }
      expect(automationCalls().filter((c) => c.method !== 'listSnipers')).toHaveLength(0);
    });
  }

  it('DELETE with an unknown query parameter is refused and cancels nothing', async () => {
    const created = (await req('POST', '/api/v1/snipers', base)).json().sniper;
    const res = await req('DELETE', `/api/v1/snipers/${created.id}?force=1`);
    expect(res.statusCode).toBe(400);
    expect(world.automation.snipers[0]!.status).toBe('WATCHING');
  });
});

describe('PUT /api/v1/positions/:id/tpsl', () => {
  const url = () => `/api/v1/positions/${world.alicePosition.id}/tpsl`;

  it('sets both levels; decimals as strings', async () => {
    const res = await req('PUT', url(), { takeProfitPrice: '0.65', stopLossPrice: '0.3' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ position: { id: world.alicePosition.id, takeProfitPrice: '0.65', stopLossPrice: '0.3' } });
    const call = automationCalls('setTpsl')[0]!.args as Record<string, unknown>;
    expect(call.takeProfitPrice).toBeInstanceOf(Decimal);
    expect(call.userId).toBe(world.alice.user.id);
  });

  it('an omitted field is left alone (not passed); null clears', async () => {
    const res = await req('PUT', url(), { stopLossPrice: '0.3' });
    expect(res.json().position).toEqual({ id: world.alicePosition.id, takeProfitPrice: '0.6', stopLossPrice: '0.3' });
    expect(Object.keys(automationCalls('setTpsl')[0]!.args as object).sort()).toEqual(['positionId', 'stopLossPrice', 'userId']);
    const cleared = await req('PUT', url(), { takeProfitPrice: null });
    expect(cleared.json().position).toEqual({ id: world.alicePosition.id, takeProfitPrice: null, stopLossPrice: '0.3' });
    expect((automationCalls('setTpsl')[1]!.args as Record<string, unknown>).takeProfitPrice).toBeNull();
  });

  const bad: [string, unknown, RegExp][] = [
    ['an empty body', {}, /send takeProfitPrice and\/or stopLossPrice: a price string such as "0.6", or null to clear it/],
    ['takeProfitPrice as a JSON number', { takeProfitPrice: 0.6 }, /takeProfitPrice must be a string such as "0.6" \(decimal money is sent as strings\)/],
    ['stopLossPrice as a JSON number', { stopLossPrice: 0.3 }, /stopLossPrice must be a string such as "0.3" \(decimal money is sent as strings\)/],
    ['takeProfitPrice of 1', { takeProfitPrice: '1' }, /takeProfitPrice must be below 1 \(dollars per share\), e.g. "0.6", or null to clear it/],
    ['takeProfitPrice above 1', { takeProfitPrice: '1.2' }, /takeProfitPrice must be below 1/],
    ['stopLossPrice of 0', { stopLossPrice: '0' }, /stopLossPrice must be greater than 0/],
    ['negative stopLossPrice', { stopLossPrice: '-0.3' }, /stopLossPrice must be a positive decimal such as "0.3" \(got "-0.3"\)/],
    ['a price in cents', { takeProfitPrice: '60c' }, /takeProfitPrice must be a positive decimal/],
    ['take-profit not above stop-loss', { takeProfitPrice: '0.3', stopLossPrice: '0.4' }, /takeProfitPrice \(0.3\) must be above stopLossPrice \(0.4\)/],
    ['"off" instead of null', { stopLossPrice: 'off' }, /stopLossPrice must be a positive decimal/],
    ['false instead of null', { stopLossPrice: false }, /stopLossPrice must be a string/],
    ['an unknown field', { takeProfit: '0.6' }, /unknown body field "takeProfit"/],
    ['the seed names of another model', { takeProfitPrice: '0.6', quantity: '5' }, /unknown body field "quantity"/],
  ];
  for (const [name, payload, message] of bad) {
    it(`400 for ${name}; no level changes`, async () => {
      const res = await req('PUT', url(), payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_input');
      expect(res.json().error.message).toMatch(message);
      expect(automationCalls('setTpsl')).toHaveLength(0);
      expect(world.alicePosition.takeProfitPrice?.toString()).toBe('0.6');
      expect(world.alicePosition.stopLossPrice).toBeNull();
    });
  }

  it('400 without a body', async () => {
    const res = await app.inject({ method: 'PUT', url: url(), headers: bearer(world.alice.token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('body must be a JSON object');
  });

  it('a malformed position id is 400', async () => {
    const res = await req('PUT', '/api/v1/positions/42/tpsl', { takeProfitPrice: '0.6' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/position id must be a UUID/);
    expect(automationCalls('setTpsl')).toHaveLength(0);
  });

  it("an unknown position, or someone else's, is 404 position_not_found; nothing changes", async () => {
    const unknown = await req('PUT', '/api/v1/positions/3f2c9a9e-1b2c-4d5e-8f90-123456789abc/tpsl', { takeProfitPrice: '0.7' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({
      code: 'position_not_found',
      message: 'You have no open position 3f2c9a9e-1b2c-4d5e-8f90-123456789abc. Your positions and their ids: GET /api/v1/positions.',
    });
    const foreign = await req('PUT', url(), { takeProfitPrice: '0.7' }, world.bob.token);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('position_not_found');
    expect(automationCalls('setTpsl')).toHaveLength(0);
    expect(world.alicePosition.takeProfitPrice?.toString()).toBe('0.6');
  });
});

describe('OpenAPI', () => {
  it('documents the automation routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    const paths = res.json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/snipers', '/api/v1/snipers/{id}', '/api/v1/positions/{id}/tpsl']));
    expect(paths['/api/v1/snipers'].post.responses).toHaveProperty('201');
    expect(paths['/api/v1/snipers/{id}'].delete.responses).toHaveProperty('409');
  });
});
