/**
 * /api/v1/counter-trades and /api/v1/copy-trades end to end: the whole yesno process over real HTTP
 * (paper venues, Postgres, pg-boss, the follow engine reading a fake data API). Create, list, get (with
 * the order a target's trade produced), patch (pause, resume, caps), delete (stop); then a table of bad
 * input for every endpoint: each is a 4xx naming the problem, writes nothing, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { demoConditionId, demoTokenId } from '../../core/markets/catalog.ts';
import { startFakeDataApi, type FakeDataApi } from '../fakes/polymarket/data-api.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const APPLE = 'apple-foldable-2026';
const W = '0x56687bf447db6ffa42ffe2204a05edaa20f55839';
const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

let stack: TestStack;
let api: FakeDataApi;
let base: string;
let token: string;
let otherToken: string;
const statuses: number[] = [];

async function call(method: string, path: string, opts: { token?: string; json?: unknown; raw?: string; contentType?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? token}` };
  let body: string | undefined;
  if (opts.json !== undefined || opts.raw !== undefined) {
    body = opts.raw ?? JSON.stringify(opts.json);
    headers['content-type'] = opts.contentType ?? 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  statuses.push(res.status);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function counts(): Promise<number> {
  const p = stack.db.prisma;
  return (await p.counterTradeConfig.count()) + (await p.copyTradeSubscription.count()) + (await p.followedWallet.count());
}

beforeAll(async () => {
  api = await startFakeDataApi();
  stack = await startTestStack({ POLYMARKET_DATA_URL: api.url, FOLLOW_POLL_SECONDS: '3600', ADMIN_TOKEN: 'e2e-admin-token-follow-012345' });
  base = stack.address!;
  token = (await stack.core.users.createUser({ name: 'ann' })).apiToken;
  otherToken = (await stack.core.users.createUser({ name: 'bob' })).apiToken;
  stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.48', '5000')], asks: [lv('0.50', '5000')] });
});
afterAll(async () => {
  await stack?.stop();
  await api?.close();
});

describe('counter-trades and copy-trades over HTTP', () => {
  it('create, a target trade, get with its order, list, patch, pause/resume, delete', async () => {
    const created = await call('POST', '/api/v1/counter-trades', {
      json: { targetWalletAddress: W, sizeMultiplier: '0.5', maxTradeSize: '100', dailyStopLoss: '50', categories: ['tech'] },
    });
    expect(created.status).toBe(201);
    const c = created.body.counterTrade;
    expect(c).toMatchObject({ kind: 'counter', targetWalletAddress: W, strategy: 'inverse', sizeMultiplier: '0.5', executionDelaySec: 0, maxTradeSize: '100', dailyStopLoss: '50', categories: ['tech'], state: 'active', dailyPnl: '0', dailyTradeCount: 0, orderIds: [] });
    const copy = await call('POST', '/api/v1/copy-trades', { json: { targetWalletAddress: W.toUpperCase().replace('0X', '0x'), sizeMultiplier: '1', executionDelaySec: 0 } });
    expect(copy.status).toBe(201);
    expect(copy.body.copyTrade).toMatchObject({ kind: 'copy', strategy: 'copy', targetWalletAddress: W });

    await stack.following!.cycle(); // the first poll: following starts now
    api.addTrade(W, { side: 'BUY', asset: demoTokenId(APPLE, 'yes'), size: 20, price: 0.5 });
    await stack.db.prisma.followedWallet.update({ where: { address: W }, data: { lastPolledAt: null } });
    await stack.following!.cycle();
    await stack.following!.idle();

    const got = await call('GET', `/api/v1/counter-trades/${c.id}`);
    expect(got.status).toBe(200);
    expect(got.body.counterTrade.orderIds).toHaveLength(1);
    expect(got.body.counterTrade.dailyTradeCount).toBe(1);
    const order = await call('GET', `/api/v1/trading/orders/${got.body.counterTrade.orderIds[0]}`);
    expect(order.status).toBe(200);
    expect(order.body.order).toMatchObject({ side: 'no', action: 'buy', source: 'counter-trade', quantity: '10' });
    const gotCopy = await call('GET', `/api/v1/copy-trades/${copy.body.copyTrade.id}`);
    expect(gotCopy.body.copyTrade.orderIds).toHaveLength(1);

    const list = await call('GET', '/api/v1/counter-trades');
    expect(list.status).toBe(200);
    expect(list.body.counterTrades.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await call('GET', '/api/v1/copy-trades')).body.copyTrades).toHaveLength(1);
    expect((await call('GET', '/api/v1/counter-trades', { token: otherToken })).body.counterTrades).toEqual([]);

    const patched = await call('PATCH', `/api/v1/counter-trades/${c.id}`, { json: { sizeMultiplier: '2', maxTradeSize: null, executionDelaySec: 5, categories: [] } });
    expect(patched.status).toBe(200);
    expect(patched.body.counterTrade).toMatchObject({ sizeMultiplier: '2', maxTradeSize: null, executionDelaySec: 5, categories: [] });
    expect((await call('PATCH', `/api/v1/counter-trades/${c.id}`, { json: { enabled: false } })).body.counterTrade.state).toBe('paused');
    expect((await call('PATCH', `/api/v1/counter-trades/${c.id}`, { json: { enabled: true } })).body.counterTrade.state).toBe('active');

    const del = await call('DELETE', `/api/v1/counter-trades/${c.id}`);
    expect(del.status).toBe(200);
    expect(del.body.counterTrade.state).toBe('stopped');
    expect((await call('DELETE', `/api/v1/counter-trades/${c.id}`)).status).toBe(409);
    const stoppedPatch = await call('PATCH', `/api/v1/counter-trades/${c.id}`, { json: { enabled: true } });
    expect(stoppedPatch.status).toBe(409);
    expect(stoppedPatch.body.error.message).toMatch(/was stopped; start a new one/);
    expect((await call('GET', '/api/v1/counter-trades')).body.counterTrades).toEqual([]);
    expect((await call('GET', '/api/v1/counter-trades?includeStopped=true')).body.counterTrades).toHaveLength(1);
  });

  it('bad input on every endpoint: a specific 4xx, nothing written, never a 5xx', async () => {
    const copy = (await call('POST', '/api/v1/copy-trades', { json: { targetWalletAddress: W, sizeMultiplier: '1' } })).body.copyTrade;
    const before = await counts();
    const ok = { targetWalletAddress: W, sizeMultiplier: '1' };
    const posts: [string, unknown, number, RegExp][] = [
      ['no wallet', { sizeMultiplier: '1' }, 400, /targetWalletAddress is required/],
      ['short wallet', { ...ok, targetWalletAddress: '0x1234' }, 400, /targetWalletAddress must be 0x followed by 40 hex digits.*got "0x1234"/],
      ['wallet without 0x', { ...ok, targetWalletAddress: '56687bf447db6ffa42ffe2204a05edaa20f55839' }, 400, /0x followed by 40 hex digits/],
      ['non-hex wallet', { ...ok, targetWalletAddress: '0x56687bf447db6ffa42ffe2204a05edaa20f5583g' }, 400, /0x followed by 40 hex digits/],
      ['wallet as a number', { ...ok, targetWalletAddress: 12 }, 400, /targetWalletAddress must be a string/],
      ['no multiplier', { targetWalletAddress: W }, 400, /sizeMultiplier is required/],
      ['multiplier as a number', { ...ok, sizeMultiplier: 1.5 }, 400, /sizeMultiplier must be a string such as "1.5"/],
      ['zero multiplier', { ...ok, sizeMultiplier: '0' }, 400, /sizeMultiplier must be greater than 0/],
      ['negative multiplier', { ...ok, sizeMultiplier: '-1' }, 400, /sizeMultiplier must be a positive decimal/],
      ['3-place multiplier', { ...ok, sizeMultiplier: '1.255' }, 400, /sizeMultiplier has at most 2 decimal places/],
      ['huge multiplier', { ...ok, sizeMultiplier: '1000' }, 400, /sizeMultiplier is at most "999.99"/],
      ['negative delay', { ...ok, executionDelaySec: -1 }, 400, /executionDelaySec must be 0 or more/],
      ['fractional delay', { ...ok, executionDelaySec: 1.5 }, 400, /executionDelaySec must be a whole number/],
      ['delay as a string', { ...ok, executionDelaySec: '5' }, 400, /executionDelaySec must be a whole number/],
      ['delay over an hour', { ...ok, executionDelaySec: 3601 }, 400, /executionDelaySec is at most 3600/],
      ['zero max', { ...ok, maxTradeSize: '0' }, 400, /maxTradeSize must be greater than 0/],
      ['max as a number', { ...ok, maxTradeSize: 50 }, 400, /maxTradeSize must be a string such as "50"/],
      ['bad stop', { ...ok, dailyStopLoss: 'lots' }, 400, /dailyStopLoss must be a positive decimal/],
      ['categories not a list', { ...ok, categories: 'politics' }, 400, /categories must be a list/],
      ['unknown category', { ...ok, categories: ['politics', 'astrology'] }, 400, /"astrology" is not a market category; known ones: .*politics/],
      ['unknown field', { ...ok, side: 'yes' }, 400, /unknown .*side/],
      ['strategy other than inverse', { ...ok, strategy: 'momentum' }, 400, /strategy must be "inverse"/],
    ];
    for (const [name, json, status, message] of posts) {
      const res = await call('POST', '/api/v1/counter-trades', { json });
      expect(res.status, name).toBe(status);
      expect(res.body.error.message, name).toMatch(message);
    }
    const copyStrategy = await call('POST', '/api/v1/copy-trades', { json: { ...ok, strategy: 'inverse' } });
    expect(copyStrategy.status).toBe(400);
    expect(copyStrategy.body.error.message).toMatch(/A copy-trade takes the target's side/);
    expect((await call('POST', '/api/v1/copy-trades', { raw: '{"targetWalletAddress": ' })).status).toBe(400);
    expect((await call('POST', '/api/v1/copy-trades', { raw: 'x', contentType: 'text/plain' })).status).toBe(415);

    const id = copy.id as string;
    const patches: [string, unknown, RegExp][] = [
      ['empty', {}, /send at least one of/],
      ['wallet change', { targetWalletAddress: W }, /unknown .*targetWalletAddress/],
      ['enabled as a string', { enabled: 'yes' }, /enabled must be true \(resume\) or false \(pause\)/],
      ['bad multiplier', { sizeMultiplier: 'x2' }, /sizeMultiplier must be a positive decimal/],
      ['bad category', { categories: ['nope'] }, /"nope" is not a market category/],
    ];
    for (const [name, json, message] of patches) {
      const res = await call('PATCH', `/api/v1/copy-trades/${id}`, { json });
      expect(res.status, name).toBe(400);
      expect(res.body.error.message, name).toMatch(message);
    }
    for (const [method, path, status, message] of [
      ['GET', '/api/v1/copy-trades/not-an-id', 400, /copy-trade id must be a UUID/],
      ['PATCH', '/api/v1/copy-trades/not-an-id', 400, /copy-trade id must be a UUID/],
      ['DELETE', '/api/v1/counter-trades/123', 400, /counter-trade id must be a UUID/],
      ['GET', `/api/v1/counter-trades/${id}`, 404, /No counter-trade/],
      ['GET', '/api/v1/copy-trades?includeStopped=maybe', 400, /includeStopped must be "true" or "false"/],
    ] as const) {
      const res = await call(method, path, method === 'PATCH' ? { json: { enabled: false } } : {});
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.body.error.message, `${method} ${path}`).toMatch(message);
    }
    // Another user's follow is a 404, like a missing one, for every method.
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(method, `/api/v1/copy-trades/${id}`, { token: otherToken, ...(method === 'PATCH' ? { json: { enabled: false } } : {}) });
      expect(res.status, method).toBe(404);
      expect(res.body.error.code).toBe('copy_trade_not_found');
    }
    expect((await call('GET', '/api/v1/copy-trades', { token: 'nope' })).status).toBe(401);
    expect(await counts()).toBe(before);
    const still = await call('GET', `/api/v1/copy-trades/${id}`);
    expect(still.body.copyTrade).toMatchObject({ state: 'active', sizeMultiplier: '1', categories: [] });
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});
