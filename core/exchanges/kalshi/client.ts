/**
 * A thin signed Kalshi Trade API v2 client over fetch + node:crypto, for one API key.
 *
 * Why not the official `kalshi-typescript` SDK: it is OpenAPI-generated over axios and each API class
 * installs its signing interceptor on the *global* axios instance unless handed its own, which would
 * leak KALSHI-ACCESS-* headers into every other axios user in the process; it adds a dependency tree
 * for a dozen endpoints; and per-request timeouts with a clean "did it leave the machine?" split
 * (needed to tell retryable from unknown-outcome) are simpler with fetch + AbortSignal.timeout. The
 * signing itself is ten lines of node:crypto (signing.ts).
 *
 *   const client = new KalshiClient({ baseUrl, timeoutMs: 5_000, keyId, privateKeyPem });
 *   await client.getBalance();                        // dollars (Decimal)
 *   await client.createOrder({ ticker, client_order_id, side: 'bid', count: '10.00', price: '0.56', … });
 */
import type crypto from 'node:crypto';
import { Decimal } from '../../money.ts';
import { kalshiRequest, type HttpMethod, type KalshiHttpOptions } from './http.ts';
import {
  balanceResponse,
  createOrderResponse,
  fillsPage,
  orderResponse,
  ordersPage,
  positionsResponse,
  type CreateOrderResponse,
  type FillWire,
  type OrderWire,
} from './portfolio-wire.ts';
import { kalshiAuthHeaders, loadKalshiPrivateKey } from './signing.ts';
import { kalshiError } from './errors.ts';
import { dollarsOf } from './wire.ts';
import type { z } from 'zod';

/** Body of `POST /portfolio/events/orders` (the replacement create-order endpoint). */
export interface KalshiCreateOrderBody {
  ticker: string;
  client_order_id: string;
  /** Side of the YES book: bid buys YES, ask sells YES (= buys NO at 1 − price). */
  side: 'bid' | 'ask';
  /** Contracts, fixed-point 2 dp: "10.00". */
  count: string;
  /** YES-book price in dollars, up to 4 dp, on the market's grid: "0.5600". */
  price: string;
  time_in_force: 'good_till_canceled' | 'fill_or_kill' | 'immediate_or_cancel';
  self_trade_prevention_type: 'taker_at_cross' | 'maker';
  /** Unix seconds; with good_till_canceled makes a GTD order. */
  expiration_ts?: number;
  /** Max dollars to spend on a buy, fixed-point string (caps a market buy by amount). */
  buy_max_cost?: string;
  post_only?: boolean;
  reduce_only?: boolean;
}

export interface KalshiClientOptions {
  /** Includes /trade-api/v2. */
  baseUrl: string;
  timeoutMs: number;
  keyId: string;
  /** PEM (PKCS#1 or PKCS#8) or an already-parsed key. */
  privateKeyPem?: string;
  privateKey?: crypto.KeyObject;
  fetch?: typeof fetch;
  /** Milliseconds for KALSHI-ACCESS-TIMESTAMP; default Date.now. */
  nowMs?: () => number;
}

export class KalshiClient {
  private readonly http: KalshiHttpOptions;
  private readonly keyId: string;
  private readonly key: crypto.KeyObject;
  private readonly nowMs: () => number;

  constructor(opts: KalshiClientOptions) {
    this.http = { baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs, fetch: opts.fetch };
    if (!/^[\x21-\x7e]{1,200}$/.test(opts.keyId))
      throw kalshiError({ key: 'api_key_not_found', mutating: false, venueMessage: 'the key id is empty or has characters a Kalshi key id never has' });
    this.keyId = opts.keyId;
    this.key = opts.privateKey ?? loadKalshiPrivateKey(opts.privateKeyPem ?? '');
    this.nowMs = opts.nowMs ?? Date.now;
  }

  private call<S extends z.ZodType>(args: {
    method: HttpMethod;
    path: string;
    schema: S;
    query?: Record<string, string | number | undefined | null>;
    body?: unknown;
    mutating?: boolean;
  }): Promise<z.infer<S>> {
    return kalshiRequest({
      ...args,
      http: this.http,
      sign: ({ method, pathname }) => kalshiAuthHeaders({ keyId: this.keyId, key: this.key, method, pathname, nowMs: this.nowMs() }),
    });
  }

  /** `POST /portfolio/events/orders`. A failure after sending is an unknown outcome. */
  createOrder(body: KalshiCreateOrderBody): Promise<CreateOrderResponse> {
    return this.call({ method: 'POST', path: '/portfolio/events/orders', body, schema: createOrderResponse, mutating: true });
  }

  async getOrder(orderId: string): Promise<OrderWire> {
    return (await this.call({ method: 'GET', path: `/portfolio/orders/${encodeURIComponent(orderId)}`, schema: orderResponse })).order;
  }

  async listOrders(args: { ticker?: string; status?: string; cursor?: string | null; limit?: number }): Promise<{ orders: OrderWire[]; cursor: string | null }> {
    const res = await this.call({
      method: 'GET',
      path: '/portfolio/orders',
      query: { ticker: args.ticker, status: args.status, cursor: args.cursor ?? undefined, limit: args.limit ?? 200 },
      schema: ordersPage,
    });
    return { orders: res.orders ?? [], cursor: res.cursor || null };
  }

  /** `DELETE /portfolio/orders/{id}` → the order's final state. Idempotent at the venue: a read-like failure class. */
  async cancelOrder(orderId: string): Promise<OrderWire> {
    return (await this.call({ method: 'DELETE', path: `/portfolio/orders/${encodeURIComponent(orderId)}`, schema: orderResponse })).order;
  }

  async listFills(args: { orderId?: string; ticker?: string; minTs?: number; cursor?: string | null; limit?: number }): Promise<{ fills: FillWire[]; cursor: string | null }> {
    const res = await this.call({
      method: 'GET',
      path: '/portfolio/fills',
      query: { order_id: args.orderId, ticker: args.ticker, min_ts: args.minTs, cursor: args.cursor ?? undefined, limit: args.limit ?? 200 },
      schema: fillsPage,
    });
    return { fills: res.fills ?? [], cursor: res.cursor || null };
  }

  /** Available balance in dollars (`balance_dollars`, else `balance` cents). */
  async getBalance(): Promise<Decimal> {
    const res = await this.call({ method: 'GET', path: '/portfolio/balance', schema: balanceResponse });
    return dollarsOf(res.balance_dollars, res.balance) ?? new Decimal(0);
  }

  /** Net positions per ticker: positive YES, negative NO. */
  async getPositions(): Promise<Array<{ ticker: string; position: Decimal }>> {
    const out: Array<{ ticker: string; position: Decimal }> = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: z.infer<typeof positionsResponse> = await this.call({
        method: 'GET',
        path: '/portfolio/positions',
        query: { cursor: cursor ?? undefined, limit: 1000 },
        schema: positionsResponse,
      });
      for (const p of res.market_positions ?? []) {
        const q = p.position_fp != null ? new Decimal(p.position_fp) : p.position != null ? new Decimal(p.position) : null;
        if (q && !q.isZero()) out.push({ ticker: p.ticker, position: q });
      }
      if (!res.cursor || res.cursor === cursor) break;
      cursor = res.cursor;
    }
    return out;
  }
}

/** Checks a Kalshi key with a balance call; returns the balance or throws VenueError with the venue's reason. */
export async function verifyKalshiCredentials(args: {
  apiUrl: string;
  keyId: string;
  privateKeyPem: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): Promise<Decimal> {
  if (!args.keyId.trim()) throw kalshiError({ key: 'api_key_not_found', mutating: false, venueMessage: 'the key id is empty' });
  const client = new KalshiClient({ baseUrl: args.apiUrl, timeoutMs: args.timeoutMs, keyId: args.keyId.trim(), privateKeyPem: args.privateKeyPem, fetch: args.fetch });
  return client.getBalance();
}
