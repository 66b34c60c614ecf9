/**
 * The Polymarket CLOB market channel (`${POLYMARKET_WS_URL}/market`, public): full `book` snapshots
 * and `price_change` level updates per outcome token, kept as local books for the LiveMarketFeed.
 *
 * - Subscribes with `{ assets_ids, type: "market" }` (the channel has no unsubscribe: a changed
 *   listing set reconnects). At most 500 tokens per connection; the rest stay on polling.
 * - Keep-alive: the text "PING" every `pingMs` (the venue answers "PONG").
 * - A connection counts as quiet when nothing (not even PONG) arrived for `quietMs`: it is closed and
 *   reopened with backoff; meanwhile covers() is false and the feed polls those listings.
 * - A listing is covered only once the stream has sent its books (the first `book` event).
 */
import { Decimal } from '../money.ts';
import type { BookLevel, OrderBook, Outcome } from '../exchanges/types.ts';
import type { BookStream, FeedLog, ListingBooks, LiveListing } from './live-feed.ts';
import { mirror } from './live-feed.ts';

/*
 * {"event_type":"book","asset_id":"6581…","market":"0xbd31…","bids":[{"price":".48","size":"30"}],
 *  "asks":[{"price":".52","size":"25"}],"timestamp":"123456789000","hash":"0x0…"}
 * {"event_type":"price_change","market":"0x5f65…","timestamp":"1757908892351","price_changes":[
 *  {"asset_id":"7132…","price":"0.5","size":"200","side":"BUY","hash":"5662…","best_bid":"0.5","best_ask":"1"}]}
 * (before Sep 2025: {"event_type":"price_change","asset_id":"…","changes":[{"price","side","size"}]})
 * size "0" removes the level. Frames may also be JSON arrays of events.
 */
interface LevelWire {
  price: string | number;
  size: string | number;
}
interface BookEvent {
  event_type: 'book';
  asset_id: string;
  bids?: LevelWire[];
  asks?: LevelWire[];
  buys?: LevelWire[];
  sells?: LevelWire[];
  timestamp?: string | number;
}
interface ChangeWire {
  asset_id?: string;
  price: string | number;
  size: string | number;
  side: string;
}
interface PriceChangeEvent {
  event_type: 'price_change';
  asset_id?: string;
  price_changes?: ChangeWire[];
  changes?: ChangeWire[];
  timestamp?: string | number;
}

/** The subset of the WebSocket API the stream uses (global WebSocket in Node 24). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown }) => void): void;
}

export interface PolymarketStreamOptions {
  /** Full URL of the market channel, e.g. wss://ws-subscriptions-clob.polymarket.com/ws/market. */
  url: string;
  quietMs: number;
  pingMs?: number;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: FeedLog;
  connect?: (url: string) => WebSocketLike;
  clock?: () => number;
}

interface TokenBook {
  bids: Map<string, Decimal>;
  asks: Map<string, Decimal>;
  timestamp: Date;
}

const MAX_ASSETS = 500;
const OPEN = 1;

const dec = (v: string | number): Decimal | null => {
  const s = String(v).trim();
  return /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? new Decimal(s) : null;
};
const stamp = (ts: string | number | undefined, fallback: number): Date => {
  const n = Number(ts);
  return Number.isFinite(n) && n > 0 ? new Date(n < 1e12 ? n * 1000 : n) : new Date(fallback);
};

export class PolymarketMarketStream implements BookStream {
  readonly venue = 'polymarket' as const;
  private readonly tokens = new Map<string, { venueMarketId: string; outcome: Outcome }>();
  private readonly byListing = new Map<string, LiveListing>();
  private readonly bookOf = new Map<string, TokenBook>();
  private readonly listeners: ((venueMarketId: string) => void)[] = [];
  private readonly clock: () => number;
  private ws: WebSocketLike | null = null;
  private subscribed = '';
  private lastMessageAt = 0;
  private connected = false;
  private failures = 0;
  private running = false;
  private quietLogged = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PolymarketStreamOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  track(listings: readonly LiveListing[]): void {
    this.tokens.clear();
    this.byListing.clear();
    for (const l of listings) {
      if (l.venue !== 'polymarket' || !l.yesTokenId) continue;
      if (this.tokens.size + 2 > MAX_ASSETS) break;
      this.byListing.set(l.venueMarketId, l);
      this.tokens.set(l.yesTokenId, { venueMarketId: l.venueMarketId, outcome: 'yes' });
      if (l.noTokenId) this.tokens.set(l.noTokenId, { venueMarketId: l.venueMarketId, outcome: 'no' });
    }
    const wanted = [...this.tokens.keys()].sort().join(',');
    if (wanted !== this.subscribed && this.running) {
      // The channel cannot unsubscribe: a different set means a new connection.
      this.subscribed = wanted;
      this.reconnect(0);
    }
  }

  covers(venueMarketId: string): boolean {
    if (!this.alive()) return false;
    const l = this.byListing.get(venueMarketId);
    if (!l?.yesTokenId || !this.bookOf.has(l.yesTokenId)) return false;
    return !l.noTokenId || this.bookOf.has(l.noTokenId);
  }

  books(venueMarketId: string): ListingBooks | null {
    const l = this.byListing.get(venueMarketId);
    const yes = l?.yesTokenId ? this.bookOf.get(l.yesTokenId) : undefined;
    if (!l || !yes) return null;
    const yesBook = toBook(venueMarketId, 'yes', yes);
    const no = l.noTokenId ? this.bookOf.get(l.noTokenId) : undefined;
    return { yes: yesBook, no: no ? toBook(venueMarketId, 'no', no) : mirror(yesBook) };
  }

  onBooks(listener: (venueMarketId: string) => void): void {
    this.listeners.push(listener);
  }

  /** True while connected and not quiet. */
  alive(): boolean {
    return this.connected && this.clock() - this.lastMessageAt < this.opts.quietMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const every = Math.max(50, Math.floor(this.opts.quietMs / 3));
    this.watchTimer = setInterval(() => this.watch(), every);
    this.watchTimer.unref();
    if (this.tokens.size > 0) {
      this.subscribed = [...this.tokens.keys()].sort().join(',');
      this.reconnect(0);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.pingTimer, this.reconnectTimer]) if (t) clearTimeout(t);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.pingTimer = this.reconnectTimer = this.watchTimer = null;
    this.drop();
  }

  private watch(): void {
    if (!this.connected || this.alive()) return;
    if (!this.quietLogged) this.opts.log?.warn({ url: this.opts.url, quietMs: this.opts.quietMs }, 'market data: Polymarket stream went quiet; polling takes over, reconnecting');
    this.quietLogged = true;
    this.failures += 1;
    this.reconnect(this.delay());
  }

  private delay(): number {
    const base = this.opts.backoffMs ?? 1_000;
    return Math.min(this.opts.maxBackoffMs ?? 60_000, base * 2 ** Math.min(Math.max(this.failures - 1, 0), 16));
  }

  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    this.connected = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.bookOf.clear();
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
  }

  private reconnect(ms: number): void {
    this.drop();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (!this.running || this.tokens.size === 0) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open();
    }, ms);
    this.reconnectTimer.unref();
  }

  private open(): void {
    let ws: WebSocketLike;
    try {
      ws = (this.opts.connect ?? ((u) => new WebSocket(u) as unknown as WebSocketLike))(this.opts.url);
    } catch (err) {
      this.failed(err instanceof Error ? err.message : String(err));
      return;
    }
    this.ws = ws;
    const assets = [...this.tokens.keys()];
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.connected = true;
      this.lastMessageAt = this.clock();
      ws.send(JSON.stringify({ assets_ids: assets, type: 'market' }));
      this.pingTimer = setInterval(() => {
        if (ws.readyState === OPEN) ws.send('PING');
      }, this.opts.pingMs ?? 10_000);
      this.pingTimer.unref();
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      this.lastMessageAt = this.clock();
      if (this.quietLogged || this.failures > 0) {
        this.opts.log?.info({ url: this.opts.url }, 'market data: Polymarket stream connected again');
        this.failures = 0;
        this.quietLogged = false;
      }
      this.onMessage(typeof ev.data === 'string' ? ev.data : String(ev.data));
    });
    const lost = (why: string) => {
      if (this.ws !== ws) return;
      this.failed(why);
    };
    ws.addEventListener('error', () => lost('connection error'));
    ws.addEventListener('close', () => lost('connection closed'));
  }

  private failed(why: string): void {
    this.failures += 1;
    if (this.failures === 1 && !this.quietLogged) {
      this.opts.log?.warn({ url: this.opts.url, reason: why }, 'market data: Polymarket stream unavailable; polling instead, reconnecting with backoff');
    }
    this.reconnect(this.delay());
  }

  private onMessage(text: string): void {
    if (text === 'PONG' || text === '') return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const changed = new Set<string>();
    for (const ev of Array.isArray(json) ? json : [json]) {
      if (!ev || typeof ev !== 'object') continue;
      const e = ev as { event_type?: string };
      if (e.event_type === 'book') this.applyBook(ev as BookEvent, changed);
      else if (e.event_type === 'price_change') this.applyChanges(ev as PriceChangeEvent, changed);
    }
    for (const id of changed) for (const l of this.listeners) l(id);
  }

  private applyBook(ev: BookEvent, changed: Set<string>): void {
    const t = this.tokens.get(ev.asset_id);
    if (!t) return;
    const book: TokenBook = { bids: new Map(), asks: new Map(), timestamp: stamp(ev.timestamp, this.clock()) };
    for (const [side, levels] of [['bids', ev.bids ?? ev.buys ?? []], ['asks', ev.asks ?? ev.sells ?? []]] as const) {
      for (const l of levels) {
        const price = dec(l.price);
        const size = dec(l.size);
        if (price && size && size.gt(0)) book[side].set(price.toFixed(), size);
      }
    }
    this.bookOf.set(ev.asset_id, book);
    changed.add(t.venueMarketId);
  }

  private applyChanges(ev: PriceChangeEvent, changed: Set<string>): void {
    for (const c of ev.price_changes ?? ev.changes ?? []) {
      const assetId = c.asset_id ?? ev.asset_id;
      const t = assetId ? this.tokens.get(assetId) : undefined;
      const book = assetId ? this.bookOf.get(assetId) : undefined;
      if (!t || !book) continue; // no snapshot yet: wait for the book event
      const price = dec(c.price);
      const size = dec(c.size);
      if (!price || !size) continue;
      const side = c.side.toUpperCase() === 'BUY' ? book.bids : book.asks;
      if (size.isZero()) side.delete(price.toFixed());
      else side.set(price.toFixed(), size);
      book.timestamp = stamp(ev.timestamp, this.clock());
      changed.add(t.venueMarketId);
    }
  }
}

function toBook(venueMarketId: string, outcome: Outcome, b: TokenBook): OrderBook {
  const levels = (m: Map<string, Decimal>): BookLevel[] => [...m].map(([p, size]) => ({ price: new Decimal(p), size }));
  return {
    venue: 'polymarket',
    venueMarketId,
    outcome,
    bids: levels(b.bids).sort((a, c) => c.price.cmp(a.price)),
    asks: levels(b.asks).sort((a, c) => a.price.cmp(c.price)),
    timestamp: b.timestamp,
  };
}
