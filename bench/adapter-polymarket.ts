/**
 * Polymarket adapter overhead: per order, the time the adapter spends on its own work (credential
 * resolution, venue-rule checks, Decimal sizing, EIP-712 signing and hashing, L2 HMAC headers, JSON
 * encoding, zod parsing) against the full round trip of `placeOrder` to the local fake CLOB.
 *
 * Method: the adapter gets an instrumented fetch that reads the whole response body inside the
 * timed region; overhead = placeOrder wall time − time inside fetch. Orders are resting GTC buys
 * (one POST /order each, no follow-up trade lookups), after a warm-up that fills the rule cache.
 * The fake runs in the same process, so its own handling time (including signature recovery) counts
 * as "inside fetch", not as adapter overhead.
 *
 *   npx tsx bench/adapter-polymarket.ts            # prints a table
 *   BENCH_PM_ORDERS=500 npx tsx bench/adapter-polymarket.ts
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Decimal } from '../core/money.ts';
import { PolymarketAdapter } from '../core/exchanges/polymarket/adapter.ts';
import { startPolymarketHarness } from '../test/fakes/polymarket/harness.ts';
import { percentile, sortedCopy } from './stats.ts';

export interface PolymarketAdapterBench {
  orders: number;
  overheadP50Ms: number;
  overheadP99Ms: number;
  roundTripP50Ms: number;
  roundTripP99Ms: number;
}

const pct = (xs: number[], p: number): number => percentile(sortedCopy(xs), p);
const round = (n: number): number => Math.round(n * 1000) / 1000;

export async function benchPolymarketAdapter(opts: { orders?: number } = {}): Promise<PolymarketAdapterBench> {
  const orders = opts.orders ?? 200;
  const h = await startPolymarketHarness();
  let insideFetch = 0;
  const timedFetch: typeof fetch = async (input, init) => {
    const t0 = performance.now();
    try {
      const res = await fetch(input, init);
      const body = await res.arrayBuffer();
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    } finally {
      insideFetch += performance.now() - t0;
    }
  };
  try {
    const adapter = new PolymarketAdapter({ clobUrl: h.clob.url, chainId: 137, credentials: h.credentials, timeoutMs: 10_000, fetch: timedFetch });
    const user = await h.addUser({ usdc: '10000000' });
    const place = (i: number) =>
      adapter.placeOrder(h.request({ userId: user.userId, price: new Decimal('0.01').mul(1 + (i % 40)), quantity: new Decimal(5) }));
    for (let i = 0; i < Math.min(50, orders); i++) await place(i);
    const overhead: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < orders; i++) {
      insideFetch = 0;
      const t0 = performance.now();
      const o = await place(i);
      const total = performance.now() - t0;
      if (o.status !== 'open') throw new Error(`bench order not resting: ${o.status}`);
      roundTrip.push(total);
      overhead.push(total - insideFetch);
    }
    return {
      orders,
      overheadP50Ms: round(pct(overhead, 50)),
      overheadP99Ms: round(pct(overhead, 99)),
      roundTripP50Ms: round(pct(roundTrip, 50)),
      roundTripP99Ms: round(pct(roundTrip, 99)),
    };
  } finally {
    await h.stop();
  }
}

/** A small table for people. */
export function formatPolymarketAdapterBench(r: PolymarketAdapterBench): string {
  const row = (name: string, p50: number, p99: number) => `${name.padEnd(28)}${p50.toFixed(3).padStart(10)}${p99.toFixed(3).padStart(10)}`;
  return [
    `Polymarket adapter, ${r.orders} resting GTC orders against the local fake CLOB (ms)`,
    `${''.padEnd(28)}${'p50'.padStart(10)}${'p99'.padStart(10)}`,
    row('adapter overhead', r.overheadP50Ms, r.overheadP99Ms),
    row('round trip (placeOrder)', r.roundTripP50Ms, r.roundTripP99Ms),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchPolymarketAdapter({ orders: Number(process.env.BENCH_PM_ORDERS ?? 200) });
  console.log(formatPolymarketAdapterBench(r));
}
