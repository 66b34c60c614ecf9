/**
 * A local fake of the Polymarket CLOB V2 (node:http on 127.0.0.1:0) that speaks the venue's wire
 * protocol: public market data, L1 api-key endpoints, L2-authenticated trading and account endpoints,
 * EIP-712 order signatures, a matching engine, and the venue's error bodies (`{ error }`).
 *
 *   const clob = new FakeClob({ chainId: 137 });
 *   await clob.start();                              // clob.url → http://127.0.0.1:PORT
 *   clob.engine.addMarket({ conditionId, tokens: [{ tokenId: yes, outcome: 'Yes' }, { tokenId: no, outcome: 'No' }] });
 *   clob.engine.seedBook({ tokenId: yes, asks: [{ price: '0.52', size: '100' }] });
 *   clob.fund({ address, usdc: '100' });
 *   clob.fault({ method: 'POST', path: '/order', kind: 'drop' });     // act, then destroy the socket
 *   clob.fault({ path: '/book', kind: 'status', status: 429, times: 2 });
 *   await clob.stop();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '../../../core/money.ts';
import type { ApiKeyRecord } from './auth.ts';
import { ClobEngine } from './engine.ts';
import { handlePublic } from './public-routes.ts';
import { handleTrading } from './trading-routes.ts';
import { FakeUserChannel } from './ws.ts';

/** One injected fault, applied to the next `times` requests matching method + path (path without query). */
export type ClobFault =
  | { kind: 'status'; status: number; body?: unknown; method?: string; path: string; times?: number }
  | { kind: 'delay'; ms: number; method?: string; path: string; times?: number }
  /** Process the request, then destroy the socket: the venue acted, the client sees a network error. */
  | { kind: 'drop'; method?: string; path: string; times?: number }
  /** Destroy the socket without processing. */
  | { kind: 'drop-before'; method?: string; path: string; times?: number };

export interface FakeClobOptions {
  chainId?: 137 | 80002;
  /** Page size of listings (`/markets`, `/data/trades`, `/data/orders`). */
  pageSize?: number;
}

/** What a route handler returns. */
export interface RouteResult {
  status: number;
  body: unknown;
}

export interface RequestCtx {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
}

export class FakeClob {
  readonly engine = new ClobEngine();
  readonly chainId: 137 | 80002;
  readonly pageSize: number;
  /** L2 keys by api key. */
  readonly apiKeys = new Map<string, ApiKeyRecord>();
  /** Maker addresses the venue refuses ("maker address not allowed, please use the deposit wallet flow"). */
  readonly refusedMakers = new Set<string>();
  /** Signer address (lowercase) → funder (deposit / proxy wallet) address, for /balance-allowance. */
  readonly funders = new Map<string, string>();
  /** When true, POST /order answers 503 "Trading is currently disabled". */
  tradingDisabled = false;
  /** Every request seen, for assertions (method, path). */
  readonly requests: { method: string; path: string }[] = [];
  private readonly faults: (ClobFault & { left: number })[] = [];
  private server: http.Server | null = null;
  /** The user WebSocket channel (`ws://…/ws/user`), live between start() and stop(). */
  userChannel: FakeUserChannel | null = null;
  private baseUrl = '';

  constructor(opts: FakeClobOptions = {}) {
    this.chainId = opts.chainId ?? 137;
    this.pageSize = opts.pageSize ?? 100;
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    this.userChannel = new FakeUserChannel(this.server, this.engine, this.apiKeys);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Base of the WebSocket channels, as POLYMARKET_WS_URL (`ws://127.0.0.1:PORT/ws`). */
  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await this.userChannel?.close();
    this.userChannel = null;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  fault(f: ClobFault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Sets an address's USDC balance (and optionally token balances). */
  fund(args: { address: string; usdc?: Decimal.Value; tokens?: Record<string, Decimal.Value> }): void {
    const acc = this.engine.account(args.address);
    if (args.usdc !== undefined) acc.usdc = new Decimal(args.usdc);
    for (const [t, v] of Object.entries(args.tokens ?? {})) acc.tokens.set(t, new Decimal(v));
  }

  /** Count of requests seen for a method + path. */
  count(method: string, path: string): number {
    return this.requests.filter((r) => r.method === method && r.path === path).length;
  }

  private takeFault(method: string, path: string): ClobFault | null {
    const i = this.faults.findIndex((f) => (f.method === undefined || f.method === method) && (f.path === path || (f.path.endsWith('*') && path.startsWith(f.path.slice(0, -1)))));
    if (i < 0) return null;
    const f = this.faults[i]!;
    f.left -= 1;
    if (f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const ctx: RequestCtx = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
    this.requests.push({ method: ctx.method, path: ctx.path });
    const fault = this.takeFault(ctx.method, ctx.path);
    if (fault?.kind === 'drop-before') return void req.socket.destroy();
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'status') return this.send(res, fault.status, fault.body ?? defaultFaultBody(fault.status));
    let result: RouteResult;
    try {
      result = (handlePublic(this, ctx) ?? (await handleTrading(this, ctx))) ?? { status: 404, body: { error: 'Not Found' } };
    } catch (err) {
      result = { status: 500, body: { error: `internal error: ${err instanceof Error ? err.message : String(err)}` } };
    }
    if (fault?.kind === 'drop') return void req.socket.destroy();
    this.send(res, result.status, result.body);
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) return { error: 'Too Many Requests' };
  if (status === 503) return { error: 'Trading is currently disabled. Check polymarket.com for updates' };
  if (status >= 500) return { error: 'Internal Server Error' };
  return { error: `HTTP ${status}` };
}
