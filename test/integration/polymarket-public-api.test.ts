import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MARKETS_END_CURSOR, MARKETS_FIRST_CURSOR, PolymarketPublicApi } from '../../core/exchanges/polymarket/public-api.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import { FakeClob } from '../fakes/polymarket/index.ts';

const CID = '0x' + 'ab'.repeat(32);
const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

describe('PolymarketPublicApi against the fake CLOB', () => {
  const clob = new FakeClob({ pageSize: 2 });
  let api: PolymarketPublicApi;

  beforeAll(async () => {
    await clob.start();
    api = new PolymarketPublicApi({ baseUrl: clob.url + '/', timeoutMs: 500 });
    clob.engine.addMarket({
      conditionId: CID, question: 'Will it rain?', tokens: [{ tokenId: YES, outcome: 'Yes' }, { tokenId: NO, outcome: 'No' }],
      tickSize: new Decimal('0.01'), minOrderSize: new Decimal(5), negRisk: true, fee: { rate: new Decimal('0.02'), exponent: new Decimal(2) },
    });
    for (let i = 0; i < 4; i++) {
      clob.engine.addMarket({ conditionId: `0x${String(i).repeat(64)}`, tokens: [{ tokenId: `${i}1`, outcome: 'Yes' }, { tokenId: `${i}2`, outcome: 'No' }], closed: i === 3 });
    }
  });
  afterAll(() => clob.stop());
  beforeEach(() => clob.clearFaults());

  it('reads a book with the best price last on the wire and returns levels best first, in Decimal', async () => {
    clob.engine.seedBook({ tokenId: YES, bids: [{ price: '0.47', size: '10' }, { price: '0.48', size: '5.5' }], asks: [{ price: '0.52', size: '7' }, { price: '0.51', size: '3' }] });
    const book = await api.getBook({ tokenId: YES });
    expect(book.bids.map((l) => l.price.toFixed())).toEqual(['0.48', '0.47']);
    expect(book.asks.map((l) => l.price.toFixed())).toEqual(['0.51', '0.52']);
    expect(book.bids[0]!.size.toFixed()).toBe('5.5');
    expect(book.tickSize.toFixed()).toBe('0.01');
    expect(book.minOrderSize.toFixed()).toBe('5');
    expect(book.negRisk).toBe(true);
    expect(book.market).toBe(CID);
  });

  it('reads tick size, neg-risk, fee rate and the clob market info', async () => {
    expect((await api.getTickSize({ tokenId: YES })).toFixed()).toBe('0.01');
    expect(await api.getNegRisk({ tokenId: YES })).toBe(true);
    expect((await api.getFeeRateBps({ tokenId: YES })).toFixed()).toBe('200');
    const info = await api.getClobMarket({ conditionId: CID });
    expect(info.tokens).toEqual([{ tokenId: YES, outcome: 'Yes' }, { tokenId: NO, outcome: 'No' }]);
    expect(info.tickSize.toFixed()).toBe('0.01');
    expect(info.negRisk).toBe(true);
    expect(info.fee?.rate.toFixed()).toBe('0.02');
    expect(info.fee?.exponent.toFixed()).toBe('2');
    expect(info.minOrderSize?.toFixed()).toBe('5');
  });

  it('walks the paginated listing from MA== to LTE=', async () => {
    const first = await api.getMarketsPage({ cursor: MARKETS_FIRST_CURSOR });
    expect(first.markets).toHaveLength(2);
    expect(first.nextCursor).not.toBe(MARKETS_END_CURSOR);
    const all = [];
    for await (const m of api.iterateMarkets()) all.push(m);
    expect(all.map((m) => m.conditionId)).toHaveLength(5);
    expect(all.find((m) => m.conditionId === CID)?.tokens.map((t) => t.tokenId)).toEqual([YES, NO]);
    expect(all.find((m) => m.conditionId === `0x${'3'.repeat(64)}`)?.closed).toBe(true);
    const sampling = [];
    for await (const m of api.iterateMarkets({ sampling: true })) sampling.push(m);
    expect(sampling).toHaveLength(4);
  });

  it('reads one market by condition id', async () => {
    const m = await api.getMarket({ conditionId: CID });
    expect([m.question, m.negRisk, m.tickSize.toFixed(), m.minOrderSize.toFixed(), m.acceptingOrders]).toEqual(['Will it rain?', true, '0.01', '5', true]);
    expect((await api.getMarket({ conditionId: '0xnope' }).catch((e: VenueError) => e)) as VenueError).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
  });

  it('maps a missing book to a rejected VenueError with the venue message', async () => {
    const err = await api.getBook({ tokenId: '999' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).kind).toBe('rejected');
    expect((err as VenueError).code).toBe('NOT_FOUND');
    expect((err as VenueError).message).toContain('No orderbook exists');
  });

  it('maps 429, 5xx, timeouts and dropped connections to retryable', async () => {
    clob.fault({ path: '/book', kind: 'status', status: 429 });
    clob.fault({ path: '/tick-size', kind: 'status', status: 503 });
    clob.fault({ path: '/neg-risk', kind: 'delay', ms: 800 });
    clob.fault({ path: '/fee-rate', kind: 'drop-before' });
    const results = await Promise.all([
      api.getBook({ tokenId: YES }).catch((e: VenueError) => e),
      api.getTickSize({ tokenId: YES }).catch((e: VenueError) => e),
      api.getNegRisk({ tokenId: YES }).catch((e: VenueError) => e),
      api.getFeeRateBps({ tokenId: YES }).catch((e: VenueError) => e),
    ]);
    expect(results.map((r) => (r as VenueError).kind)).toEqual(['retryable', 'retryable', 'retryable', 'retryable']);
    expect(results.map((r) => (r as VenueError).code)).toEqual(['RATE_LIMITED', 'HTTP_503', 'TIMEOUT', 'NETWORK']);
  });

  it('refuses a malformed payload with BAD_RESPONSE instead of guessing', async () => {
    clob.fault({ path: '/book', kind: 'status', status: 200, body: { market: CID, asset_id: YES, bids: [{ price: 'abc', size: '1' }], asks: [], min_order_size: '5', tick_size: '0.01' } });
    const err = (await api.getBook({ tokenId: YES }).catch((e: unknown) => e)) as VenueError;
    expect(err.code).toBe('BAD_RESPONSE');
  });
});
