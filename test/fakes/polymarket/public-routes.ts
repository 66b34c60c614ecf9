/**
 * The fake CLOB's public (unauthenticated) endpoints, in the venue's payload shapes:
 * /ok, /time, /version, /book, /tick-size, /neg-risk, /fee-rate, /price, /midpoint,
 * /clob-markets/{conditionId}, /markets-by-token/{tokenId}, /markets[/{conditionId}], /sampling-markets.
 */
import type { FakeMarket } from './engine.ts';
import type { FakeClob, RequestCtx, RouteResult } from './server.ts';

const NO_BOOK = { status: 404, body: { error: 'No orderbook exists for the requested token id' } };
const END = 'LTE=';

function tokenMarket(clob: FakeClob, ctx: RequestCtx): { tokenId: string; market: FakeMarket } | RouteResult {
  const tokenId = ctx.query.get('token_id');
  if (!tokenId) return { status: 400, body: { error: 'Invalid payload' } };
  const market = clob.engine.tokenToMarket.get(tokenId);
  if (!market || market.closed) return NO_BOOK;
  return { tokenId, market };
}

function listed(m: FakeMarket): Record<string, unknown> {
  return {
    enable_order_book: true,
    active: m.active,
    closed: m.closed,
    archived: false,
    accepting_orders: m.acceptingOrders,
    minimum_order_size: Number(m.minOrderSize.toFixed()),
    minimum_tick_size: Number(m.tickSize.toFixed()),
    condition_id: m.conditionId,
    question_id: `0x${m.conditionId.slice(2).split('').reverse().join('')}`,
    question: m.question,
    description: '',
    market_slug: m.question.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''),
    end_date_iso: m.endDate,
    neg_risk: m.negRisk,
    maker_base_fee: 0,
    taker_base_fee: m.fee ? Number(m.fee.rate.mul(10000).toFixed()) : 0,
    tokens: m.tokens.map((t) => ({ token_id: t.tokenId, outcome: t.outcome, price: 0.5, winner: false })),
  };
}

function page(clob: FakeClob, ctx: RequestCtx, rows: unknown[]): RouteResult {
  const cursor = ctx.query.get('next_cursor') ?? 'MA==';
  if (cursor === END) return { status: 200, body: { limit: clob.pageSize, count: 0, next_cursor: END, data: [] } };
  const offset = Number(Buffer.from(cursor, 'base64').toString('utf8')) || 0;
  const data = rows.slice(offset, offset + clob.pageSize);
  const next = offset + clob.pageSize >= rows.length ? END : Buffer.from(String(offset + clob.pageSize)).toString('base64');
  return { status: 200, body: { limit: clob.pageSize, count: data.length, next_cursor: next, data } };
}

export { page as paginate };

export function handlePublic(clob: FakeClob, ctx: RequestCtx): RouteResult | null {
  if (ctx.method !== 'GET') return null;
  const e = clob.engine;
  switch (ctx.path) {
    case '/ok':
      return { status: 200, body: 'OK' };
    case '/time':
      return { status: 200, body: Math.floor(Date.now() / 1000) };
    case '/version':
      return { status: 200, body: { version: 2 } };
    case '/book': {
      const tm = tokenMarket(clob, ctx);
      if ('status' in tm) return tm;
      // The venue lists both sides worst first: the best price is the LAST element.
      const bids = e.levels(tm.tokenId, 'BUY').reverse().map((l) => ({ price: l.price.toFixed(), size: l.size.toFixed() }));
      const asks = e.levels(tm.tokenId, 'SELL').reverse().map((l) => ({ price: l.price.toFixed(), size: l.size.toFixed() }));
      const last = [...e.trades].reverse().find((t) => t.assetId === tm.tokenId);
      return {
        status: 200,
        body: {
          market: tm.market.conditionId, asset_id: tm.tokenId, timestamp: String(Date.now()), hash: `0x${Date.now().toString(16)}`,
          bids, asks, min_order_size: tm.market.minOrderSize.toFixed(), tick_size: tm.market.tickSize.toFixed(),
          neg_risk: tm.market.negRisk, last_trade_price: last ? last.price.toFixed() : '',
        },
      };
    }
    case '/tick-size': {
      const tm = tokenMarket(clob, ctx);
      return 'status' in tm ? tm : { status: 200, body: { minimum_tick_size: Number(tm.market.tickSize.toFixed()) } };
    }
    case '/neg-risk': {
      const tm = tokenMarket(clob, ctx);
      return 'status' in tm ? tm : { status: 200, body: { neg_risk: tm.market.negRisk } };
    }
    case '/fee-rate': {
      const tm = tokenMarket(clob, ctx);
      return 'status' in tm ? tm : { status: 200, body: { base_fee: tm.market.fee ? Number(tm.market.fee.rate.mul(10000).toFixed()) : 0 } };
    }
    case '/price':
    case '/midpoint': {
      const tm = tokenMarket(clob, ctx);
      if ('status' in tm) return tm;
      const bid = e.levels(tm.tokenId, 'BUY')[0]?.price;
      const ask = e.levels(tm.tokenId, 'SELL')[0]?.price;
      if (ctx.path === '/price') {
        const p = ctx.query.get('side') === 'SELL' ? bid : ask;
        return p ? { status: 200, body: { price: p.toFixed() } } : NO_BOOK;
      }
      return bid && ask ? { status: 200, body: { mid: bid.add(ask).div(2).toFixed() } } : NO_BOOK;
    }
    case '/markets':
    case '/sampling-markets':
      return page(clob, ctx, [...e.markets.values()].filter((m) => ctx.path === '/markets' || (m.active && !m.closed)).map(listed));
  }
  let m = /^\/clob-markets\/([^/]+)$/.exec(ctx.path);
  if (m) {
    const market = e.markets.get(decodeURIComponent(m[1]!));
    if (!market) return { status: 404, body: { error: 'market not found' } };
    return {
      status: 200,
      body: {
        c: market.conditionId, t: market.tokens.map((t) => ({ t: t.tokenId, o: t.outcome })), mts: Number(market.tickSize.toFixed()),
        nr: market.negRisk, fd: market.fee ? { r: Number(market.fee.rate.toFixed()), e: Number(market.fee.exponent.toFixed()), to: true } : { r: 0, e: 0 },
        mbf: 0, tbf: 0, r: null, ao: market.acceptingOrders, mos: Number(market.minOrderSize.toFixed()),
      },
    };
  }
  m = /^\/markets-by-token\/([^/]+)$/.exec(ctx.path);
  if (m) {
    const market = e.tokenToMarket.get(decodeURIComponent(m[1]!));
    if (!market) return { status: 404, body: { error: 'market not found' } };
    return { status: 200, body: { condition_id: market.conditionId, primary_token_id: market.tokens[0].tokenId, secondary_token_id: market.tokens[1].tokenId } };
  }
  m = /^\/markets\/([^/]+)$/.exec(ctx.path);
  if (m) {
    const market = e.markets.get(decodeURIComponent(m[1]!));
    return market ? { status: 200, body: listed(market) } : { status: 404, body: { error: 'market not found' } };
  }
  return null;
}
