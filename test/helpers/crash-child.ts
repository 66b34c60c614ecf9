/**
 * The process the crash test kills (test/integration/crash-recovery.test.ts): the real core
 * (createCore, live mode) over the test database, trading through a live HTTP adapter against a fake
 * venue in the test process. On start it runs the startup order sync (as main.ts does), prints
 * `{"event":"ready"}`, then places limit orders one after another (and cancels some resting ones)
 * until it is killed. With CRASH_MODE=reconcile it exits after the startup sync.
 *
 * Loads as little as possible (no HTTP server, no pg-boss, no bots), and the test pre-starts the next
 * child while the current one trades: it prints `{"event":"loaded"}` after its imports and waits for
 * "go" on stdin before it connects to the database, builds the core and runs the startup sync.
 * Env: CRASH_DB_URL, CRASH_VENUE_URL, CRASH_VENUE (polymarket|kalshi), CRASH_FLAVOUR (hash|client:
 * test/fakes/crash-venue-adapter.ts; kalshi: the real KalshiAdapter, key in CRASH_KALSHI_KEY_ID /
 * CRASH_KALSHI_PEM, a throw-away key of the fake; polymarket: the real PolymarketAdapter, a throw-away
 * wallet and its fake CLOB API key in CRASH_PM_CREDS), CRASH_USER_ID, CRASH_MARKET, CRASH_GRACE_MS,
 * CRASH_SEED, CRASH_MODE (trade|reconcile).
 */
import { createCore, type CoreDeps } from '../../core/create-core.ts';
import { createPrisma } from '../../core/db/client.ts';
import type { ExchangeAdapter, Venue } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';
import type { JobPort } from '../../core/notifications/types.ts';
import { CrashVenueAdapter } from '../fakes/crash-venue-adapter.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`crash-child: ${k} is required`);
  return v;
};
const out = (obj: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const venue = env('CRASH_VENUE') as Venue;
const userId = env('CRASH_USER_ID');
const marketId = env('CRASH_MARKET');
let seed = Number(process.env.CRASH_SEED ?? '1') >>> 0;
const rng = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const flavour = env('CRASH_FLAVOUR');
// The real adapters are imported up front (viem and the CLOB client are a large part of start-up).
const polymarketModule = flavour === 'polymarket' ? await import('../../core/exchanges/polymarket/adapter.ts') : null;
const kalshiModule = flavour === 'kalshi' ? await import('../../core/exchanges/kalshi/adapter.ts') : null;

// Pre-started by the test while the previous child still runs: everything above is loaded; the
// process "starts" (connects, builds the core, runs the startup sync) only when told to.
out({ event: 'loaded' });
await new Promise<void>((resolve) => {
  process.stdin.on('end', () => process.exit(0));
  let buf = '';
  process.stdin.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    if (buf.includes('go\n')) resolve();
  });
});
// (stdin stays open: when the test process is gone it closes, and this child exits, never an orphan.)
const prisma = createPrisma(env('CRASH_DB_URL'), { poolMax: 4 });
const adapter: ExchangeAdapter = polymarketModule
  ? new polymarketModule.PolymarketAdapter({
      clobUrl: env('CRASH_VENUE_URL'),
      chainId: 137,
      timeoutMs: 3_000,
      credentials: { polymarket: async () => JSON.parse(env('CRASH_PM_CREDS')), kalshi: async () => null },
    })
  : kalshiModule
    ? new kalshiModule.KalshiAdapter({
        apiUrl: env('CRASH_VENUE_URL'),
        timeoutMs: 3_000,
        credentials: {
          polymarket: async () => null,
          kalshi: async () => ({ keyId: env('CRASH_KALSHI_KEY_ID'), privateKeyPem: env('CRASH_KALSHI_PEM') }),
        },
      })
    : new CrashVenueAdapter(venue, env('CRASH_VENUE_URL'), flavour as 'hash' | 'client');
// Notifications are not under test here: their outbox rows are written, no delivery job is queued.
const jobs: JobPort = { async send() {}, async sendMany() {} };
const log = {
  warn: (obj: unknown, msg?: string) => process.stderr.write(`WARN ${msg ?? ''} ${safe(obj)}\n`),
  error: (obj: unknown, msg?: string) => process.stderr.write(`ERROR ${msg ?? ''} ${safe(obj)}\n`),
};
const deps = {
  prisma,
  jobs,
  adapters: new Map([[venue, adapter]]),
  settings: { mode: 'live' as const, maxOrderUsd: new Decimal('1000000'), defaultSlippage: new Decimal('0.05') },
  log,
  lookupRetries: { attempts: 2, delayMs: 20 },
  sync: { neverReceivedAfterMs: Number(env('CRASH_GRACE_MS')), follow: false, startupVenueTimeoutMs: 5_000 },
  // Live mode routes only to linked venues: this user has linked the one venue under test.
  accounts: { linkedVenues: async () => new Set([venue]) },
};
const t0 = performance.now();
const core = await createCore(deps as unknown as CoreDeps);
const t1 = performance.now();
const report = await core.trading.startupReconcile();
out({ event: 'ready', report, coreMs: Math.round(t1 - t0), startupMs: Math.round(performance.now() - t1) });
if (process.env.CRASH_MODE === 'reconcile') {
  await prisma.$disconnect();
  process.exit(0);
}

const PRICES = ['0.60', '0.40', '0.20', '0.55', '0.30', '0.45'];
for (let i = 0; ; i++) {
  const price = PRICES[Math.floor(rng() * PRICES.length)]!;
  const quantity = 5 + Math.floor(rng() * 16);
  const order = await core.trading.placeOrder({
    userId,
    marketId,
    side: 'yes',
    action: 'buy',
    type: 'limit',
    price: new Decimal(price),
    quantity: new Decimal(quantity),
    exchange: venue,
    source: 'manual',
  });
  out({ event: 'placed', id: order.id, status: order.status });
  if ((order.status === 'pending' || order.status === 'partial') && rng() < 0.35) {
    const cancelled = await core.trading.cancelOrder({ userId, orderId: order.id });
    out({ event: 'cancelled', id: order.id, status: cancelled.status });
  }
}

function safe(obj: unknown): string {
  try {
    return JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? { message: v.message, name: v.name } : v));
  } catch {
    return String(obj);
  }
}
