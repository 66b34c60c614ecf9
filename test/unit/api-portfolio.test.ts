/** Markets, positions and balance routes: shapes and Decimal strings. */
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

const get = (url: string) => app.inject({ url, headers: bearer(world.alice.token) });

describe('GET /api/v1/markets', () => {
  it('lists markets with their venues, prices as strings', async () => {
    const res = await get('/api/v1/markets');
    expect(res.statusCode).toBe(200);
    const { markets } = res.json();
    expect(markets).toHaveLength(2);
    expect(markets[0]).toEqual({
      id: 'fed-cut-dec',
      slug: 'fed-cut-december',
      title: 'Will the Fed cut rates in December?',
      category: 'economics',
      status: 'open',
      venues: [
        { venue: 'polymarket', listingId: 'fed-cut-dec:polymarket', venueMarketId: '0xabc', tickSize: '0.01', minSize: '5', yesBid: '0.41', yesAsk: '0.43', noBid: '0.57', noAsk: '0.59' },
        { venue: 'kalshi', listingId: 'fed-cut-dec:kalshi', venueMarketId: 'FED-DEC', tickSize: '0.01', minSize: '1', yesBid: '0.4', yesAsk: '0.44', noBid: '0.56', noAsk: '0.6' },
      ],
    });
    expect(markets[1].venues[0]).toMatchObject({ yesBid: null, yesAsk: null, noBid: null, noAsk: null });
  });

  it('passes search, category and limit to the core', async () => {
    const res = await get('/api/v1/markets?q=fed&category=economics&limit=5');
    expect(res.json().markets.map((m: { id: string }) => m.id)).toEqual(['fed-cut-dec']);
    expect(world.calls.at(-1)).toEqual({ method: 'markets.list', args: { query: 'fed', category: 'economics', limit: 5 } });
  });

  it('applies the limit even if the core returns more', async () => {
    const res = await get('/api/v1/markets?limit=1');
    expect(res.json().markets).toHaveLength(1);
  });

  it('bad queries are 400', async () => {
    for (const [q, msg] of [['limit=0', /limit must be a whole number from 1 to 200/], ['q=' + 'a'.repeat(201), /q is at most 200 characters/], ['foo=1', /unknown query parameter "foo"/]] as const) {
      const res = await get(`/api/v1/markets?${q}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(msg);
    }
  });
});

describe('GET /api/v1/markets/:id', () => {
  it('by id or slug, with YES and NO quotes per venue', async () => {
    for (const id of ['fed-cut-dec', 'fed-cut-december']) {
      const res = await get(`/api/v1/markets/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().market.id).toBe('fed-cut-dec');
      expect(res.json().market.venues[1]).toMatchObject({ venue: 'kalshi', yesBid: '0.4', yesAsk: '0.44', noBid: '0.56', noAsk: '0.6' });
    }
  });

  it('unknown is 404 market_not_found, ambiguous is 422 with candidates', async () => {
    const nf = await get('/api/v1/markets/zzz');
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('market_not_found');
    const amb = await get('/api/v1/markets/i');
    expect(amb.statusCode).toBe(422);
    expect(amb.json().error.details).toEqual({ candidates: ['fed-cut-dec', 'btc-100k'] });
  });
});

describe('positions and balance', () => {
  it('GET /api/v1/positions: each position with an id, decimals as strings', async () => {
    const res = await get('/api/v1/positions');
    expect(res.statusCode).toBe(200);
    const [p] = res.json().positions;
    expect(p).toMatchObject({
      marketId: 'fed-cut-dec',
      marketTitle: 'Will the Fed cut rates in December?',
      exchange: 'polymarket',
      side: 'yes',
      quantity: '10',
      avgPrice: '0.43',
      costBasis: '4.3',
      currentPrice: '0.41',
      marketValue: '4.1',
      unrealizedPnl: '-0.2',
      realizedPnl: '0',
      takeProfitPrice: '0.6',
      stopLossPrice: null,
    });
    expect(p.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /api/v1/balance', async () => {
    const res = await get('/api/v1/balance');
    expect(res.json()).toEqual({
      balance: {
        venues: [
          { venue: 'polymarket', available: '995.62', mode: 'paper' },
          { venue: 'kalshi', available: '1000', mode: 'paper' },
        ],
        total: '1995.62',
      },
    });
  });
});
