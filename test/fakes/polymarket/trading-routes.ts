/**
 * The fake CLOB's authenticated endpoints: L1 (`POST /auth/api-key`, `GET /auth/derive-api-key`) and
 * L2 (`POST /order`, `DELETE /order|/orders|/cancel-all`, `GET /data/order/{id}`, `/data/orders`,
 * `/data/trades`, `/balance-allowance[/update]`), with the venue's error bodies.
 */
import { z } from 'zod';
import { Decimal } from '../../../core/money.ts';
import { newApiKey, verifyL1, verifyL2, verifyOrderSignature, type ApiKeyRecord, type WireOrderV2 } from './auth.ts';
import type { FakeTrade, RestingOrder } from './engine.ts';
import { paginate } from './public-routes.ts';
import type { FakeClob, RequestCtx, RouteResult } from './server.ts';

const UNIT = new Decimal(1_000_000);
const err = (status: number, error: string): RouteResult => ({ status, body: { error } });

/** The venue's rejection texts (what `{ error }` carries). */
export const CLOB_ERRORS = {
  unauthorized: 'Unauthorized/Invalid api key',
  l1: 'Invalid L1 Request headers',
  createKey: 'Could not create api key',
  deriveKey: 'Could not derive api key!',
  payload: 'Invalid order payload',
  owner: 'the order owner has to be the owner of the API KEY',
  signer: 'the order signer address has to be the address of the API KEY',
  signature: 'invalid signature',
  makerNotAllowed: 'maker address not allowed, please use the deposit wallet flow',
  noBook: 'No orderbook exists for the requested token id',
  notReady: 'the market is not yet ready to process new orders',
  balance: 'not enough balance / allowance',
  fok: "order couldn't be fully filled. FOK orders are fully filled or killed.",
  fakNoMatch: 'no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.',
  postOnly: 'invalid post-only order: order crosses book',
  expiration: 'invalid expiration',
  disabled: 'Trading is currently disabled. Check polymarket.com for updates',
  marketAmounts: 'invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals',
  limitAmounts: 'invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals',
} as const;

const postOrderBody = z.object({
  order: z.object({
    salt: z.union([z.number(), z.string()]),
    maker: z.string(), signer: z.string(), tokenId: z.string(),
    makerAmount: z.string().regex(/^\d+$/), takerAmount: z.string().regex(/^\d+$/),
    side: z.enum(['BUY', 'SELL']), signatureType: z.number().int(), timestamp: z.string().regex(/^\d+$/),
    expiration: z.string().regex(/^\d+$/).optional(), metadata: z.string(), builder: z.string(), signature: z.string(),
  }),
  owner: z.string(),
  orderType: z.enum(['GTC', 'GTD', 'FOK', 'FAK']),
  deferExec: z.boolean().optional(),
  postOnly: z.boolean().optional(),
});

function orderJson(o: RestingOrder): Record<string, unknown> {
  return {
    id: o.id, status: o.status === 'LIVE' ? 'LIVE' : o.status === 'MATCHED' ? 'MATCHED' : 'CANCELED', owner: o.owner, maker_address: o.maker,
    market: o.market, asset_id: o.tokenId, side: o.side, original_size: o.originalSize.toFixed(), size_matched: o.sizeMatched.toFixed(),
    price: o.price.toFixed(), associate_trades: o.associateTrades, outcome: o.outcome, created_at: o.createdAt, expiration: o.expiration,
    order_type: o.orderType,
  };
}

function tradeJson(t: FakeTrade, side: 'TAKER' | 'MAKER'): Record<string, unknown> {
  return {
    id: t.id, taker_order_id: t.takerOrderId, market: t.market, asset_id: t.assetId, side: t.side, size: t.size.toFixed(),
    fee_rate_bps: t.feeRateBps.toFixed(), price: t.price.toFixed(), status: t.status, match_time: String(t.matchTime),
    last_update: String(t.lastUpdate), outcome: t.outcome, bucket_index: 0, owner: t.owner, maker_address: t.makerAddress,
    transaction_hash: t.transactionHash ?? '', trader_side: side,
    maker_orders: t.makerOrders.map((m) => ({
      order_id: m.orderId, owner: m.owner, maker_address: m.makerAddress, matched_amount: m.matchedAmount.toFixed(), price: m.price.toFixed(),
      fee_rate_bps: '0', asset_id: t.assetId, outcome: m.outcome, side: t.side === 'BUY' ? 'SELL' : 'BUY',
    })),
  };
}

function jsonBody(ctx: RequestCtx): unknown {
  try {
    return ctx.rawBody ? JSON.parse(ctx.rawBody) : undefined;
  } catch {
    return undefined;
  }
}

async function postOrder(clob: FakeClob, key: ApiKeyRecord, ctx: RequestCtx): Promise<RouteResult> {
  if (clob.tradingDisabled) return err(503, CLOB_ERRORS.disabled);
  const parsed = postOrderBody.safeParse(jsonBody(ctx));
  if (!parsed.success) return err(400, CLOB_ERRORS.payload);
  const { order, owner, orderType } = parsed.data;
  const postOnly = parsed.data.postOnly ?? false;
  if (owner !== key.apiKey) return err(400, CLOB_ERRORS.owner);
  const e = clob.engine;
  const market = e.tokenToMarket.get(order.tokenId);
  if (!market || market.closed) return err(404, CLOB_ERRORS.noBook);
  const { hash, signer } = await verifyOrderSignature(order as WireOrderV2, clob.chainId, market.negRisk);
  if (!signer || signer.toLowerCase() !== order.signer.toLowerCase()) return err(400, CLOB_ERRORS.signature);
  if (order.signatureType === 0 && order.maker.toLowerCase() !== order.signer.toLowerCase()) return err(400, CLOB_ERRORS.signature);
  if (signer.toLowerCase() !== key.address.toLowerCase()) return err(400, CLOB_ERRORS.signer);
  if (clob.refusedMakers.has(order.maker.toLowerCase())) return err(400, CLOB_ERRORS.makerNotAllowed);
  if (!market.acceptingOrders) return err(400, CLOB_ERRORS.notReady);
  if (e.orders.has(hash)) return err(400, `order ${hash} is invalid. Duplicated.`);
  const makerAmt = new Decimal(order.makerAmount).div(UNIT);
  const takerAmt = new Decimal(order.takerAmount).div(UNIT);
  if (makerAmt.lte(0) || takerAmt.lte(0)) return err(400, CLOB_ERRORS.payload);
  const isMarket = orderType === 'FOK' || orderType === 'FAK';
  if (postOnly && isMarket) return err(400, CLOB_ERRORS.payload);
  if (isMarket && order.side === 'BUY' && (makerAmt.decimalPlaces() > 2 || takerAmt.decimalPlaces() > 4)) return err(400, CLOB_ERRORS.marketAmounts);
  const shares = order.side === 'BUY' ? takerAmt : makerAmt;
  if (!(isMarket && order.side === 'BUY') && shares.decimalPlaces() > 2) return err(400, CLOB_ERRORS.limitAmounts);
  const price = order.side === 'BUY' ? makerAmt.div(takerAmt) : takerAmt.div(makerAmt);
  const tick = market.tickSize;
  const priceOnGrid = price.toDecimalPlaces(tick.decimalPlaces(), Decimal.ROUND_HALF_UP);
  const tickOk = isMarket ? priceOnGrid.gte(tick) && priceOnGrid.lte(new Decimal(1).sub(tick)) : price.mod(tick).isZero() && price.gte(tick) && price.lte(new Decimal(1).sub(tick));
  if (!tickOk) return err(400, `order ${hash} is invalid. Price (${price.toSignificantDigits(8).toFixed()}) breaks minimum tick size rule: ${tick.toFixed()}`);
  if (shares.lt(market.minOrderSize) && !(isMarket && order.side === 'BUY')) return err(400, `order ${hash} is invalid. Size (${shares.toFixed()}) lower than the minimum: ${market.minOrderSize.toFixed()}`);
  const expiration = order.expiration ?? '0';
  const nowSec = Math.floor(Date.now() / 1000);
  if (orderType === 'GTD' ? Number(expiration) <= nowSec + 60 : expiration !== '0') return err(400, CLOB_ERRORS.expiration);
  const enough = order.side === 'BUY' ? e.availableUsd(order.maker).gte(makerAmt) : e.availableTokens(order.maker, order.tokenId).gte(makerAmt);
  if (!enough) return err(400, CLOB_ERRORS.balance);
  const res = e.execute({
    id: hash, maker: order.maker, owner, tokenId: order.tokenId, side: order.side, price: isMarket ? priceOnGrid : price,
    makerAmount: makerAmt, takerAmount: takerAmt, orderType, expiration, postOnly,
  });
  if (res === 'FOK_NOT_FILLED') return err(400, CLOB_ERRORS.fok);
  if (res === 'POST_ONLY_CROSSES') return err(400, CLOB_ERRORS.postOnly);
  if (orderType === 'FAK' && res.trades.length === 0) {
    e.orders.delete(hash);
    return err(400, CLOB_ERRORS.fakNoMatch);
  }
  const filled = res.trades.reduce((s, t) => s.add(t.size), new Decimal(0));
  const usd = res.trades.reduce((s, t) => s.add(t.size.mul(t.price)), new Decimal(0)).toDecimalPlaces(6, Decimal.ROUND_UP);
  return {
    status: 200,
    body: {
      success: true, errorMsg: '', orderID: hash, status: res.trades.length > 0 ? 'matched' : 'live',
      makingAmount: order.side === 'BUY' ? usd.toFixed() : filled.toFixed(), takingAmount: order.side === 'BUY' ? filled.toFixed() : usd.toFixed(),
      transactionsHashes: [], tradeIDs: res.trades.map((t) => t.id),
    },
  };
}

function cancel(clob: FakeClob, key: ApiKeyRecord, ids: string[]): RouteResult {
  const canceled: string[] = [];
  const notCanceled: Record<string, string> = {};
  for (const id of ids) {
    const o = clob.engine.orders.get(id);
    if (!o || o.owner !== key.apiKey) notCanceled[id] = "order can't be found";
    else if (clob.engine.cancel(id) === 'ok') canceled.push(id);
    else notCanceled[id] = o.status === 'MATCHED' ? 'order already matched' : 'order already canceled';
  }
  return { status: 200, body: { canceled, not_canceled: notCanceled } };
}

export async function handleTrading(clob: FakeClob, ctx: RequestCtx): Promise<RouteResult | null> {
  const nowSec = Math.floor(Date.now() / 1000);
  if (ctx.path === '/auth/api-key' && ctx.method === 'POST') {
    const l1 = await verifyL1({ headers: ctx.headers, chainId: clob.chainId, nowSec });
    if (!l1) return err(401, CLOB_ERRORS.l1);
    const slot = `${l1.address.toLowerCase()}:${l1.nonce}`;
    if ([...clob.apiKeys.values()].some((k) => (k as ApiKeyRecord & { slot?: string }).slot === slot)) return err(400, CLOB_ERRORS.createKey);
    const rec = { ...newApiKey(l1.address), slot };
    clob.apiKeys.set(rec.apiKey, rec);
    return { status: 200, body: { apiKey: rec.apiKey, secret: rec.secret, passphrase: rec.passphrase } };
  }
  if (ctx.path === '/auth/derive-api-key' && ctx.method === 'GET') {
    const l1 = await verifyL1({ headers: ctx.headers, chainId: clob.chainId, nowSec });
    if (!l1) return err(401, CLOB_ERRORS.l1);
    const slot = `${l1.address.toLowerCase()}:${l1.nonce}`;
    const rec = [...clob.apiKeys.values()].find((k) => (k as ApiKeyRecord & { slot?: string }).slot === slot);
    return rec ? { status: 200, body: { apiKey: rec.apiKey, secret: rec.secret, passphrase: rec.passphrase } } : err(400, CLOB_ERRORS.deriveKey);
  }
  const l2Paths = ['/order', '/orders', '/cancel-all', '/data/orders', '/data/trades', '/balance-allowance', '/balance-allowance/update'];
  if (!l2Paths.includes(ctx.path) && !ctx.path.startsWith('/data/order/')) return null;
  const key = verifyL2({ headers: ctx.headers, method: ctx.method, path: ctx.path, body: ctx.rawBody, keys: clob.apiKeys, nowSec });
  if (!key) return err(401, CLOB_ERRORS.unauthorized);
  const e = clob.engine;

  if (ctx.path === '/order' && ctx.method === 'POST') return postOrder(clob, key, ctx);
  if (ctx.path === '/order' && ctx.method === 'DELETE') {
    const body = jsonBody(ctx) as { orderID?: unknown } | undefined;
    return typeof body?.orderID === 'string' ? cancel(clob, key, [body.orderID]) : err(400, 'Invalid order payload');
  }
  if (ctx.path === '/orders' && ctx.method === 'DELETE') {
    const body = jsonBody(ctx);
    return Array.isArray(body) ? cancel(clob, key, body.map(String)) : err(400, 'Invalid order payload');
  }
  if (ctx.path === '/cancel-all' && ctx.method === 'DELETE') {
    return cancel(clob, key, [...e.orders.values()].filter((o) => o.owner === key.apiKey && o.status === 'LIVE').map((o) => o.id));
  }
  if (ctx.path.startsWith('/data/order/') && ctx.method === 'GET') {
    const o = e.orders.get(decodeURIComponent(ctx.path.slice('/data/order/'.length)));
    return { status: 200, body: o && o.owner === key.apiKey ? orderJson(o) : null };
  }
  if (ctx.path === '/data/orders' && ctx.method === 'GET') {
    const q = ctx.query;
    const rows = [...e.orders.values()].filter(
      (o) => o.owner === key.apiKey && o.status === 'LIVE' && (!q.get('id') || o.id === q.get('id')) && (!q.get('market') || o.market === q.get('market')) && (!q.get('asset_id') || o.tokenId === q.get('asset_id')),
    );
    return paginate(clob, ctx, rows.map(orderJson));
  }
  if (ctx.path === '/data/trades' && ctx.method === 'GET') {
    const q = ctx.query;
    const rows: Record<string, unknown>[] = [];
    for (const t of e.trades) {
      if (q.get('id') && t.id !== q.get('id')) continue;
      if (q.get('market') && t.market !== q.get('market')) continue;
      if (q.get('asset_id') && t.assetId !== q.get('asset_id')) continue;
      if (q.get('after') && t.matchTime <= Number(q.get('after'))) continue;
      if (q.get('before') && t.matchTime >= Number(q.get('before'))) continue;
      if (t.owner === key.apiKey) rows.push(tradeJson(t, 'TAKER'));
      else if (t.makerOrders.some((m) => m.owner === key.apiKey)) rows.push(tradeJson(t, 'MAKER'));
    }
    return paginate(clob, ctx, rows);
  }
  if ((ctx.path === '/balance-allowance' || ctx.path === '/balance-allowance/update') && ctx.method === 'GET') {
    const address = clob.funders.get(key.address.toLowerCase()) ?? key.address;
    const tokenId = ctx.query.get('token_id');
    const bal = ctx.query.get('asset_type') === 'CONDITIONAL' && tokenId ? e.availableTokens(address, tokenId) : e.availableUsd(address);
    return { status: 200, body: { balance: bal.mul(UNIT).floor().toFixed(), allowances: { '0xE111180000d2663C0091e4f400237545B87B996B': '115792089237316195423570985008687907853269984665640564039457584007913129639935' } } };
  }
  return err(405, 'Method Not Allowed');
}
