import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PolymarketAdapter } from '../../core/exchanges/polymarket/adapter.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import { NO_TOKEN, YES_TOKEN, startPolymarketHarness, type PolymarketHarness } from '../fakes/polymarket/harness.ts';

const d = (v: Decimal.Value) => new Decimal(v);
async function venueError(p: Promise<unknown>): Promise<VenueError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(VenueError);
  return e as VenueError;
}

describe('PolymarketAdapter against the fake CLOB', () => {
  let h: PolymarketHarness;
  beforeAll(async () => {
    h = await startPolymarketHarness();
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    h.clob.clearFaults();
    h.clob.engine.clearBooks();
  });

  it('refuses a user without a linked Polymarket account, readably', async () => {
    const e = await venueError(h.adapter.placeOrder(h.request({ userId: 'nobody' })));
    expect(e.kind).toBe('rejected');
    expect(e.code).toBe('NOT_LINKED');
    expect(e.message).toMatch(/no Polymarket account is linked/);
  });

  it('GTC buy rests, is found by hash and by client id, reserves USDC, and cancels', async () => {
    const u = await h.addUser({ usdc: '100' });
    const prepared: string[] = [];
    const req = h.request({ userId: u.userId, price: d('0.40'), quantity: d(10), onPrepared: async (p) => void prepared.push(p.venueOrderId) });
    const placed = await h.adapter.placeOrder(req);
    expect(placed.status).toBe('open');
    expect(placed.venueOrderId).toBe(prepared[0]);
    expect(placed.quantity.toFixed()).toBe('10');
    expect((await h.adapter.getBalance({ account: req.account })).available.toFixed()).toBe('96');
    const byHash = await h.adapter.getOrder({ account: req.account, venueOrderId: placed.venueOrderId });
    expect(byHash?.status).toBe('open');
    const byClient = await h.adapter.getOrderByClientId({ account: req.account, clientOrderId: req.clientOrderId, listing: h.listing });
    expect(byClient?.venueOrderId).toBe(placed.venueOrderId);
    expect(byClient?.clientOrderId).toBe(req.clientOrderId);
    const cancelled = await h.adapter.cancelOrder({ account: req.account, venueOrderId: placed.venueOrderId });
    expect(cancelled.status).toBe('cancelled');
    expect((await h.adapter.getBalance({ account: req.account })).available.toFixed()).toBe('100');
  });

  it('GTC buy crossing a thin book fills partly at the venue price and rests the rest', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.45', size: '4' }, { price: '0.60', size: '100' }] });
    const u = await h.addUser({ usdc: '100' });
    const placed = await h.adapter.placeOrder(h.request({ userId: u.userId, price: d('0.50'), quantity: d(10) }));
    expect(placed.status).toBe('open');
    expect(placed.filledQuantity.toFixed()).toBe('4');
    expect(placed.fills).toHaveLength(1);
    expect(placed.fills[0]!.price.toFixed()).toBe('0.45');
    expect(placed.fills[0]!.quantity.toFixed()).toBe('4');
    expect(placed.fills[0]!.fee.toFixed()).toBe('0');
    const again = await h.adapter.getOrder({ account: { userId: u.userId }, venueOrderId: placed.venueOrderId });
    expect(again?.filledQuantity.toFixed()).toBe('4');
    expect(again?.fills.map((f) => f.venueTradeId)).toEqual(placed.fills.map((f) => f.venueTradeId));
  });

  it('market buy by amount walks the asks and never spends more than $X', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.30', size: '10' }, { price: '0.33', size: '10' }, { price: '0.37', size: '1000' }] });
    const u = await h.addUser({ usdc: '50' });
    const amount = d('10.009');
    const placed = await h.adapter.placeOrder(h.request({ userId: u.userId, type: 'market', timeInForce: 'FOK', price: d('0.40'), quantity: undefined, amount }));
    expect(placed.status).toBe('filled');
    const spent = placed.fills.reduce((s, f) => s.add(f.price.mul(f.quantity)), d(0));
    expect(spent.lte(amount)).toBe(true);
    expect(spent.gte('9.99')).toBe(true);
    expect(placed.fills.map((f) => f.price.toFixed())).toEqual(['0.3', '0.33', '0.37']);
    const balance = (await h.adapter.getBalance({ account: { userId: u.userId } })).available;
    expect(d(50).sub(balance).lte(amount)).toBe(true);
    expect(placed.quantity.toFixed()).toBe(placed.filledQuantity.toFixed());
  });

  it('FOK that cannot fill whole is rejected and changes nothing; FAK takes what is there', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.50', size: '6' }] });
    const u = await h.addUser({ usdc: '50' });
    const fok = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId, type: 'market', timeInForce: 'FOK', price: d('0.5'), quantity: undefined, amount: d(10) })));
    expect(fok.kind).toBe('rejected');
    expect(fok.code).toBe('FOK_ORDER_NOT_FILLED_ERROR');
    expect(fok.message).toMatch(/not enough liquidity/);
    expect((await h.adapter.getBalance({ account: { userId: u.userId } })).available.toFixed()).toBe('50');
    const fak = await h.adapter.placeOrder(h.request({ userId: u.userId, type: 'market', timeInForce: 'FAK', price: d('0.5'), quantity: undefined, amount: d(10) }));
    expect(fak.status).toBe('cancelled');
    expect(fak.filledQuantity.toFixed()).toBe('6');
    expect(fak.reason).toMatch(/spent \$3 of \$10/);
    const none = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId, type: 'market', timeInForce: 'FAK', price: d('0.5'), quantity: undefined, amount: d(10) })));
    expect(none.code).toBe('FAK_NO_MATCH');
    expect(none.kind).toBe('rejected');
  });

  it('limit sell FOK by shares fills whole against bids; a sell without shares is insufficient balance', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, bids: [{ price: '0.55', size: '3' }, { price: '0.52', size: '20' }] });
    const u = await h.addUser({ usdc: '0', tokens: { [YES_TOKEN]: '10' } });
    const sold = await h.adapter.placeOrder(h.request({ userId: u.userId, action: 'sell', type: 'limit', timeInForce: 'FOK', price: d('0.52'), quantity: d(8) }));
    expect(sold.status).toBe('filled');
    expect(sold.fills.map((f) => [f.price.toFixed(), f.quantity.toFixed()])).toEqual([['0.55', '3'], ['0.52', '5']]);
    expect((await h.adapter.getBalance({ account: { userId: u.userId } })).available.toFixed()).toBe('4.25');
    const e = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId, action: 'sell', price: d('0.52'), quantity: d(5) })));
    expect(e.code).toBe('INVALID_ORDER_NOT_ENOUGH_BALANCE');
    expect(e.kind).toBe('rejected');
  });

  it('a FAK sell partly filled is cancelled-with-fills, at placement and when read back', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, bids: [{ price: '0.5', size: '6' }] });
    const u = await h.addUser({ tokens: { [YES_TOKEN]: '10' } });
    const placed = await h.adapter.placeOrder(h.request({ userId: u.userId, action: 'sell', timeInForce: 'FAK', price: d('0.5'), quantity: d(10) }));
    expect([placed.status, placed.filledQuantity.toFixed(), placed.quantity.toFixed()]).toEqual(['cancelled', '6', '10']);
    const read = await h.adapter.getOrder({ account: { userId: u.userId }, venueOrderId: placed.venueOrderId });
    expect([read?.status, read?.filledQuantity.toFixed(), read?.quantity.toFixed()]).toEqual(['cancelled', '6', '10']);
    expect(read?.reason).toMatch(/rest was cancelled/);
  });

  it('GTD rests with an expiry; a GTD without a future expiry is refused before sending', async () => {
    const u = await h.addUser({ usdc: '10' });
    const now = Date.now();
    const placed = await h.adapter.placeOrder(h.request({ userId: u.userId, timeInForce: 'GTD', expiresAt: new Date(now + 3_600_000), price: d('0.2'), quantity: d(5) }));
    expect(placed.status).toBe('open');
    expect(h.clob.engine.orders.get(placed.venueOrderId)?.expiration).toBe(String(Math.floor((now + 3_600_000) / 1000)));
    const before = h.clob.count('POST', '/order');
    const e = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId, timeInForce: 'GTD', expiresAt: new Date(now + 10_000), quantity: d(5) })));
    expect(e.code).toBe('BAD_EXPIRY');
    expect(h.clob.count('POST', '/order')).toBe(before);
  });

  it('enforces tick, price range, minimum size and 2-dp share rounding before sending', async () => {
    const u = await h.addUser({ usdc: '100' });
    const before = h.clob.count('POST', '/order');
    const cases: [Partial<Parameters<PolymarketHarness['request']>[0]>, string][] = [
      [{ price: d('0.505') }, 'PRICE_OFF_TICK'],
      [{ price: d('0.995') }, 'PRICE_OFF_TICK'],
      [{ price: d('0.99').add('0.01') }, 'PRICE_OUT_OF_RANGE'],
      [{ price: d('0') }, 'PRICE_OUT_OF_RANGE'],
      [{ quantity: d('4.999') }, 'BELOW_MIN_SIZE'],
      [{ quantity: undefined }, 'BAD_QUANTITY'],
    ];
    for (const [patch, code] of cases) {
      const e = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId, ...patch })));
      expect([e.code, e.kind]).toEqual([code, 'rejected']);
      expect(e.message.length).toBeGreaterThan(10);
    }
    expect(h.clob.count('POST', '/order')).toBe(before);
    const placed = await h.adapter.placeOrder(h.request({ userId: u.userId, price: d('0.33'), quantity: d('10.239') }));
    expect(placed.quantity.toFixed()).toBe('10.23');
    const onVenue = h.clob.engine.orders.get(placed.venueOrderId)!;
    expect(onVenue.originalSize.toFixed()).toBe('10.23');
    expect(onVenue.reservedUsd.toFixed()).toBe('3.3759');
  });

  it('reads tick size and neg-risk from the venue, not from the listing', async () => {
    const u = await h.addUser({ usdc: '100' });
    h.clob.engine.markets.get(h.listing.venueMarketId)!.tickSize = d('0.001');
    const fresh = new PolymarketAdapter({ clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 2000 });
    try {
      const placed = await fresh.placeOrder(h.request({ userId: u.userId, price: d('0.123'), quantity: d(5) }));
      expect(placed.status).toBe('open');
      h.clob.engine.markets.get(h.listing.venueMarketId)!.negRisk = true;
      const negRisk = new PolymarketAdapter({ clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 2000 });
      // The listing says negRisk: false; the venue says true: the order is signed for the neg-risk exchange and accepted.
      expect((await negRisk.placeOrder(h.request({ userId: u.userId, price: d('0.2'), quantity: d(5) }))).status).toBe('open');
    } finally {
      h.clob.engine.markets.get(h.listing.venueMarketId)!.tickSize = d('0.01');
      h.clob.engine.markets.get(h.listing.venueMarketId)!.negRisk = false;
    }
  });

  it('a lost response (venue acted, socket dropped) is an unknown outcome, then found by hash, never posted twice', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.5', size: '100' }] });
    const u = await h.addUser({ usdc: '100' });
    h.clob.fault({ method: 'POST', path: '/order', kind: 'drop' });
    let hash = '';
    const req = h.request({ userId: u.userId, type: 'market', timeInForce: 'FOK', price: d('0.5'), quantity: undefined, amount: d(5), onPrepared: async (p) => void (hash = p.venueOrderId) });
    const before = h.clob.count('POST', '/order');
    const e = await venueError(h.adapter.placeOrder(req));
    expect(e.kind).toBe('unknown_outcome');
    expect(e.code).toBe('CONNECTION_DROPPED');
    const found = await h.adapter.getOrderByClientId({ account: req.account, clientOrderId: req.clientOrderId, listing: h.listing });
    expect(found?.venueOrderId).toBe(hash);
    expect(found?.status).toBe('filled');
    expect(found?.filledQuantity.toFixed()).toBe('10');
    expect(found?.fills.reduce((s, f) => s.add(f.quantity), d(0)).toFixed()).toBe('10');
    expect(h.clob.count('POST', '/order')).toBe(before + 1);
  });

  it('a timeout after sending is an unknown outcome; the order is found afterwards', async () => {
    const u = await h.addUser({ usdc: '100' });
    const quick = new PolymarketAdapter({ clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 150 });
    h.clob.fault({ method: 'POST', path: '/order', kind: 'delay', ms: 400 });
    let hash = '';
    const req = h.request({ userId: u.userId, price: d('0.3'), quantity: d(5), onPrepared: async (p) => void (hash = p.venueOrderId) });
    const e = await venueError(quick.placeOrder(req));
    expect([e.kind, e.code]).toEqual(['unknown_outcome', 'TIMEOUT']);
    await new Promise((r) => setTimeout(r, 350));
    const found = await quick.getOrderByClientId({ account: req.account, clientOrderId: req.clientOrderId, listing: h.listing });
    expect(found?.venueOrderId).toBe(hash);
    expect(found?.status).toBe('open');
  });

  it('if onPrepared throws, nothing is sent', async () => {
    const u = await h.addUser({ usdc: '100' });
    const before = h.clob.count('POST', '/order');
    const req = h.request({ userId: u.userId, onPrepared: async () => Promise.reject(new Error('db down')) });
    await expect(h.adapter.placeOrder(req)).rejects.toThrow('db down');
    expect(h.clob.count('POST', '/order')).toBe(before);
  });

  it('429 and 503-disabled are retryable; a 500 after sending is unknown; an unreachable host is retryable', async () => {
    const u = await h.addUser({ usdc: '100' });
    h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 429 });
    expect((await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })))).kind).toBe('retryable');
    h.clob.tradingDisabled = true;
    const disabled = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })));
    h.clob.tradingDisabled = false;
    expect([disabled.kind, disabled.code]).toEqual(['retryable', 'TRADING_DISABLED']);
    h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 500 });
    const five = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })));
    expect([five.kind, five.code]).toEqual(['unknown_outcome', 'SERVER_ERROR_AFTER_SEND']);
    const dead = new PolymarketAdapter({ clobUrl: 'http://127.0.0.1:9', chainId: 137, credentials: h.credentials, timeoutMs: 500 });
    const unreachable = await venueError(dead.placeOrder(h.request({ userId: u.userId })));
    expect([unreachable.kind, unreachable.code]).toEqual(['retryable', 'NETWORK']);
  });

  it('bad or revoked credentials are a readable rejection (401 from the venue)', async () => {
    const u = await h.addUser({ usdc: '100' });
    const other = await h.addUser();
    // API credentials of one wallet with the key of another: the L2 headers do not verify.
    h.credentials.users.set('mixed', { ...other.creds, apiCreds: u.creds.apiCreds });
    const e = await venueError(h.adapter.placeOrder(h.request({ userId: 'mixed' })));
    expect([e.kind, e.code]).toEqual(['rejected', 'UNAUTHORIZED']);
    expect(e.message).toMatch(/relink/);
    expect(e.message).not.toContain(u.creds.apiCreds!.secret);
    h.clob.apiKeys.delete(u.creds.apiCreds!.key);
    const revoked = await venueError(h.adapter.getBalance({ account: { userId: u.userId } }));
    expect([revoked.kind, revoked.code]).toEqual(['rejected', 'UNAUTHORIZED']);
  });

  it('a maker the venue refuses gets the deposit-wallet explanation in plain words', async () => {
    const u = await h.addUser({ usdc: '100' });
    h.clob.refusedMakers.add(u.address.toLowerCase());
    const e = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })));
    expect([e.kind, e.code]).toEqual(['rejected', 'MAKER_NOT_ALLOWED']);
    expect(e.message).toMatch(/deposit wallet/);
  });

  it('closed market and market not accepting orders', async () => {
    const u = await h.addUser({ usdc: '100' });
    const market = h.clob.engine.markets.get(h.listing.venueMarketId)!;
    market.closed = true;
    const closed = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })));
    market.closed = false;
    expect([closed.kind, closed.code]).toEqual(['rejected', 'NO_ORDERBOOK']);
    market.acceptingOrders = false;
    const notReady = await venueError(h.adapter.placeOrder(h.request({ userId: u.userId })));
    market.acceptingOrders = true;
    expect([notReady.kind, notReady.code]).toEqual(['rejected', 'MARKET_NOT_READY']);
  });

  it('fills of a resting maker order follow trade statuses: FAILED is dropped, the others count', async () => {
    const maker = await h.addUser({ usdc: '100' });
    const taker = await h.addUser({ usdc: '0', tokens: { [YES_TOKEN]: '50' } });
    const resting = await h.adapter.placeOrder(h.request({ userId: maker.userId, price: d('0.6'), quantity: d(20) }));
    const s1 = await h.adapter.placeOrder(h.request({ userId: taker.userId, action: 'sell', type: 'market', timeInForce: 'FAK', price: d('0.6'), quantity: d(5) }));
    const s2 = await h.adapter.placeOrder(h.request({ userId: taker.userId, action: 'sell', type: 'market', timeInForce: 'FAK', price: d('0.6'), quantity: d(7) }));
    expect([s1.status, s2.status]).toEqual(['filled', 'filled']);
    const trades = h.clob.engine.trades.filter((t) => t.makerOrders.some((m) => m.orderId === resting.venueOrderId));
    expect(trades).toHaveLength(2);
    h.clob.engine.setTradeStatus(trades[0]!.id, 'MINED');
    h.clob.engine.setTradeStatus(trades[0]!.id, 'CONFIRMED');
    h.clob.engine.setTradeStatus(trades[1]!.id, 'RETRYING');
    let o = await h.adapter.getOrder({ account: { userId: maker.userId }, venueOrderId: resting.venueOrderId });
    expect(o?.filledQuantity.toFixed()).toBe('12');
    expect(o?.fills).toHaveLength(2);
    expect(new Set(o?.fills.map((f) => f.venueTradeId)).size).toBe(2);
    h.clob.engine.setTradeStatus(trades[1]!.id, 'FAILED');
    o = await h.adapter.getOrder({ account: { userId: maker.userId }, venueOrderId: resting.venueOrderId });
    expect(o?.fills.map((f) => f.quantity.toFixed())).toEqual(['5']);
    expect(o?.filledQuantity.toFixed()).toBe('5');
    const all = await h.adapter.getFills({ account: { userId: maker.userId } });
    expect(all.map((f) => f.venueOrderId)).toEqual([resting.venueOrderId]);
    const takerFills = await h.adapter.getFills({ account: { userId: taker.userId }, venueOrderId: s1.venueOrderId });
    expect(takerFills.map((f) => [f.price.toFixed(), f.quantity.toFixed()])).toEqual([['0.6', '5']]);
  });

  it('positions come from the venue token balances of traded tokens', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.25', size: '100' }] });
    h.clob.engine.seedBook({ tokenId: NO_TOKEN, asks: [{ price: '0.75', size: '100' }] });
    const u = await h.addUser({ usdc: '100' });
    await h.adapter.placeOrder(h.request({ userId: u.userId, type: 'market', timeInForce: 'FOK', price: d('0.25'), quantity: undefined, amount: d(5) }));
    await h.adapter.placeOrder(h.request({ userId: u.userId, outcome: 'no', type: 'limit', timeInForce: 'FOK', price: d('0.75'), quantity: d(6) }));
    const positions = await h.adapter.getPositions({ account: { userId: u.userId } });
    expect(positions.map((p) => [p.outcome, p.quantity.toFixed()])).toEqual([['no', '6'], ['yes', '20']]);
    h.clob.engine.seedBook({ tokenId: NO_TOKEN, asks: [] });
  });

  it('fees: takerFee and taker fills use the venue fee parameters (rate, exponent)', async () => {
    const market = h.clob.engine.markets.get(h.listing.venueMarketId)!;
    market.fee = { rate: d('0.02'), exponent: d(2) };
    try {
      const fresh = new PolymarketAdapter({ clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 2000 });
      expect(fresh.takerFee({ listing: h.listing, price: d('0.4'), quantity: d(100) }).toFixed()).toBe('0');
      await fresh.getOrderBook({ listing: h.listing, outcome: 'yes' });
      await new Promise((r) => setTimeout(r, 50));
      // 100 × 0.02 × (0.4 × 0.6)² = 0.1152
      expect(fresh.takerFee({ listing: h.listing, price: d('0.4'), quantity: d(100) }).toFixed()).toBe('0.1152');
      const taker = await h.addUser({ usdc: '100' });
      h.clob.engine.seedBook({ tokenId: YES_TOKEN, asks: [{ price: '0.4', size: '10' }] });
      const bought = await fresh.placeOrder(h.request({ userId: taker.userId, type: 'market', timeInForce: 'FOK', price: d('0.4'), quantity: undefined, amount: d(4) }));
      expect(bought.fills.map((f) => [f.price.toFixed(), f.quantity.toFixed(), f.fee.toFixed()])).toEqual([['0.4', '10', '0.0115']]);
    } finally {
      market.fee = null;
    }
  });

  it('no error carries a secret (message, cause chain or stack)', async () => {
    const u = await h.addUser({ usdc: '1' });
    const secrets = [u.creds.privateKey.slice(2), u.creds.apiCreds!.secret, u.creds.apiCreds!.passphrase];
    const errors: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => errors.push(await p.then(() => null, (e: unknown) => e));
    await attempt(h.adapter.placeOrder(h.request({ userId: u.userId, quantity: d(100) })));
    h.clob.fault({ method: 'POST', path: '/order', kind: 'drop' });
    await attempt(h.adapter.placeOrder(h.request({ userId: u.userId })));
    h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 500 });
    await attempt(h.adapter.placeOrder(h.request({ userId: u.userId })));
    h.credentials.users.set('broken', { ...u.creds, apiCreds: { ...u.creds.apiCreds!, passphrase: 'wrong-passphrase-value' } });
    await attempt(h.adapter.getBalance({ account: { userId: 'broken' } }));
    const dead = new PolymarketAdapter({ clobUrl: 'http://127.0.0.1:9', chainId: 137, credentials: h.credentials, timeoutMs: 300 });
    await attempt(dead.placeOrder(h.request({ userId: u.userId })));
    expect(errors.filter((e) => e instanceof VenueError)).toHaveLength(5);
    for (const e of errors) {
      let text = '';
      for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) text += `${String(c)} ${(c as Error).stack ?? ''} ${JSON.stringify(c, Object.getOwnPropertyNames(c ?? {}))}`;
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });

  it('order book: best first, as OrderBook', async () => {
    h.clob.engine.seedBook({ tokenId: YES_TOKEN, bids: [{ price: '0.41', size: '1' }, { price: '0.43', size: '2' }], asks: [{ price: '0.47', size: '3' }, { price: '0.45', size: '4' }] });
    const book = await h.adapter.getOrderBook({ listing: h.listing, outcome: 'yes' });
    expect(book.bids.map((l) => l.price.toFixed())).toEqual(['0.43', '0.41']);
    expect(book.asks.map((l) => l.price.toFixed())).toEqual(['0.45', '0.47']);
    expect([book.venue, book.outcome, book.venueMarketId]).toEqual(['polymarket', 'yes', h.listing.venueMarketId]);
  });
});
