/**
 * Kalshi account-level calls against the fake: verifyKalshiCredentials (the linking helper's check),
 * fills (pagination, dedupe, since), lookup by client id past the first page, legacy shapes, the
 * fake's legacy create-order endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import type { CredentialSource, KalshiCredentials } from '../../core/exchanges/credentials.ts';
import { KalshiAdapter, verifyKalshiCredentials } from '../../core/exchanges/kalshi/adapter.ts';
import { kalshiAuthHeaders, loadKalshiPrivateKey } from '../../core/exchanges/kalshi/signing.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { FakeKalshi } from '../fakes/kalshi/server.ts';

const d = (v: string) => new Decimal(v);
let fake: FakeKalshi;
let adapter: KalshiAdapter;
const creds = new Map<string, KalshiCredentials>();
const source: CredentialSource = { polymarket: async () => null, kalshi: async (u) => creds.get(u) ?? null };
const T = 'KXACCT-26-Y';
const listing = { listingId: 'l', marketId: 'm', venue: 'kalshi' as const, venueMarketId: T, tickSize: d('0.01'), minSize: d('1'), negRisk: false };

async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VenueError);
  return err as VenueError;
}

beforeAll(async () => {
  fake = await FakeKalshi.start();
  fake.engine.addMarket({ ticker: T });
  adapter = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 15_000, credentials: source });
});
afterAll(async () => {
  await fake.stop();
});

describe('verifyKalshiCredentials', () => {
  it('returns the balance for a good key (PKCS#1 and PKCS#8)', async () => {
    for (const format of ['pkcs1', 'pkcs8'] as const) {
      const { keyId, privateKeyPem } = fake.registerKey({ balance: '25.5', format });
      expect(privateKeyPem).toContain(format === 'pkcs1' ? 'BEGIN RSA PRIVATE KEY' : 'BEGIN PRIVATE KEY');
      const balance = await verifyKalshiCredentials({ apiUrl: fake.url, keyId, privateKeyPem, timeoutMs: 15_000 });
      expect(balance.toFixed()).toBe('25.5');
    }
  });

  it('refuses a wrong key, an unknown key id, a revoked key and a malformed PEM with readable reasons and no key material', async () => {
    const a = fake.registerKey({ balance: '1' });
    const b = fake.registerKey({ balance: '1' });
    const cases: Array<[() => Promise<unknown>, RegExp, string]> = [
      [() => verifyKalshiCredentials({ apiUrl: fake.url, keyId: a.keyId, privateKeyPem: b.privateKeyPem, timeoutMs: 15_000 }), /signature/, 'AUTH'],
      [() => verifyKalshiCredentials({ apiUrl: fake.url, keyId: 'not-a-key', privateKeyPem: a.privateKeyPem, timeoutMs: 15_000 }), /does not know this API key/, 'AUTH'],
      [() => verifyKalshiCredentials({ apiUrl: fake.url, keyId: a.keyId, privateKeyPem: a.privateKeyPem.slice(0, 300), timeoutMs: 15_000 }), /damaged|not a PEM/, 'BAD_CREDENTIALS'],
      [() => verifyKalshiCredentials({ apiUrl: fake.url, keyId: ' ', privateKeyPem: a.privateKeyPem, timeoutMs: 15_000 }), /key id is empty/, 'AUTH'],
      [() => verifyKalshiCredentials({ apiUrl: fake.url, keyId: 'abc\ndéf', privateKeyPem: a.privateKeyPem, timeoutMs: 15_000 }), /characters a Kalshi key id never has/, 'AUTH'],
    ];
    for (const [p, why, code] of cases) {
      const err = await venueError(p());
      expect(err.kind).toBe('rejected');
      expect(err.code).toBe(code);
      expect(err.message).toMatch(why);
      for (const line of a.privateKeyPem.split('\n').slice(1, -2)) expect(err.message).not.toContain(line);
    }
    fake.revokeKey(a.keyId);
    expect((await venueError(verifyKalshiCredentials({ apiUrl: fake.url, keyId: a.keyId, privateKeyPem: a.privateKeyPem, timeoutMs: 15_000 }))).message).toMatch(/revoked/);
  });

  it('reads a legacy cents-only balance', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '12.34' });
    fake.legacyBalance = true;
    try {
      expect((await verifyKalshiCredentials({ apiUrl: fake.url, keyId, privateKeyPem, timeoutMs: 15_000 })).toFixed()).toBe('12.34');
    } finally {
      fake.legacyBalance = false;
    }
  });

  it('an error body wrapped in { error } maps the same', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '0' });
    creds.set('wrapped', { keyId, privateKeyPem });
    fake.engine.seedBook(T, { noBids: [['0.50', '5']] });
    fake.wrapErrors = true;
    try {
      const err = await venueError(
        adapter.placeOrder({ account: { userId: 'wrapped' }, listing, outcome: 'yes', action: 'buy', type: 'limit', timeInForce: 'GTC', clientOrderId: 'yn-w', price: d('0.50'), quantity: d('1') }),
      );
      expect([err.kind, err.code]).toEqual(['rejected', 'INSUFFICIENT_BALANCE']);
    } finally {
      fake.wrapErrors = false;
    }
  });
});

describe('fills and lookups past the first page', () => {
  it('pages through 250 fills, each once; since filters; the order is found by client id past 200 newer orders', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '10000' });
    creds.set('busy', { keyId, privateKeyPem });
    const account = { userId: 'busy' };
    // 250 one-contract asks at 0.45 → a 250-contract buy takes 250 fills.
    const maker = fake.registerKey({ balance: '10000' }).keyId;
    for (let i = 0; i < 250; i++)
      fake.engine.place(maker, { ticker: T, clientOrderId: `mk-${i}`, bookSide: 'ask', price: d('0.45'), count: d('1'), tif: 'good_till_canceled' });
    const order = await adapter.placeOrder({ account, listing, outcome: 'yes', action: 'buy', type: 'limit', timeInForce: 'FAK', clientOrderId: 'yn-big', price: d('0.45'), quantity: d('250') });
    expect(order.status).toBe('filled');
    expect(order.fills).toHaveLength(250);
    expect(new Set(order.fills.map((f) => f.venueTradeId)).size).toBe(250);
    const all = await adapter.getFills({ account });
    expect(all).toHaveLength(250);
    expect(all.reduce((s, f) => s.add(f.quantity), d('0')).toFixed()).toBe('250');
    expect(await adapter.getFills({ account, since: new Date(Date.now() + 60_000) })).toEqual([]);

    // 210 newer resting orders on the same ticker, then look up the old one.
    for (let i = 0; i < 210; i++)
      fake.engine.place(keyId, { ticker: T, clientOrderId: `other-${i}-y`, bookSide: 'bid', price: d('0.01'), count: d('1'), tif: 'good_till_canceled' });
    const found = await adapter.getOrderByClientId({ account, clientOrderId: 'yn-big', listing });
    expect(found?.venueOrderId).toBe(order.venueOrderId);
    expect(found?.fills).toHaveLength(250);
    expect(await adapter.getOrderByClientId({ account, clientOrderId: 'yn-never', listing })).toBeNull();
    expect(await adapter.getOrder({ account, venueOrderId: 'ord_nope' })).toBeNull();
  });
});

describe('the fake’s legacy create endpoint', () => {
  it('POST /portfolio/orders maps side/action/price the same way as the replacement endpoint', async () => {
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '100' });
    const key = loadKalshiPrivateKey(privateKeyPem);
    const post = (body: unknown) =>
      fetch(`${fake.url}/portfolio/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...kalshiAuthHeaders({ keyId, key, method: 'POST', pathname: '/trade-api/v2/portfolio/orders', nowMs: Date.now() }) },
        body: JSON.stringify(body),
      });
    const res = await post({ ticker: T, client_order_id: 'legacy-1', side: 'no', action: 'buy', count: 2, no_price: 30, time_in_force: 'good_till_canceled' });
    expect(res.status).toBe(201);
    const { order } = (await res.json()) as { order: Record<string, unknown> };
    expect(order.book_side).toBe('ask');
    expect(order.yes_price_dollars).toBe('0.7000');
    expect(order.side).toBe('no');
    const dup = await post({ ticker: T, client_order_id: 'legacy-1', side: 'no', action: 'buy', count: 2, no_price: 30 });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { code: string }).code).toBe('order_already_exists');
  });
});
