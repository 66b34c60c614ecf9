/**
 * A local fake of Polymarket's public data API, `GET /trades?user=&limit=&offset=&takerOnly=`, over
 * real HTTP, replaying the trades tests give it for each wallet (newest first, numbers as JSON
 * numbers, as the real API answers). Faults on demand:
 *
 *   const api = await startFakeDataApi();
 *   api.addTrade(wallet, { side: 'BUY', asset, size: 100, price: 0.42 });   // a new trade, now
 *   api.faults.duplicate = true;      // every page repeats its first row (as after an offset shift)
 *   api.faults.shuffle = true;        // rows of a page in random order
 *   api.faults.stalePage = true;      // the next page of a wallet is served from before its newest trade
 *   api.faults.delayMs = 200;         // answer late
 *   api.faults.failNext = 2; api.faults.failStatus = 503;                 // the next 2 requests fail
 *   api.requests                      // every request's wallet, limit, offset, takerOnly
 *   POST /__fake/trades { trades: [{ wallet, side, asset, size, price }] }   the same from another process
 *   await api.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export interface FakeTrade {
  proxyWallet: string;
  side: 'BUY' | 'SELL';
  asset: string;
  conditionId: string;
  size: number;
  price: number;
  timestamp: number;
  title: string;
  slug: string;
  eventSlug: string;
  outcome: string;
  outcomeIndex: number;
  name: string;
  pseudonym: string;
  transactionHash: string;
}

export interface FakeDataApi {
  url: string;
  requests: { user: string; limit: number; offset: number; takerOnly: string | null }[];
  faults: { duplicate: boolean; shuffle: boolean; stalePage: boolean; delayMs: number; failNext: number; failStatus: number; malformedNext: number };
  /** Adds a trade of `wallet` (timestamp defaults to now); returns the row as served. */
  addTrade(wallet: string, t: Partial<FakeTrade> & Pick<FakeTrade, 'side' | 'asset' | 'size' | 'price'>): FakeTrade;
  /** The trades of a wallet as stored (unsorted). */
  trades(wallet: string): FakeTrade[];
  close(): Promise<void>;
}

let seq = 0;

export async function startFakeDataApi(): Promise<FakeDataApi> {
  const byWallet = new Map<string, FakeTrade[]>();
  const requests: FakeDataApi['requests'] = [];
  const faults: FakeDataApi['faults'] = { duplicate: false, shuffle: false, stalePage: false, delayMs: 0, failNext: 0, failStatus: 503, malformedNext: 0 };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    if (req.method === 'POST' && url.pathname === '/__fake/trades') {
      // Control route (the bench drives a fake running in another process): { trades: [{ wallet, side, asset, size, price, timestamp? }] }.
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { trades } = JSON.parse(body || '{}') as { trades?: (Partial<FakeTrade> & { wallet: string } & Pick<FakeTrade, 'side' | 'asset' | 'size' | 'price'>)[] };
        for (const t of trades ?? []) fake.addTrade(t.wallet, t);
        send(200, { added: trades?.length ?? 0 });
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/__fake/stats') return send(200, { requests: requests.length });
    const answer = () => {
      if (req.method !== 'GET' || url.pathname !== '/trades') return send(404, { error: 'not found' });
      const user = (url.searchParams.get('user') ?? '').toLowerCase();
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      requests.push({ user, limit, offset, takerOnly: url.searchParams.get('takerOnly') });
      if (faults.failNext > 0) {
        faults.failNext--;
        return send(faults.failStatus, { error: 'upstream trouble' });
      }
      if (faults.malformedNext > 0) {
        faults.malformedNext--;
        return send(200, [{ side: 'HOLD', size: 'lots' }]);
      }
      if (!/^0x[0-9a-f]{40}$/.test(user)) return send(400, { error: 'invalid user address' });
      let all = [...(byWallet.get(user) ?? [])].sort((a, b) => b.timestamp - a.timestamp);
      if (faults.stalePage) {
        faults.stalePage = false;
        all = all.slice(1);
      }
      let page = all.slice(offset, offset + limit);
      if (faults.duplicate && page.length > 0) page = [...page, page[0]!];
      if (faults.shuffle) page = page.map((t) => [Math.random(), t] as const).sort((a, b) => a[0] - b[0]).map(([, t]) => t);
      return send(200, page);
    };
    if (faults.delayMs > 0) setTimeout(answer, faults.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeDataApi = {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    addTrade(wallet, t) {
      const w = wallet.toLowerCase();
      const n = ++seq;
      const row: FakeTrade = {
        proxyWallet: w,
        conditionId: t.conditionId ?? `0x${'0'.repeat(64)}`,
        timestamp: t.timestamp ?? Math.floor(Date.now() / 1000),
        title: t.title ?? 'A market',
        slug: t.slug ?? 'a-market',
        eventSlug: t.eventSlug ?? 'an-event',
        outcome: t.outcome ?? 'Yes',
        outcomeIndex: t.outcomeIndex ?? 0,
        name: t.name ?? 'target',
        pseudonym: t.pseudonym ?? 'Target-Trader',
        transactionHash: t.transactionHash ?? `0x${createHash('sha256').update(`tx:${w}:${n}`).digest('hex')}`,
        side: t.side,
        asset: t.asset,
        size: t.size,
        price: t.price,
      };
      const list = byWallet.get(w) ?? [];
      list.push(row);
      byWallet.set(w, list);
      return row;
    },
    trades: (wallet) => [...(byWallet.get(wallet.toLowerCase()) ?? [])],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
