/**
 * The whole yesno process (startYesno through startTestStack, pg-boss workers on) in TRADING_MODE=live
 * against the fake venues, over real HTTP. One market listed on both venues (LIVE_MARKET from
 * test/integration/live-harness.ts: Polymarket YES ask 0.40, Kalshi YES ask 0.50), registered in the
 * database before start as an admin registration leaves it. The venues' WebSockets point at the
 * fakes (`ws: true`) or at a closed local port (`ws: false`: only the polling follow jobs remain).
 *
 *   const h = await startLiveE2E({ ws: true });
 *   const u = await h.linkedUser('alice');          // linked both venues through /api/v1/account/…
 *   const r = await h.call(u.token, 'POST', '/trading/order', { … });
 *   await h.restart();                              // a new process on the same database
 *   await h.stop();
 */
import type { OrderSyncOptions } from '../../core/trading/order-sync.ts';
import { randomBytes } from 'node:crypto';
import { FakeKalshi } from '../fakes/kalshi/server.ts';
import { attachKalshiWs, type FakeKalshiWs } from '../fakes/kalshi/ws.ts';
import { FakeClob } from '../fakes/polymarket/server.ts';
import { LIVE_MARKET, seedLiveMarket } from '../integration/live-harness.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { startTestStack, type TestStack } from './stack.ts';

export { LIVE_MARKET };

/** The admin token of the process (POST /admin/markets). */
export const ADMIN_TOKEN = 'live-e2e-admin-token-0123456789';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: any;
}

export interface LiveUser {
  id: string;
  token: string;
  /** The Polymarket sub-wallet (funded on the fake CLOB). */
  address: string;
  /** The Kalshi key id registered on the fake. */
  keyId: string;
}

export interface LiveE2E {
  stack: TestStack;
  db: TestDatabase;
  clob: FakeClob;
  kalshi: FakeKalshi;
  kalshiWs: FakeKalshiWs;
  /** A user created in the process and linked to both venues through the HTTP account endpoints. */
  linkedUser(name: string, funds?: { usdc?: string; kalshi?: string }): Promise<LiveUser>;
  call(token: string, method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** Stops the process (the fakes and the database stay). */
  stopProcess(): Promise<void>;
  /**
   * Starts a new process on the same database (after stopProcess). `orderSync` tunes its order sync
   * (e.g. `{ backoffMs: [60_000] }`: follow polls too slow to deliver anything during a test, so only a
   * pushed venue event can); omitted, the previous start's tuning is kept.
   */
  startProcess(env?: Record<string, string>, orderSync?: OrderSyncOptions): Promise<TestStack>;
  stop(): Promise<void>;
}

/** Polls `probe` every 20 ms until `ok` (or the time is up; the caller's expect then fails). */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startLiveE2E(opts: { ws: boolean; env?: Record<string, string> }): Promise<LiveE2E> {
  const m = LIVE_MARKET;
  const clob = new FakeClob({ chainId: 137 });
  await clob.start();
  clob.engine.addMarket({ conditionId: m.conditionId, question: 'Will the live test pass?', tokens: [{ tokenId: m.yesToken, outcome: 'Yes' }, { tokenId: m.noToken, outcome: 'No' }] });
  // Seeded bids are low (0.05) so that another participant's sells reach the user's resting bids.
  clob.engine.seedBook({ tokenId: m.yesToken, bids: [{ price: '0.05', size: '1000' }], asks: [{ price: '0.40', size: '1000' }] });
  clob.engine.seedBook({ tokenId: m.noToken, bids: [{ price: '0.58', size: '1000' }], asks: [{ price: '0.62', size: '1000' }] });
  const kalshi = await FakeKalshi.start();
  const kalshiWs = attachKalshiWs(kalshi);
  kalshi.engine.addMarket({ ticker: m.ticker, title: 'Will the live test pass?' });
  kalshi.engine.seedBook(m.ticker, { yesBids: [['0.05', '1000']], noBids: [['0.50', '1000']] });

  const db = await createTestDatabase();
  await seedLiveMarket(db);
  let lastOrderSync: OrderSyncOptions | undefined;
  const baseEnv: Record<string, string> = {
    TRADING_MODE: 'live',
    ADMIN_TOKEN,
    CREDENTIALS_KEY: randomBytes(32).toString('hex'),
    MARKET_DATA: 'live',
    POLYMARKET_CLOB_URL: clob.url,
    KALSHI_API_URL: kalshi.url,
    // Closed local ports unless the test wants the venues' pushed events.
    POLYMARKET_WS_URL: opts.ws ? clob.wsUrl : 'ws://127.0.0.1:1/ws',
    KALSHI_WS_URL: opts.ws ? kalshi.url.replace(/^http/, 'ws').replace('/trade-api/v2', '/trade-api/ws/v2') : 'ws://127.0.0.1:1/trade-api/ws/v2',
    VENUE_TIMEOUT_MS: '1500',
    MARKET_POLL_SECONDS: '0.2',
    // Tests poll GET /orders/:id while waiting on state.
    RATE_LIMIT_PER_MIN: '100000',
    ...opts.env,
  };
  let stack: TestStack | null = null;
  const h: LiveE2E = {
    get stack() {
      if (!stack) throw new Error('the process is stopped');
      return stack;
    },
    db,
    clob,
    kalshi,
    kalshiWs,
    async call(token, method, path, body) {
      const res = await fetch(`${h.stack.address}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
    },
    async linkedUser(name, funds = {}) {
      const { user, apiToken } = await h.stack.core.users.createUser({ name });
      const poly = await h.call(apiToken, 'POST', '/account/polymarket');
      if (poly.status !== 201) throw new Error(`linking Polymarket: ${poly.status} ${JSON.stringify(poly.json)}`);
      clob.fund({ address: poly.json.address, usdc: funds.usdc ?? '1000' });
      const key = kalshi.registerKey({ balance: funds.kalshi ?? '1000' });
      const k = await h.call(apiToken, 'POST', '/account/kalshi', { keyId: key.keyId, privateKey: key.privateKeyPem });
      if (k.status !== 201) throw new Error(`linking Kalshi: ${k.status} ${JSON.stringify(k.json)}`);
      return { id: user.id, token: apiToken, address: poly.json.address, keyId: key.keyId };
    },
    async stopProcess() {
      await stack?.stop();
      stack = null;
    },
    async startProcess(env = {}, orderSync = lastOrderSync) {
      lastOrderSync = orderSync;
      stack = await startTestStack({ ...baseEnv, ...env }, { workers: true, db, orderSync });
      return stack;
    },
    async stop() {
      await h.stopProcess();
      await db.drop();
      await clob.stop();
      await kalshi.stop();
    },
  };
  try {
    await h.startProcess();
  } catch (err) {
    await Promise.all([db.drop(), clob.stop(), kalshi.stop()]);
    throw err;
  }
  return h;
}
