/**
 * The CLOB's user WebSocket channel, one connection per watched user: `${wsUrl}/user`, subscribe with
 * `{ auth: { apiKey, secret, passphrase }, markets: [], type: "user" }` (the venue authenticates the
 * channel with the L2 credentials in this first message), keep-alive text "PING" every `pingMs`,
 * reconnect with exponential backoff (with jitter) after any close. The credentials are read from the
 * CredentialSource on each (re)connect and not kept. Uses Node's global WebSocket (no dependency).
 *
 * It only reports *which* orders changed (`onOrderTouched(userId, orderIds)`); the adapter then reads
 * each order from the venue (GET /data/order + trades), so pushed and polled states are identical.
 */
import { z } from 'zod';
import type { CredentialSource } from '../credentials.ts';

/*
 * [{"event_type":"order","type":"UPDATE","id":"0x9f2c...e1","owner":"a1b2-...","market":"0x5f65...c2",
 *   "asset_id":"7132...","side":"BUY","original_size":"10","size_matched":"4","price":"0.5","outcome":"Yes",
 *   "associate_trades":["7f6c..."],"timestamp":"1764400000123"}]
 * [{"event_type":"trade","type":"TRADE","id":"7f6c...","taker_order_id":"0x77...","market":"0x5f65...c2",
 *   "asset_id":"7132...","side":"SELL","size":"4","price":"0.5","status":"MATCHED","matchtime":"1764400000",
 *   "owner":"c3d4-...","maker_orders":[{"order_id":"0x9f2c...e1","owner":"a1b2-...","matched_amount":"4","price":"0.5"}]}]
 */
const channelEventSchema = z.union([
  z.object({ event_type: z.literal('order'), id: z.string() }).loose(),
  z.object({ event_type: z.literal('trade'), id: z.string(), taker_order_id: z.string().optional(), maker_orders: z.array(z.object({ order_id: z.string() }).loose()).optional() }).loose(),
]);

export interface UserStreamOptions {
  /** POLYMARKET_WS_URL, e.g. wss://ws-subscriptions-clob.polymarket.com/ws. */
  wsUrl: string;
  credentials: CredentialSource;
  /** Called with the venue order ids an event touched. */
  onOrderTouched: (userId: string, venueOrderIds: string[]) => void;
  pingMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Errors worth a log line (never contains secrets). */
  onError?: (userId: string, message: string) => void;
}

interface Conn {
  ws: WebSocket | null;
  ping: ReturnType<typeof setInterval> | null;
  retry: ReturnType<typeof setTimeout> | null;
  attempts: number;
  stopped: boolean;
}

export class PolymarketUserStream {
  private readonly conns = new Map<string, Conn>();

  constructor(private readonly opts: UserStreamOptions) {}

  /** Starts (idempotently) following a user's orders. */
  watch(userId: string): void {
    if (this.conns.has(userId)) return;
    const conn: Conn = { ws: null, ping: null, retry: null, attempts: 0, stopped: false };
    this.conns.set(userId, conn);
    void this.connect(userId, conn);
  }

  unwatch(userId: string): void {
    const conn = this.conns.get(userId);
    if (!conn) return;
    this.conns.delete(userId);
    this.stop(conn);
  }

  /** Users with an open socket (subscribed). */
  get openCount(): number {
    return [...this.conns.values()].filter((c) => c.ws?.readyState === WebSocket.OPEN).length;
  }

  close(): void {
    for (const [userId] of this.conns) this.unwatch(userId);
  }

  private stop(conn: Conn): void {
    conn.stopped = true;
    if (conn.ping) clearInterval(conn.ping);
    if (conn.retry) clearTimeout(conn.retry);
    conn.ws?.close();
  }

  private async connect(userId: string, conn: Conn): Promise<void> {
    if (conn.stopped) return;
    let auth: { apiKey: string; secret: string; passphrase: string } | null = null;
    try {
      const creds = await this.opts.credentials.polymarket(userId);
      if (creds?.apiCreds) auth = { apiKey: creds.apiCreds.key, secret: creds.apiCreds.secret, passphrase: creds.apiCreds.passphrase };
    } catch (err) {
      this.opts.onError?.(userId, `credentials unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return this.reconnect(userId, conn);
    }
    if (!auth) {
      this.unwatch(userId);
      return;
    }
    if (conn.stopped) return;
    const ws = new WebSocket(`${this.opts.wsUrl.replace(/\/+$/, '')}/user`);
    conn.ws = ws;
    let subscribe: string | null = JSON.stringify({ auth, markets: [], type: 'user' });
    auth = null;
    ws.onopen = () => {
      if (subscribe) ws.send(subscribe);
      subscribe = null;
      conn.attempts = 0;
      conn.ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('PING'), this.opts.pingMs ?? 10_000);
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string' || ev.data === 'PONG') return;
      this.handle(userId, ev.data);
    };
    ws.onerror = () => {
      this.opts.onError?.(userId, 'user channel error');
    };
    ws.onclose = (ev) => {
      subscribe = null;
      // 1008 = the venue refused the subscription (bad or revoked credentials): retry slowly, not in a loop.
      if (ev.code === 1008) {
        conn.attempts = 30;
        this.opts.onError?.(userId, 'user channel refused the credentials');
      }
      if (conn.ping) clearInterval(conn.ping);
      conn.ping = null;
      if (conn.ws === ws) conn.ws = null;
      this.reconnect(userId, conn);
    };
  }

  private reconnect(userId: string, conn: Conn): void {
    if (conn.stopped || this.conns.get(userId) !== conn) return;
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** conn.attempts) * (0.75 + Math.random() * 0.5);
    conn.attempts += 1;
    conn.retry = setTimeout(() => void this.connect(userId, conn), delay);
  }

  private handle(userId: string, text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const ids = new Set<string>();
    for (const item of Array.isArray(json) ? json : [json]) {
      const parsed = channelEventSchema.safeParse(item);
      if (!parsed.success) continue;
      const e = parsed.data;
      if (e.event_type === 'order') ids.add(e.id);
      else {
        if (e.taker_order_id) ids.add(e.taker_order_id);
        for (const m of e.maker_orders ?? []) ids.add(m.order_id);
      }
    }
    if (ids.size > 0) this.opts.onOrderTouched(userId, [...ids]);
  }
}
