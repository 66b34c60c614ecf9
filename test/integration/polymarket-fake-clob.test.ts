/**
 * The fake CLOB against the official client (@polymarket/clob-client-v2): if the official client can
 * create keys, read markets, sign, post, look up and cancel orders against it, the fake speaks the
 * venue's protocol (paths, headers, bodies). Plus what the fake must refuse: bad L1 / L2 headers and
 * tampered or wrongly-signed orders.
 */
import { ClobClient, OrderType, Side } from '@polymarket/clob-client-v2';
import { createWalletClient, custom } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClobHttp } from '../../core/exchanges/polymarket/http.ts';
import { buildSignedOrder } from '../../core/exchanges/polymarket/order-builder.ts';
import { createOrDeriveApiCreds } from '../../core/exchanges/polymarket/wallet.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import { YES_TOKEN, startPolymarketHarness, type PolymarketHarness } from '../fakes/polymarket/harness.ts';

const walletOf = (pk: `0x${string}`) =>
  createWalletClient({ account: privateKeyToAccount(pk), transport: custom({ request: async () => Promise.reject(new Error('no rpc')) }) });

describe('fake CLOB faithfulness', () => {
  let h: PolymarketHarness;
  beforeAll(async () => {
    h = await startPolymarketHarness();
  });
  afterAll(() => h.stop());

  it('serves the official client: create/derive key, market data, sign + post + get + cancel', async () => {
    const pk = generatePrivateKey();
    const signer = walletOf(pk);
    const l1 = new ClobClient({ host: h.clob.url, chain: 137, signer: signer as never });
    const creds = await l1.createOrDeriveApiKey();
    expect(creds.key).toBeTruthy();
    // A second create answers 400 "Could not create api key"; the client then derives the same key.
    const again = await l1.createOrDeriveApiKey();
    expect(again.key).toBe(creds.key);
    h.clob.fund({ address: signer.account.address, usdc: '50' });
    const client = new ClobClient({ host: h.clob.url, chain: 137, signer: signer as never, creds, throwOnError: true });
    expect(await client.getTickSize(YES_TOKEN)).toBe('0.01');
    expect(await client.getNegRisk(YES_TOKEN)).toBe(false);
    const book = await client.getOrderBook(YES_TOKEN);
    expect(book.asset_id).toBe(YES_TOKEN);
    const res = await client.createAndPostOrder({ tokenID: YES_TOKEN, price: 0.42, size: 10, side: Side.BUY }, { tickSize: '0.01' }, OrderType.GTC);
    expect(res.success).toBe(true);
    expect(res.status).toBe('live');
    const order = await client.getOrder(res.orderID);
    expect([order.status, order.original_size, order.price]).toEqual(['LIVE', '10', '0.42']);
    const open = await client.getOpenOrders();
    expect(open.map((o) => o.id)).toContain(res.orderID);
    const bal = await client.getBalanceAllowance({ asset_type: 'COLLATERAL' as never });
    expect(bal.balance).toBe('45800000');
    const cancelled = await client.cancelOrder({ orderID: res.orderID });
    expect(cancelled.canceled).toEqual([res.orderID]);
    expect(h.clob.count('GET', '/version')).toBeGreaterThan(0);
  });

  it('wallet.ts creates, then derives the same credentials; a wrong chain signature is refused (401)', async () => {
    const pk = generatePrivateKey();
    const first = await createOrDeriveApiCreds({ privateKey: pk, clobUrl: h.clob.url, chainId: 137 });
    const second = await createOrDeriveApiCreds({ privateKey: pk, clobUrl: h.clob.url, chainId: 137 });
    expect(second).toEqual(first);
    const e = await createOrDeriveApiCreds({ privateKey: pk, clobUrl: h.clob.url, chainId: 80002 }).catch((x: unknown) => x as VenueError);
    expect(e).toBeInstanceOf(VenueError);
    expect([(e as VenueError).kind, (e as VenueError).code]).toEqual(['rejected', 'UNAUTHORIZED']);
    expect((e as VenueError).message).not.toContain(first.secret);
    const down = await createOrDeriveApiCreds({ privateKey: pk, clobUrl: 'http://127.0.0.1:9', chainId: 137 }).catch((x: unknown) => x as VenueError);
    expect((down as VenueError).kind).toBe('retryable');
  });

  it('refuses tampered orders, orders signed by another key, and orders for the wrong exchange contract', async () => {
    const u = await h.addUser({ usdc: '100' });
    const http = new ClobHttp(h.clob.url, 2000);
    const signer = walletOf(u.creds.privateKey);
    const rules = { tickSize: new Decimal('0.01'), minOrderSize: new Decimal(5), negRisk: false };
    const build = (over: { rules?: typeof rules; key?: `0x${string}` } = {}) =>
      buildSignedOrder({
        req: h.request({ userId: u.userId, price: new Decimal('0.3'), quantity: new Decimal(5) }), tokenId: YES_TOKEN, rules: over.rules ?? rules,
        account: privateKeyToAccount(over.key ?? u.creds.privateKey), creds: u.creds, owner: u.creds.apiCreds!.key, chainId: 137, now: new Date(),
      });
    const post = (body: unknown) => http.request({ method: 'POST', path: '/order', body, signer, creds: u.creds.apiCreds!, phase: 'write' }).then(() => null, (e: unknown) => e as VenueError);

    const tampered = await build();
    (tampered.body.order as { makerAmount: string }).makerAmount = '100000';
    expect((await post(tampered.body))?.code).toBe('INVALID_SIGNATURE');

    const wrongContract = await build({ rules: { ...rules, negRisk: true } });
    expect((await post(wrongContract.body))?.code).toBe('INVALID_SIGNATURE');

    const otherKey = generatePrivateKey();
    const foreign = await build({ key: otherKey });
    // Signed by (and naming) another wallet: the signature verifies, but it is not the API key's wallet.
    expect((await post(foreign.body))?.code).toBe('SIGNER_NOT_KEY_OWNER');
    // Naming our wallet as signer but signed with the other key: the recovered signer does not match.
    const forged = await build({ key: otherKey });
    Object.assign(forged.body.order as object, { signer: u.address, maker: u.address });
    expect((await post(forged.body))?.code).toBe('INVALID_SIGNATURE');

    const good = await build();
    expect(await post(good.body)).toBeNull();
    expect(h.clob.engine.orders.get(good.hash)?.status).toBe('LIVE');
    expect((await post(good.body))?.code).toBe('INVALID_ORDER_DUPLICATED');
  });

  it('refuses L2 requests with a bad HMAC or a stale timestamp', async () => {
    const u = await h.addUser();
    const res = await fetch(`${h.clob.url}/data/orders`, {
      headers: { POLY_ADDRESS: u.address, POLY_SIGNATURE: 'AAAA', POLY_TIMESTAMP: String(Math.floor(Date.now() / 1000)), POLY_API_KEY: u.creds.apiCreds!.key, POLY_PASSPHRASE: u.creds.apiCreds!.passphrase },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized/Invalid api key' });
  });
});
