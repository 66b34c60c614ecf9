/**
 * The automation API end to end (issue 5): the whole yesno process (startTestStack: real core and
 * AutomationService, paper venues, Postgres, pg-boss, the automation monitors) over real HTTP.
 * Snipers: create, list, get (with the order it placed once it fired), cancel. TP/SL: set and clear
 * on a real position. Then a table of bad input for every endpoint: each answers a 4xx naming the
 * problem, writes nothing, and nothing in this file is ever a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import type { PaperExchange } from '../../core/exchanges/paper/paper-exchange.ts';
import type { Venue } from '../../core/exchanges/types.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const ADMIN_TOKEN = 'e2e-admin-token-automation-0123';
const DEC = /^\d+(\.\d+)?$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Markets of the demo catalog (each test keeps to its own, so books do not interfere).
const APPLE = 'apple-foldable-2026'; // Polymarket only (min 5 shares): create/list/cancel, bad input
const NVDA = 'nvidia-largest-2026'; // Polymarket only: a sniper that fires
const STARSHIP = 'starship-refuel-2026'; // Polymarket only: a position with TP/SL
const HOT = 'hottest-year-2026'; // Kalshi only

const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

let stack: TestStack;
let base: string;
const seen: { method: string; path: string; status: number }[] = [];

interface Res {
  status: number;
  body: any;
}

async function call(method: string, path: string, opts: { token?: string | null; json?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  seen.push({ method, path, status: res.status });
  return { status: res.status, body: parsed };
}

async function newUser(name: string): Promise<{ id: string; token: string }> {
  const res = await call('POST', '/admin/users', { token: ADMIN_TOKEN, json: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.user.id, token: res.body.apiToken };
}

function paper(venue: Venue): PaperExchange {
  return stack.core.adapters.get(venue) as PaperExchange;
}

async function settle() {
  await Promise.all([paper('polymarket').idle(), paper('kalshi').idle()]);
}

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await settle();
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sniperRows = () => stack.db.prisma.sniperOrder.count();

let ann: { id: string; token: string };
let bob: { id: string; token: string };

beforeAll(async () => {
  stack = await startTestStack({ ADMIN_TOKEN, RATE_LIMIT_PER_MIN: '100000' });
  base = stack.address!;
  ann = await newUser('ann-sniper');
  bob = await newUser('bob-sniper');
  stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.50', '100')], asks: [lv('0.53', '100')] });
});

afterAll(async () => {
  await stack?.stop();
});

describe('snipers over HTTP', () => {
  it('POST → 201 with every field; the row holds exactly what was sent; GET lists and gets it; bob sees nothing', async () => {
    const expiresAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const res = await call('POST', '/api/v1/snipers', {
      token: ann.token,
      json: { marketId: APPLE, side: 'yes', triggerPrice: '0.3', amount: '12.5', slippage: '0.03', expiresAt, repeat: true, exchange: 'polymarket' },
    });
    expect(res.status).toBe(201);
    const s = res.body.sniper;
    expect(s).toMatchObject({
      status: 'WATCHING',
      marketId: APPLE,
      marketTitle: 'Will Apple announce a foldable iPhone in 2026?',
      side: 'yes',
      triggerPrice: '0.3',
      amount: '12.5',
      slippage: '0.03',
      expiresAt,
      repeat: true,
      exchange: 'polymarket',
      paused: false,
      fireCount: 0,
      orderIds: [],
      failureReason: null,
    });
    expect(s.id).toMatch(UUID_RE);
    for (const k of ['triggerPrice', 'amount', 'slippage']) expect(s[k]).toMatch(DEC);
    const row = await stack.db.prisma.sniperOrder.findUniqueOrThrow({ where: { id: s.id } });
    expect([row.userId, row.triggerPrice.toString(), row.amount.toString(), row.slippage.toString(), row.status]).toEqual([ann.id, '0.3', '12.5', '0.03', 'WATCHING']);

    const byDefault = await call('POST', '/api/v1/snipers', { token: ann.token, json: { marketId: APPLE, side: 'no', triggerPrice: '0.2', amount: '5' } });
    expect(byDefault.status).toBe(201);
    expect(byDefault.body.sniper).toMatchObject({ slippage: '0.02', expiresAt: null, repeat: false, exchange: null });

    const list = await call('GET', '/api/v1/snipers', { token: ann.token });
    expect(list.status).toBe(200);
    expect(list.body.snipers.map((x: { id: string }) => x.id)).toEqual([byDefault.body.sniper.id, s.id]);
    const watching = await call('GET', '/api/v1/snipers?status=watching', { token: ann.token });
    expect(watching.body.snipers).toHaveLength(2);
    const none = await call('GET', '/api/v1/snipers?status=FILLED,EXPIRED', { token: ann.token });
    expect(none.body.snipers).toEqual([]);

    const one = await call('GET', `/api/v1/snipers/${s.id}`, { token: ann.token });
    expect(one.status).toBe(200);
    expect(one.body.sniper).toEqual(s);

    expect((await call('GET', '/api/v1/snipers', { token: bob.token })).body.snipers).toEqual([]);
    const foreign = await call('GET', `/api/v1/snipers/${s.id}`, { token: bob.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('order_not_found');
  });

  it('Idempotency-Key: 10 concurrent retries arm one sniper and all answer with it; another key arms another', async () => {
    const body = { marketId: APPLE, side: 'yes', triggerPrice: '0.2', amount: '6' };
    const before = await stack.db.prisma.sniperOrder.count({ where: { userId: ann.id } });
    const res = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/api/v1/snipers', { token: ann.token, json: body, headers: { 'idempotency-key': 'snipe-once-1' } })));
    expect(res.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(res.map((r) => r.body.sniper.id)).size).toBe(1);
    expect(await stack.db.prisma.sniperOrder.count({ where: { userId: ann.id } })).toBe(before + 1);
    const other = await call('POST', '/api/v1/snipers', { token: ann.token, json: body, headers: { 'idempotency-key': 'snipe-once-2' } });
    expect(other.status).toBe(201);
    expect(other.body.sniper.id).not.toBe(res[0]!.body.sniper.id);
    const bad = await call('POST', '/api/v1/snipers', { token: ann.token, json: body, headers: { 'idempotency-key': 'has space' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Idempotency-Key header must be 1 to 128 printable ASCII characters/);
    expect(await stack.db.prisma.sniperOrder.count({ where: { userId: ann.id } })).toBe(before + 2);
  });

  it('DELETE cancels a watching sniper (200 CANCELLED); again → 409; bob → 404 and it stays as it was', async () => {
    const created = await call('POST', '/api/v1/snipers', { token: ann.token, json: { marketId: APPLE, side: 'yes', triggerPrice: '0.25', amount: '10' } });
    const id = created.body.sniper.id;
    const foreign = await call('DELETE', `/api/v1/snipers/${id}`, { token: bob.token });
    expect(foreign.status).toBe(404);
    expect((await stack.db.prisma.sniperOrder.findUniqueOrThrow({ where: { id } })).status).toBe('WATCHING');
    const res = await call('DELETE', `/api/v1/snipers/${id}`, { token: ann.token });
    expect(res.status).toBe(200);
    expect(res.body.sniper).toMatchObject({ id, status: 'CANCELLED' });
    const again = await call('DELETE', `/api/v1/snipers/${id}`, { token: ann.token });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'not_cancellable' });
    expect(again.body.error.message).toMatch(/cancelled/);
    const cancelled = await call('GET', '/api/v1/snipers?status=cancelled', { token: ann.token });
    expect(cancelled.body.snipers.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it('when the ask reaches the trigger it fires one buy; GET /snipers/:id shows FILLED with that order id', async () => {
    const cond = demoConditionId(NVDA);
    stack.feed.setBook('polymarket', cond, { bids: [lv('0.58', '100')], asks: [lv('0.60', '100')] });
    const created = await call('POST', '/api/v1/snipers', { token: ann.token, json: { marketId: NVDA, side: 'yes', triggerPrice: '0.5', amount: '10' } });
    expect(created.status).toBe(201);
    const id = created.body.sniper.id;
    stack.feed.setBook('polymarket', cond, { bids: [lv('0.47', '100')], asks: [lv('0.49', '100')] });
    const fired = await poll(
      async () => (await call('GET', `/api/v1/snipers/${id}`, { token: ann.token })).body.sniper,
      (s) => s.status === 'FILLED' && s.orderIds.length === 1,
    );
    expect(fired).toMatchObject({ status: 'FILLED', fireCount: 1 });
    expect(fired.orderIds).toHaveLength(1);
    const order = await poll(
      async () => (await call('GET', `/api/v1/trading/orders/${fired.orderIds[0]}`, { token: ann.token })).body.order,
      (o) => o.status === 'filled',
    );
    expect(order).toMatchObject({ source: 'sniper', side: 'yes', action: 'buy', exchange: 'polymarket', status: 'filled', avgFillPrice: '0.49' });
    expect(d(order.price).lte(d('0.51'))).toBe(true); // no worse than trigger × (1 + 2%), on the tick
    // Cancelling a filled sniper is a conflict, and it stays FILLED.
    const del = await call('DELETE', `/api/v1/snipers/${id}`, { token: ann.token });
    expect(del.status).toBe(409);
    expect((await call('GET', `/api/v1/snipers/${id}`, { token: ann.token })).body.sniper.status).toBe('FILLED');
  });
});

describe('TP/SL over HTTP', () => {
  let positionId: string;
  beforeAll(async () => {
    stack.feed.setBook('polymarket', demoConditionId(STARSHIP), { bids: [lv('0.28', '500')], asks: [lv('0.30', '500')] });
    const res = await call('POST', '/api/v1/trading/order', { token: ann.token, json: { marketId: STARSHIP, side: 'yes', action: 'buy', type: 'market', amount: '6' } });
    expect(res.status).toBe(201);
    await settle();
    const positions = (await call('GET', '/api/v1/positions', { token: ann.token })).body.positions;
    positionId = positions.find((p: { marketId: string }) => p.marketId === STARSHIP).id;
  });

  it('sets both levels, clears one with null, leaves an omitted one alone; GET /positions shows them', async () => {
    const url = `/api/v1/positions/${positionId}/tpsl`;
    const set = await call('PUT', url, { token: ann.token, json: { takeProfitPrice: '0.5', stopLossPrice: '0.2' } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ position: { id: positionId, takeProfitPrice: '0.5', stopLossPrice: '0.2' } });
    const listed = (await call('GET', '/api/v1/positions', { token: ann.token })).body.positions.find((p: { id: string }) => p.id === positionId);
    expect([listed.takeProfitPrice, listed.stopLossPrice]).toEqual(['0.5', '0.2']);
    const cleared = await call('PUT', url, { token: ann.token, json: { stopLossPrice: null } });
    expect(cleared.body.position).toEqual({ id: positionId, takeProfitPrice: '0.5', stopLossPrice: null });
    const moved = await call('PUT', url, { token: ann.token, json: { stopLossPrice: '0.15' } });
    expect(moved.body.position).toEqual({ id: positionId, takeProfitPrice: '0.5', stopLossPrice: '0.15' });
  });

  it('refuses levels that make no sense, and other users, changing nothing', async () => {
    const url = `/api/v1/positions/${positionId}/tpsl`;
    const before = await stack.db.prisma.position.findUniqueOrThrow({ where: { id: positionId } });
    const cases: [string, string, unknown, number, string, RegExp][] = [
      ['tp at or below the bid (would sell at once)', ann.token, { takeProfitPrice: '0.25' }, 400, 'invalid_input', /would sell right away/],
      ['sl at or above the bid (would sell at once)', ann.token, { stopLossPrice: '0.29' }, 400, 'invalid_input', /would sell right away/],
      ['sl above the existing tp', ann.token, { stopLossPrice: '0.6' }, 400, 'invalid_input', /take-profit \(50¢\) must be above the stop-loss \(60¢\)/],
      ['tp not above sl in one body', ann.token, { takeProfitPrice: '0.4', stopLossPrice: '0.45' }, 400, 'invalid_input', /takeProfitPrice \(0\.4\) must be above stopLossPrice \(0\.45\)/],
      ['a number', ann.token, { takeProfitPrice: 0.6 }, 400, 'invalid_input', /takeProfitPrice must be a string such as "0\.6" \(decimal money is sent as strings\)/],
      ['outside 0–1', ann.token, { takeProfitPrice: '1.5' }, 400, 'invalid_input', /takeProfitPrice must be below 1/],
      ['zero', ann.token, { stopLossPrice: '0' }, 400, 'invalid_input', /stopLossPrice must be greater than 0/],
      ['negative', ann.token, { stopLossPrice: '-0.1' }, 400, 'invalid_input', /stopLossPrice must be a positive decimal/],
      ['empty body', ann.token, {}, 400, 'invalid_input', /send takeProfitPrice and\/or stopLossPrice/],
      ['unknown field', ann.token, { takeProfitPrice: '0.6', trailing: '0.1' }, 400, 'invalid_input', /unknown body field "trailing"/],
      ["bob on ann's position", bob.token, { takeProfitPrice: '0.6' }, 404, 'position_not_found', /You have no open position/],
    ];
    for (const [name, token, json, status, code, message] of cases) {
      const res = await call('PUT', url, { token, json });
      expect(res.status, name).toBe(status);
      expect(res.body.error.code, name).toBe(code);
      expect(res.body.error.message, name).toMatch(message);
    }
    const missing = await call('PUT', '/api/v1/positions/3f2c9a9e-1b2c-4d5e-8f90-123456789abc/tpsl', { token: ann.token, json: { takeProfitPrice: '0.6' } });
    expect(missing.status).toBe(404);
    const malformed = await call('PUT', '/api/v1/positions/not-an-id/tpsl', { token: ann.token, json: { takeProfitPrice: '0.6' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/position id must be a UUID/);
    const noAuth = await call('PUT', url, { token: null, json: { takeProfitPrice: '0.6' } });
    expect(noAuth.status).toBe(401);
    const after = await stack.db.prisma.position.findUniqueOrThrow({ where: { id: positionId } });
    expect([after.takeProfitPrice?.toString(), after.stopLossPrice?.toString()]).toEqual([before.takeProfitPrice?.toString(), before.stopLossPrice?.toString()]);
  });
});

describe('the chat commands on the real core', () => {
  const chat: ChatContext = { platform: 'console', userExternalId: 'carol', userName: 'carol', chatId: 'console', isGroup: false };
  const say = async (handler: ReturnType<typeof createCommandHandler>, text: string) => {
    const r = await handler.handleText(chat, text);
    expect(r).toHaveLength(1);
    return r[0]!;
  };

  it('/snipe asks to confirm, Confirm arms it, /snipers lists it, /unsnipe cancels it', async () => {
    const handler = createCommandHandler({ services: stack.core });
    const before = await sniperRows();
    const q = await say(handler, `/snipe ${APPLE} yes $10 @30c slippage 3% for 2h`);
    expect(q.kind).toBe('confirm');
    expect(q.text).toContain("trigger 30¢ · worst price 30¢ [30.9¢ rounded down to the 1¢ tick] (3% slippage)");
    expect(await sniperRows()).toBe(before);
    const armed = await say(handler, 'y');
    expect(armed.text).toMatch(/^Sniper ([0-9a-f]{8}) armed: buy \$10\.00 of YES when the ask is ≤ 30¢ \(worst 30\.9¢\)\./);
    expect(await sniperRows()).toBe(before + 1);
    const short = /^Sniper ([0-9a-f]{8})/.exec(armed.text)![1]!;
    expect((await say(handler, '/snipers')).text).toContain(`${short}  watching  YES ≤ 30¢ · $10.00 · slip 3%`);
    expect((await say(handler, `/unsnipe ${short}`)).text).toMatch(new RegExp(`^Sniper ${short} cancelled; it will not buy\\.`));
    expect((await say(handler, `/unsnipe ${short}`)).text).toMatch(/is already cancelled; there is nothing to cancel/);
    // Bad input changes nothing.
    const n = await sniperRows();
    expect((await say(handler, `/snipe ${APPLE} yes $1 @30c`)).text).toMatch(/minimum is 5 shares/);
    expect((await say(handler, `/snipe ${APPLE} yes $10 @30c until 2021-01-01`)).text).toMatch(/already past/);
    expect((await say(handler, `/snipe ${APPLE} yes $10 @30c on kalshi`)).text).toMatch(/not listed on kalshi/);
    expect(await sniperRows()).toBe(n);
  });

  it('/buy … tp sl sets the levels after the fill; /tp and /sl move and clear them; a level the bid has crossed is refused', async () => {
    const handler = createCommandHandler({ services: stack.core });
    stack.feed.setBook('polymarket', demoConditionId(STARSHIP), { bids: [lv('0.28', '500')], asks: [lv('0.30', '500')] });
    const q = await say(handler, `/buy ${STARSHIP} yes $6 tp 50c sl 20c`);
    expect(q.text).toContain('after it fills: take-profit 50¢ and stop-loss 20¢ on the position');
    const bought = await say(handler, 'y');
    expect(bought.text).toMatch(/^Bought 20\.00 YES at avg 30¢ on polymarket/);
    expect(bought.text).toMatch(/\nSet on your 20\.00 YES shares on polymarket: take-profit 50¢ · stop-loss 20¢ \(position #[0-9a-f]{8}\)\.$/);
    const tp = await say(handler, `/tp ${STARSHIP} yes @60c`);
    expect(tp.text).toMatch(/^Take-profit set at 60¢ on your 20\.00 YES shares/);
    expect(tp.text).toMatch(/Now: take-profit 60¢ · stop-loss 20¢/);
    const crossed = await say(handler, `/sl ${STARSHIP} yes @29c`);
    expect(crossed.kind).toBe('error');
    expect(crossed.text).toMatch(/would sell right away/);
    const off = await say(handler, `/sl ${STARSHIP} yes off`);
    expect(off.text).toMatch(/Now: take-profit 60¢ · stop-loss none/);
    const none = await say(handler, `/tp ${NVDA} no @60c`);
    expect(none.text).toMatch(/^You hold no NO shares of/);
  });
});

describe('bad input for every sniper endpoint: 4xx naming the problem, nothing written', () => {
  const ok = { marketId: APPLE, side: 'yes', triggerPrice: '0.3', amount: '10' };
  const cases: [string, unknown, number, string, RegExp][] = [
    ['trigger of 1', { ...ok, triggerPrice: '1' }, 400, 'invalid_input', /triggerPrice must be below 1/],
    ['trigger above 1', { ...ok, triggerPrice: '2.5' }, 400, 'invalid_input', /triggerPrice must be below 1/],
    ['trigger of 0', { ...ok, triggerPrice: '0' }, 400, 'invalid_input', /triggerPrice must be greater than 0/],
    ['negative trigger', { ...ok, triggerPrice: '-0.3' }, 400, 'invalid_input', /triggerPrice must be a positive decimal/],
    ['trigger as a number', { ...ok, triggerPrice: 0.3 }, 400, 'invalid_input', /triggerPrice must be a string such as "0\.42" \(decimal money is sent as strings\)/],
    ['negative amount', { ...ok, amount: '-10' }, 400, 'invalid_input', /amount must be a positive decimal/],
    ['zero amount', { ...ok, amount: '0' }, 400, 'invalid_input', /amount must be greater than 0/],
    ['amount as a number', { ...ok, amount: 10 }, 400, 'invalid_input', /amount must be a string such as "25"/],
    ['slippage over 50%', { ...ok, slippage: '0.75' }, 400, 'invalid_input', /slippage must be at most 0\.5 \(50%\)/],
    ['slippage as a number', { ...ok, slippage: 0.02 }, 400, 'invalid_input', /slippage must be a string such as "0\.02"/],
    ['past expiry', { ...ok, expiresAt: '2021-06-01T00:00:00Z' }, 400, 'invalid_input', /expiresAt must be in the future/],
    ['expiry not a date', { ...ok, expiresAt: 'next week' }, 400, 'invalid_input', /expiresAt must be an ISO 8601 date-time/],
    ['repeat not a boolean', { ...ok, repeat: 1 }, 400, 'invalid_input', /repeat must be true or false/],
    ['bad side', { ...ok, side: 'maybe' }, 400, 'invalid_input', /side must be "yes" or "no"/],
    ['bad exchange', { ...ok, exchange: 'betfair' }, 400, 'invalid_input', /exchange must be "polymarket" or "kalshi"/],
    ['unknown field', { ...ok, limitPrice: '0.3' }, 400, 'invalid_input', /unknown body field "limitPrice"/],
    ['unknown market', { ...ok, marketId: 'no-such-market-anywhere' }, 404, 'market_not_found', /no-such-market-anywhere/],
    ['a venue that does not list it', { ...ok, exchange: 'kalshi' }, 422, 'venue_not_listed', /not listed on kalshi/],
    ['Kalshi-only market forced to Polymarket', { ...ok, marketId: HOT, exchange: 'polymarket' }, 422, 'venue_not_listed', /not listed on polymarket/],
    ['below the venue minimum at the trigger', { ...ok, amount: '1' }, 422, 'below_minimum', /minimum for this market is 5/],
    ['above the per-order limit', { ...ok, amount: '20000' }, 422, 'max_order_size', /above your per-order limit of \$10000\.00/],
  ];
  for (const [name, json, status, code, message] of cases) {
    it(`POST /snipers, ${name} → ${status} ${code}`, async () => {
      const before = await sniperRows();
      const res = await call('POST', '/api/v1/snipers', { token: ann.token, json });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toMatch(message);
      expect(await sniperRows()).toBe(before);
    });
  }

  it('malformed JSON and a missing body are 400; no token is 401; nothing is written', async () => {
    const before = await sniperRows();
    expect((await call('POST', '/api/v1/snipers', { token: ann.token, raw: '{"marketId":' })).status).toBe(400);
    const empty = await call('POST', '/api/v1/snipers', { token: ann.token });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('body must be a JSON object');
    expect((await call('POST', '/api/v1/snipers', { token: null, json: ok })).status).toBe(401);
    expect(await sniperRows()).toBe(before);
  });

  it('GET /snipers: unknown status or parameter → 400', async () => {
    const s = await call('GET', '/api/v1/snipers?status=armed', { token: ann.token });
    expect(s.status).toBe(400);
    expect(s.body.error.message).toMatch(/status must be a comma-separated list of WATCHING, EXECUTING, FILLED, EXPIRED, CANCELLED, FAILED \(unknown: "armed"\)/);
    expect((await call('GET', '/api/v1/snipers?page=2', { token: ann.token })).status).toBe(400);
  });

  it('GET/DELETE /snipers/:id: malformed id → 400, unknown id → 404; nothing changes', async () => {
    const statuses = async () => (await stack.db.prisma.sniperOrder.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } })).map((r) => `${r.id}:${r.status}`);
    const before = await statuses();
    for (const method of ['GET', 'DELETE']) {
      const bad = await call(method, '/api/v1/snipers/12345', { token: ann.token });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/sniper id must be a UUID/);
      const missing = await call(method, '/api/v1/snipers/3f2c9a9e-1b2c-4d5e-8f90-123456789abc', { token: ann.token });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('order_not_found');
    }
    expect(await statuses()).toEqual(before);
  });

  it('nothing in this file was a 5xx', () => {
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
  });
});
