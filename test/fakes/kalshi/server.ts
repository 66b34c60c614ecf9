/**
 * A local fake of Kalshi's Trade API v2 (https://…/trade-api/v2) for contract tests:
 *
 *   const fake = await FakeKalshi.start();                       // 127.0.0.1:<random>
 *   fake.url                                                       // http://127.0.0.1:PORT/trade-api/v2
 *   fake.engine.addMarket({ ticker: 'KXTEST-26-Y' });
 *   fake.engine.seedBook('KXTEST-26-Y', { yesBids: [['0.42', '10']], noBids: [['0.55', '5']] });
 *   const { keyId, privateKeyPem } = fake.registerKey({ balance: '100' });   // RSA pair, PKCS#1 PEM
 *   fake.fault({ path: '/portfolio/events/orders', kind: 'drop', times: 1 }); // act, then kill the socket
 *   await fake.stop();
 *
 * Signed endpoints (/portfolio/*) verify KALSHI-ACCESS-KEY / -TIMESTAMP / -SIGNATURE: RSA-PSS-SHA256,
 * MGF1-SHA256, salt length exactly 32, over `${ts}${METHOD}${pathname}` (query excluded); unknown or
 * revoked keys, bad signatures and stale timestamps answer 401. Errors are `{ code, message, details }`,
 * or wrapped as `{ error: {…} }` when `wrapErrors` is set.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal, ONE } from '../../../core/money.ts';
import { FakeKalshiEngine, FakeKalshiError, type BookSide, type FakeTif, type PlaceInput } from './engine.ts';
import { createdJson, fillJson, marketJson, orderJson, orderbookJson } from './wire.ts';

export const API_PREFIX = '/trade-api/v2';

/** An injected failure for the next `times` requests matching path (relative to /trade-api/v2) and method. */
export interface FaultSpec {
  path: string | RegExp;
  method?: string;
  times?: number;
  /**
   * '429' / '500' / '503': answer that status without acting ('500-after' acts first);
   * 'delay': wait delayMs, then act and answer; 'drop': act, then destroy the socket (no answer);
   * 'drop-before': destroy the socket without acting.
   */
  kind: '429' | '500' | '503' | '500-after' | 'delay' | 'drop' | 'drop-before';
  delayMs?: number;
}

interface KeyEntry {
  publicKey: crypto.KeyObject;
}

/** One request as the fake saw it (after auth). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  keyId: string | null;
  status: number;
}

export class FakeKalshi {
  readonly engine: FakeKalshiEngine;
  readonly requests: RecordedRequest[] = [];
  /** Wrap error bodies as `{ error: { code, message, details } }`. */
  wrapErrors = false;
  /** Answer `/portfolio/balance` with legacy integer cents only (no balance_dollars). */
  legacyBalance = false;
  /** Allowed clock skew of KALSHI-ACCESS-TIMESTAMP, ms. */
  maxSkewMs = 30_000;
  private readonly keys = new Map<string, KeyEntry>();
  private readonly faults: Array<FaultSpec & { left: number }> = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  private constructor(private readonly now: () => number) {
    this.engine = new FakeKalshiEngine(now);
  }

  static async start(opts: { now?: () => number } = {}): Promise<FakeKalshi> {
    const fake = new FakeKalshi(opts.now ?? Date.now);
    await fake.listen();
    return fake;
  }

  private async listen(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${API_PREFIX}`;
  }

  /** The underlying node server (the WebSocket side attaches to it). */
  get httpServer(): http.Server {
    if (!this.server) throw new Error('fake not started');
    return this.server;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Registers an API key (a fresh RSA pair unless a public key is given) with a USD balance. */
  registerKey(opts: { balance?: Decimal.Value; keyId?: string; publicKeyPem?: string; format?: 'pkcs1' | 'pkcs8' } = {}): {
    keyId: string;
    privateKeyPem: string;
  } {
    const keyId = opts.keyId ?? crypto.randomUUID();
    let privateKeyPem = '';
    let publicKey: crypto.KeyObject;
    if (opts.publicKeyPem) publicKey = crypto.createPublicKey(opts.publicKeyPem);
    else {
      const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      publicKey = pair.publicKey;
      privateKeyPem = pair.privateKey.export({ type: opts.format ?? 'pkcs1', format: 'pem' }).toString();
    }
    this.keys.set(keyId, { publicKey });
    this.engine.accounts.set(keyId, { keyId, balance: new Decimal(opts.balance ?? 0), positions: new Map(), revoked: false });
    return { keyId, privateKeyPem };
  }

  revokeKey(keyId: string): void {
    const acct = this.engine.accounts.get(keyId);
    if (acct) acct.revoked = true;
  }

  fault(spec: FaultSpec): void {
    this.faults.push({ ...spec, left: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Order-creating requests that reached the engine (after auth and faults). */
  orderPosts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /^\/portfolio(\/events)?\/orders$/.test(r.path));
  }

  private takeFault(method: string, path: string): FaultSpec | null {
    const i = this.faults.findIndex(
      (f) => f.left > 0 && (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (i < 0) return null;
    const f = this.faults[i]!;
    f.left -= 1;
    if (f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  /** Verifies the three KALSHI-ACCESS-* headers; returns the key id. */
  verify(req: http.IncomingMessage, method: string, pathname: string): string {
    const keyId = header(req, 'kalshi-access-key');
    const ts = header(req, 'kalshi-access-timestamp');
    const sig = header(req, 'kalshi-access-signature');
    if (!keyId || !ts || !sig) throw new FakeKalshiError(401, 'unauthorized', 'missing authentication headers');
    const key = this.keys.get(keyId);
    const acct = this.engine.accounts.get(keyId);
    if (!key || !acct) throw new FakeKalshiError(401, 'api_key_not_found', 'api key not found');
    if (acct.revoked) throw new FakeKalshiError(401, 'api_key_revoked', 'api key has been revoked');
    if (!/^\d{13}$/.test(ts) || Math.abs(this.now() - Number(ts)) > this.maxSkewMs)
      throw new FakeKalshiError(401, 'unauthorized', 'request timestamp is too old or malformed');
    const ok = crypto.verify(
      'sha256',
      Buffer.from(`${ts}${method}${pathname}`),
      { key: key.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(sig, 'base64'),
    );
    if (!ok) throw new FakeKalshiError(401, 'invalid_signature', 'invalid signature');
    return keyId;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (!url.pathname.startsWith(API_PREFIX)) return send(res, 404, { code: 'not_found', message: 'not found', details: '' });
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const query = Object.fromEntries(url.searchParams);
    const rec: RecordedRequest = { method, path, query, body: null, keyId: null, status: 0 };

    const fault = this.takeFault(method, path);
    if (fault?.kind === 'drop-before') return void req.socket.destroy();
    if (fault && ['429', '500', '503'].includes(fault.kind)) {
      const status = Number(fault.kind);
      const code = status === 429 ? 'too_many_requests' : status === 503 ? 'service_unavailable' : 'internal_server_error';
      return this.error(res, new FakeKalshiError(status, code, status === 429 ? 'too many requests' : 'internal error'));
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1_000));

    let status = 200;
    let payload: unknown;
    try {
      if (path.startsWith('/portfolio')) rec.keyId = this.verify(req, method, url.pathname);
      let body: unknown = null;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new FakeKalshiError(400, 'bad_request', 'request body is not valid JSON');
        }
      }
      rec.body = body;
      this.requests.push(rec);
      [status, payload] = this.route(method, path, query, body, rec.keyId);
    } catch (err) {
      if (!(err instanceof FakeKalshiError)) throw err;
      status = err.status;
      payload = this.errorBody(err);
    }
    rec.status = status;
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === '500-after') return this.error(res, new FakeKalshiError(500, 'internal_server_error', 'internal error'));
    send(res, status, payload);
  }

  private errorBody(err: FakeKalshiError): unknown {
    const inner = { code: err.code, message: err.message, details: err.details };
    return this.wrapErrors ? { error: inner } : inner;
  }

  private error(res: http.ServerResponse, err: FakeKalshiError): void {
    send(res, err.status, this.errorBody(err));
  }

  private route(method: string, path: string, query: Record<string, string>, body: unknown, keyId: string | null): [number, unknown] {
    const e = this.engine;
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    // ---- public market data
    if (method === 'GET' && seg[0] === 'markets') {
      if (seg.length === 1) return [200, this.listMarkets(query)];
      const m = e.market(seg[1]!);
      if (seg.length === 2) return [200, { market: marketJson(m, this.top(m.ticker)) }];
      if (seg.length === 3 && seg[2] === 'orderbook') {
        const lv = e.levels(m.ticker);
        const depth = query.depth ? Number(query.depth) : 0;
        const cut = <T>(l: T[]) => (depth > 0 ? l.slice(-depth) : l);
        return [200, orderbookJson(m, { yes: cut(lv.yes), no: cut(lv.no) })];
      }
    }
    if (seg[0] === 'portfolio' && keyId) return this.portfolio(method, seg.slice(1), query, body, keyId);
    throw new FakeKalshiError(404, 'not_found', `no route for ${method} ${path}`);
  }

  private top(ticker: string): { yesBid: Decimal | null; yesAsk: Decimal | null } {
    const lv = this.engine.levels(ticker);
    const bestYes = lv.yes.at(-1)?.[0] ?? null;
    const bestNo = lv.no.at(-1)?.[0] ?? null;
    return { yesBid: bestYes, yesAsk: bestNo ? ONE.sub(bestNo) : null };
  }

  private listMarkets(query: Record<string, string>): unknown {
    const wanted = query.status === 'open' ? 'active' : query.status;
    const all = [...this.engine.markets.values()].filter((m) => !wanted || m.status === wanted);
    const { page, cursor } = paginate(all, query);
    return { markets: page.map((m) => marketJson(m, this.top(m.ticker))), cursor };
  }

  private portfolio(method: string, seg: string[], query: Record<string, string>, body: unknown, keyId: string): [number, unknown] {
    const e = this.engine;
    const acct = e.accounts.get(keyId)!;
    if (method === 'GET' && seg[0] === 'balance' && seg.length === 1) {
      const cents = acct.balance.mul(100).floor().toNumber();
      return [200, this.legacyBalance ? { balance: cents, portfolio_value: 0 } : { balance: cents, balance_dollars: acct.balance.toFixed(4), portfolio_value: 0 }];
    }
    if (method === 'GET' && seg[0] === 'positions') {
      const rows = [...acct.positions.entries()]
        .filter(([, q]) => !q.isZero())
        .filter(([t]) => !query.ticker || t === query.ticker)
        .map(([ticker, q]) => ({ ticker, position: q.isInteger() ? q.toNumber() : undefined, position_fp: q.toFixed(2) }));
      return [200, { market_positions: rows, event_positions: [], cursor: '' }];
    }
    if (method === 'GET' && seg[0] === 'fills' && seg.length === 1) {
      const minTs = query.min_ts ? Number(query.min_ts) * 1000 : 0;
      const rows = e
        .fillsOf(keyId)
        .filter((f) => (!query.ticker || f.ticker === query.ticker) && (!query.order_id || f.orderId === query.order_id) && f.createdMs >= minTs);
      const { page, cursor } = paginate(rows, query);
      return [200, { fills: page.map(fillJson), cursor }];
    }
    const isEvents = seg[0] === 'events' && seg[1] === 'orders';
    const ordersSeg = isEvents ? seg.slice(2) : seg[0] === 'orders' ? seg.slice(1) : null;
    if (ordersSeg) {
      if (method === 'POST' && ordersSeg.length === 0) {
        const input = isEvents ? parseEventsOrder(body) : parseLegacyOrder(body);
        const { order } = e.place(keyId, input);
        return isEvents ? [201, createdJson(order, this.now())] : [201, { order: orderJson(order) }];
      }
      if (method === 'GET' && ordersSeg.length === 0 && !isEvents) {
        const rows = e
          .ordersOf(keyId)
          .filter((o) => (!query.ticker || o.ticker === query.ticker) && (!query.status || o.status === query.status));
        const { page, cursor } = paginate(rows, query);
        return [200, { orders: page.map(orderJson), cursor }];
      }
      if (ordersSeg.length === 1 && method === 'GET') return [200, { order: orderJson(e.order(keyId, ordersSeg[0]!)) }];
      if (ordersSeg.length === 1 && method === 'DELETE') {
        const o = e.cancel(keyId, ordersSeg[0]!);
        return [200, { order: orderJson(o), reduced_by_fp: o.initial.sub(o.filled).toFixed(2) }];
      }
    }
    throw new FakeKalshiError(404, 'not_found', `no route for ${method} /portfolio/${seg.join('/')}`);
  }
}

const TIFS: readonly FakeTif[] = ['good_till_canceled', 'fill_or_kill', 'immediate_or_cancel'];

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function dec(v: unknown, field: string): Decimal {
  const s = str(v);
  if (s === null || !/^\d+(\.\d+)?$/.test(s)) throw new FakeKalshiError(400, 'invalid_parameters', `${field} is invalid`);
  return new Decimal(s);
}

function common(b: Record<string, unknown>): Omit<PlaceInput, 'bookSide' | 'price' | 'count'> {
  if (typeof b.ticker !== 'string' || !b.ticker) throw new FakeKalshiError(400, 'invalid_parameters', 'ticker is required');
  if (typeof b.client_order_id !== 'string' || !b.client_order_id)
    throw new FakeKalshiError(400, 'invalid_parameters', 'client_order_id is required');
  const tif = (b.time_in_force ?? 'good_till_canceled') as FakeTif;
  if (!TIFS.includes(tif)) throw new FakeKalshiError(400, 'invalid_parameters', `time_in_force ${String(b.time_in_force)} is invalid`);
  const buyMaxCost =
    b.buy_max_cost_dollars !== undefined
      ? dec(b.buy_max_cost_dollars, 'buy_max_cost_dollars')
      : typeof b.buy_max_cost === 'string'
        ? dec(b.buy_max_cost, 'buy_max_cost')
        : typeof b.buy_max_cost === 'number'
          ? new Decimal(b.buy_max_cost).div(100)
          : null;
  return {
    ticker: b.ticker,
    clientOrderId: b.client_order_id,
    tif,
    expirationTs: typeof b.expiration_ts === 'number' ? b.expiration_ts : null,
    buyMaxCost,
    postOnly: b.post_only === true,
    reduceOnly: b.reduce_only === true,
  };
}

/** `POST /portfolio/events/orders` { ticker, client_order_id, side: bid|ask, count: "10.00", price: "0.56", … }. */
function parseEventsOrder(body: unknown): PlaceInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const base = common(b);
  if (b.side !== 'bid' && b.side !== 'ask') throw new FakeKalshiError(400, 'invalid_parameters', 'side must be bid or ask');
  if (typeof b.self_trade_prevention_type !== 'string')
    throw new FakeKalshiError(400, 'invalid_parameters', 'self_trade_prevention_type is required');
  if (typeof b.count !== 'string' || !/^\d+\.\d{2}$/.test(b.count))
    throw new FakeKalshiError(400, 'invalid_count', 'count must be a fixed-point string with 2 decimals');
  if (typeof b.price !== 'string' || !/^\d\.\d{1,4}$/.test(b.price))
    throw new FakeKalshiError(400, 'invalid_price', 'price must be a dollar string with up to 4 decimals');
  return { ...base, bookSide: b.side as BookSide, price: new Decimal(b.price), count: new Decimal(b.count) };
}

/** Legacy `POST /portfolio/orders` { side: yes|no, action: buy|sell, count, yes_price|no_price (cents) or *_dollars }. */
function parseLegacyOrder(body: unknown): PlaceInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const base = common(b);
  const side = b.side;
  const action = b.action;
  if ((side !== 'yes' && side !== 'no') || (action !== 'buy' && action !== 'sell'))
    throw new FakeKalshiError(400, 'invalid_parameters', 'side must be yes|no and action buy|sell');
  const count = b.count_fp !== undefined ? dec(b.count_fp, 'count_fp') : dec(b.count, 'count');
  const own =
    side === 'yes'
      ? b.yes_price_dollars !== undefined ? dec(b.yes_price_dollars, 'yes_price_dollars') : b.yes_price !== undefined ? dec(b.yes_price, 'yes_price').div(100) : null
      : b.no_price_dollars !== undefined ? dec(b.no_price_dollars, 'no_price_dollars') : b.no_price !== undefined ? dec(b.no_price, 'no_price').div(100) : null;
  if (!own) throw new FakeKalshiError(400, 'invalid_price', `${side}_price is required`);
  const yesPrice = side === 'yes' ? own : ONE.sub(own);
  const bookSide: BookSide = (side === 'yes') === (action === 'buy') ? 'bid' : 'ask';
  return { ...base, bookSide, price: yesPrice, count, legacy: { side, action } };
}

function paginate<T>(rows: T[], query: Record<string, string>): { page: T[]; cursor: string } {
  const limit = Math.min(Math.max(Number(query.limit ?? 100) || 100, 1), 1000);
  const start = query.cursor ? Number(Buffer.from(query.cursor, 'base64url').toString()) || 0 : 0;
  const page = rows.slice(start, start + limit);
  const next = start + limit < rows.length ? Buffer.from(String(start + limit)).toString('base64url') : '';
  return { page, cursor: next };
}

function header(req: http.IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
