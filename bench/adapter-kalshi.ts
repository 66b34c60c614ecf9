/**
 * Kalshi adapter overhead: per order, how long the adapter's own work takes (credential lookup,
 * PEM parse, RSA-PSS signing, JSON encoding, zod parsing, mapping) against the full round trip of
 * `placeOrder` to the local fake Kalshi (127.0.0.1, real HTTP, signature verified by the fake).
 *
 * Measured: round trip = wall time of placeOrder; network+venue = time spent inside fetch (request
 * sent → body fully read, measured by a fetch wrapper that buffers the body); overhead = round
 * trip − network+venue. Orders are resting GTC limit buys (one signed POST each; the market's
 * rules are cached, as in steady-state trading).
 *
 *   npx tsx bench/adapter-kalshi.ts            # BENCH_KALSHI_ORDERS=500 by default
 *   import { benchKalshiAdapter } from './adapter-kalshi.ts'; await benchKalshiAdapter({ orders: 300 });
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Decimal } from '../core/money.ts';
import { KalshiAdapter } from '../core/exchanges/kalshi/adapter.ts';
import type { CredentialSource } from '../core/exchanges/credentials.ts';
import { kalshiAuthHeaders, loadKalshiPrivateKey } from '../core/exchanges/kalshi/signing.ts';
import { FakeKalshi } from '../test/fakes/kalshi/server.ts';
import { percentile } from './stats.ts';

export interface KalshiAdapterBench {
  orders: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
  /** RSA-PSS signing of one request alone (part of the overhead). */
  signP50Ms: number;
}

const pct = percentile;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export async function benchKalshiAdapter(opts: { orders?: number; warmup?: number } = {}): Promise<KalshiAdapterBench> {
  const orders = opts.orders ?? 500;
  const warmup = opts.warmup ?? Math.min(50, orders);
  const fake = await FakeKalshi.start();
  try {
    const ticker = 'KXBENCH-26-Y';
    fake.engine.addMarket({ ticker });
    fake.engine.seedBook(ticker, { yesBids: [['0.40', '1000000']], noBids: [['0.50', '1000000']] });
    const { keyId, privateKeyPem } = fake.registerKey({ balance: '100000000' });
    const credentials: CredentialSource = { polymarket: async () => null, kalshi: async () => ({ keyId, privateKeyPem }) };

    let inFetch = 0;
    const timedFetch: typeof fetch = async (input, init) => {
      const t0 = performance.now();
      const res = await fetch(input, init);
      const text = await res.text();
      inFetch += performance.now() - t0;
      return new Response(text, { status: res.status, headers: res.headers });
    };
    const adapter = new KalshiAdapter({ apiUrl: fake.url, timeoutMs: 5_000, credentials, fetch: timedFetch, marketTtlMs: 3_600_000 });
    const listing = { listingId: 'l', marketId: 'm', venue: 'kalshi' as const, venueMarketId: ticker, tickSize: new Decimal('0.01'), minSize: new Decimal(1), negRisk: false };

    const overhead: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < warmup + orders; i++) {
      inFetch = 0;
      const t0 = performance.now();
      await adapter.placeOrder({
        account: { userId: 'bench' },
        listing,
        outcome: i % 2 === 0 ? 'yes' : 'no',
        action: 'buy',
        type: 'limit',
        timeInForce: 'GTC',
        clientOrderId: `yn-bench-${i}`,
        price: new Decimal(i % 2 === 0 ? '0.30' : '0.40'),
        quantity: new Decimal(1),
      });
      const total = performance.now() - t0;
      if (i < warmup) continue;
      roundTrip.push(total);
      overhead.push(total - inFetch);
    }
    const key = loadKalshiPrivateKey(privateKeyPem);
    const signs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      kalshiAuthHeaders({ keyId, key, method: 'POST', pathname: '/trade-api/v2/portfolio/events/orders', nowMs: Date.now() });
      signs.push(performance.now() - t0);
    }
    signs.sort((a, b) => a - b);
    overhead.sort((a, b) => a - b);
    roundTrip.sort((a, b) => a - b);
    return {
      orders,
      overheadP50Ms: round(pct(overhead, 50)),
      overheadP99Ms: round(pct(overhead, 99)),
      roundTripP50Ms: round(pct(roundTrip, 50)),
      roundTripP99Ms: round(pct(roundTrip, 99)),
      signP50Ms: round(pct(signs, 50)),
    };
  } finally {
    await fake.stop();
  }
}

/** A small table for people. */
export function formatKalshiAdapterBench(r: KalshiAdapterBench): string {
  const row = (name: string, p50: number, p99: number) => `${name.padEnd(28)}${p50.toFixed(3).padStart(10)}${p99.toFixed(3).padStart(10)}`;
  return [
    `Kalshi adapter, ${r.orders} limit orders against the local fake (ms)`,
    `${''.padEnd(28)}${'p50'.padStart(10)}${'p99'.padStart(10)}`,
    row('adapter overhead', r.overheadP50Ms, r.overheadP99Ms),
    row('round trip (placeOrder)', r.roundTripP50Ms, r.roundTripP99Ms),
    `(of the overhead, RSA-PSS signing alone: p50 ${r.signP50Ms.toFixed(3)} ms)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const orders = Number(process.env.BENCH_KALSHI_ORDERS ?? 500);
  const result = await benchKalshiAdapter({ orders });
  console.log(formatKalshiAdapterBench(result));
}
