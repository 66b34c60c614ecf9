/**
 * Polymarket's public data API (no auth): a wallet's trade history, the feed copy- and counter-trading
 * follow. `GET /trades?user=<address>&limit&offset&takerOnly=false` answers an array, newest first.
 *
 * Usage:
 *   const source = new PolymarketDataApi({ baseUrl: config.POLYMARKET_DATA_URL, timeoutMs: 5_000 });
 *   const { trades, cursor } = await source.fetchNew({ address, cursor: stored });  // store `cursor`
 *
 * It implements WalletTradeSource (core/following/types.ts), so a faster source (the CLOB WebSocket,
 * chain events) can replace it behind the same interface. The data API has no trade id: a trade is
 * identified by transactionHash + asset + side + size + price (tradeKey()).
 *
 * Numbers arrive as JSON numbers; they become Decimal through their shortest decimal text
 * (String(n)), never by arithmetic on floats. Failures are VenueError (venue 'polymarket'):
 * network errors, timeouts, 429 and 5xx are `retryable`; other 4xx `rejected`; an unreadable body
 * `rejected` with code BAD_RESPONSE.
 */
import { z } from 'zod';
import { Decimal } from '../../money.ts';
import { VenueError } from '../types.ts';
import type { SourceTrade, WalletTradeSource } from '../../following/types.ts';

export interface PolymarketDataApiOptions {
  /** Data API host, e.g. https://data-api.polymarket.com or a local fake's url. */
  baseUrl: string;
  timeoutMs: number;
  /** Rows per page (the API's default is 100, its maximum 10,000). Default 100. */
  pageSize?: number;
  /** At most this many pages per poll (a long backlog is read over several polls). Default 5. */
  maxPages?: number;
  /**
   * Trades up to this many seconds older than the newest one already seen are read again (and
   * deduplicated by key), so a trade the API indexes late is still found. Default 120.
   */
  lookbackSeconds?: number;
  fetch?: typeof fetch;
  /** Clock (ms), for the first poll of a wallet. Default Date.now. */
  now?: () => number;
}

/*
 * A row of GET /trades (sample, abridged):
 * {
 *   "proxyWallet": "0x56687bf447db6ffa42ffe2204a05edaa20f55839",
 *   "side": "BUY",
 *   "asset": "21742633143463906290569050155826241533067272736897614950488156847949938836455",
 *   "conditionId": "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917",
 *   "size": 120.5,
 *   "price": 0.42,
 *   "timestamp": 1764400000,
 *   "title": "Will the Fed cut rates in December?",
 *   "slug": "fed-cut-dec", "icon": "https://…", "eventSlug": "fed-december",
 *   "outcome": "Yes", "outcomeIndex": 0,
 *   "name": "whale", "pseudonym": "Wise-Owl", "bio": "", "profileImage": "", "profileImageOptimized": "",
 *   "transactionHash": "0x9c7d…e1"
 * }
 */
const decimalValue = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const text = typeof v === 'number' ? String(v) : v.trim();
  if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text)) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return new Decimal(text);
});

export const dataApiTradeSchema = z.looseObject({
  proxyWallet: z.string().optional(),
  side: z.enum(['BUY', 'SELL']),
  asset: z.string().min(1),
  conditionId: z.string().default(''),
  size: decimalValue,
  price: decimalValue,
  timestamp: z.number().int().nonnegative(),
  title: z.string().nullish(),
  outcome: z.string().nullish(),
  outcomeIndex: z.number().int().nullish(),
  transactionHash: z.string().min(1),
});
export type DataApiTrade = z.output<typeof dataApiTradeSchema>;

const tradesPage = z.array(dataApiTradeSchema);

/**
 * The data API cursor, stored as JSON in FollowedWallet.cursor: the newest trade time seen (unix s)
 * and the keys (with their times) of the trades seen within the lookback window, so a poll that
 * re-reads them reports nothing (and writes nothing).
 */
const cursorSchema = z.object({ newest: z.number().int().nonnegative(), recent: z.array(z.tuple([z.number().int(), z.string()])).default([]) });
type Cursor = z.output<typeof cursorSchema>;
const MAX_RECENT = 1000;

/** transactionHash + asset + side + size + price: the data API's trade identity. */
export function tradeKey(t: { transactionHash: string; asset: string; side: string; size: Decimal; price: Decimal }): string {
  return `${t.transactionHash.toLowerCase()}:${t.asset}:${t.side}:${t.size.toFixed()}:${t.price.toFixed()}`;
}

export function toSourceTrade(t: DataApiTrade): SourceTrade {
  return {
    key: tradeKey(t),
    side: t.side,
    asset: t.asset,
    conditionId: t.conditionId,
    outcome: t.outcome ?? null,
    outcomeIndex: t.outcomeIndex ?? null,
    size: t.size,
    price: t.price,
    title: t.title ?? null,
    tradedAt: new Date(t.timestamp * 1000),
    raw: t as Record<string, unknown>,
  };
}

export class PolymarketDataApi implements WalletTradeSource {
  readonly name = 'polymarket-data-api';
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly lookback: number;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: PolymarketDataApiOptions) {
    this.pageSize = opts.pageSize ?? 100;
    this.maxPages = opts.maxPages ?? 5;
    this.lookback = opts.lookbackSeconds ?? 120;
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** One page of a wallet's trades, newest first (as the API sorts them). */
  async getTrades(args: { user: string; limit?: number; offset?: number; signal?: AbortSignal }): Promise<DataApiTrade[]> {
    const url = new URL(`${this.opts.baseUrl.replace(/\/+$/, '')}/trades`);
    url.searchParams.set('user', args.user);
    url.searchParams.set('limit', String(args.limit ?? this.pageSize));
    url.searchParams.set('offset', String(args.offset ?? 0));
    url.searchParams.set('takerOnly', 'false');
    const signal = args.signal ? AbortSignal.any([args.signal, AbortSignal.timeout(this.opts.timeoutMs)]) : AbortSignal.timeout(this.opts.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, { headers: { accept: 'application/json' }, signal });
      text = await res.text();
    } catch (cause) {
      throw new VenueError({ kind: 'retryable', code: 'NETWORK', venue: 'polymarket', message: `data API unreachable: ${(cause as Error)?.message ?? cause}`, cause });
    }
    if (res.status === 429 || res.status >= 500) {
      throw new VenueError({ kind: 'retryable', code: `HTTP_${res.status}`, venue: 'polymarket', message: `data API answered ${res.status}` });
    }
    if (!res.ok) {
      throw new VenueError({ kind: 'rejected', code: `HTTP_${res.status}`, venue: 'polymarket', message: `data API answered ${res.status}: ${text.slice(0, 200)}` });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VenueError({ kind: 'rejected', code: 'BAD_RESPONSE', venue: 'polymarket', message: 'data API answered something that is not JSON' });
    }
    const parsed = tradesPage.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VenueError({ kind: 'rejected', code: 'BAD_RESPONSE', venue: 'polymarket', message: `data API trade row not understood (${issue?.path.join('.')}: ${issue?.message})` });
    }
    return parsed.data;
  }

  /**
   * Trades at or after (newest seen − lookback) not already in the cursor, page by page until a page
   * reaches back past that point (pages may come out of order or overlap; the caller deduplicates by
   * key too). A null cursor (a wallet never polled) reads from (now − lookback): the poller follows
   * only the trades made after each follow started, so nothing earlier is acted on.
   */
  async fetchNew(args: { address: string; cursor: unknown; signal?: AbortSignal }): Promise<{ trades: SourceTrade[]; cursor: unknown }> {
    const parsed = cursorSchema.safeParse(args.cursor);
    const prior: Cursor | null = parsed.success ? parsed.data : null;
    // Never polled: start a lookback before now, so a trade made between the follow's start and this
    // first poll is not missed (the poller follows only trades made after each follow started).
    const since = prior ? prior.newest - this.lookback : Math.floor(this.now() / 1000) - this.lookback;
    const known = new Map<string, number>(prior?.recent.map(([ts, key]) => [key, ts]) ?? []);
    const out = new Map<string, SourceTrade>();
    const seen: DataApiTrade[] = [];
    let newest = prior?.newest ?? 0;
    for (let page = 0; page < this.maxPages; page++) {
      const rows = await this.getTrades({ user: args.address, limit: this.pageSize, offset: page * this.pageSize, signal: args.signal });
      let oldest = Infinity;
      for (const row of rows) {
        newest = Math.max(newest, row.timestamp);
        oldest = Math.min(oldest, row.timestamp);
        seen.push(row);
        if (row.timestamp >= since) {
          const t = toSourceTrade(row);
          if (!known.has(t.key)) out.set(t.key, t);
        }
      }
      // Stop once a page reached back past the window (or was the last one).
      if (rows.length < this.pageSize || oldest < since) break;
    }
    // Remember every trade inside the new window (seen now or before), newest first, bounded.
    const floor = newest - this.lookback;
    for (const row of seen) if (row.timestamp >= floor) known.set(tradeKey(row), row.timestamp);
    const recent = [...known.entries()]
      .filter(([, ts]) => ts >= floor)
      .map(([key, ts]) => [ts, key] as [number, string])
      .sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .slice(0, MAX_RECENT);
    return { trades: [...out.values()].sort((a, b) => a.tradedAt.getTime() - b.tradedAt.getTime()), cursor: { newest, recent } };
  }
}
