/**
 * Kalshi's authenticated WebSocket `fill` channel for one API key, with reconnect and backoff.
 *
 * Handshake: GET wss://…/trade-api/ws/v2 with the KALSHI-ACCESS-* headers signed over
 * `ts + "GET" + "/trade-api/ws/v2"`. Then `{ id, cmd: "subscribe", params: { channels: ["fill"] } }`;
 * frames are `{ type, sid, seq, msg }`. The key is fetched again for every (re)connect through
 * `headers()`, so the stream never holds key material between connections.
 */
import { z } from 'zod';
import { decimalText } from './wire.ts';

/*
 * Sample fill frame:
 * { "type": "fill", "sid": 1, "seq": 7, "msg": { "trade_id": "t-5a0e…", "order_id": "ee4b5f6c-…",
 *   "market_ticker": "KXFED-26DEC-H0", "is_taker": false, "side": "yes", "action": "buy",
 *   "yes_price_dollars": "0.4500", "count_fp": "2.00", "client_order_id": "yn-…-y", "ts": 1795942800 } }
 */
export const fillFrame = z.object({
  type: z.literal('fill'),
  sid: z.number().nullish(),
  seq: z.number().nullish(),
  msg: z.looseObject({
    trade_id: z.string().nullish(),
    order_id: z.string().min(1),
    market_ticker: z.string().nullish(),
    client_order_id: z.string().nullish(),
    count_fp: decimalText.nullish(),
    yes_price_dollars: decimalText.nullish(),
  }),
});
export type FillFrame = z.infer<typeof fillFrame>;

/* Sample other frames: { "id": 1, "type": "subscribed", "msg": { "channel": "fill", "sid": 1 } },
   { "id": 1, "type": "error", "msg": { "code": 9, "msg": "Authentication required" } }. */
const anyFrame = z.looseObject({ type: z.string(), id: z.number().nullish(), msg: z.unknown().optional() });

/** The WebSocket URL next to a REST base: …/trade-api/v2 → ws(s)://…/trade-api/ws/v2. */
export function kalshiWsUrl(apiUrl: string): string {
  const u = new URL(apiUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/trade-api\/v2\/?$/, '/trade-api/ws/v2');
  return u.toString();
}

export const KALSHI_WS_PATH = '/trade-api/ws/v2';

/** Node's (undici's) WebSocket takes handshake headers; the DOM typing in scope does not say so. */
type NodeWebSocket = new (url: string, init: { headers: Record<string, string> }) => WebSocket;

export interface KalshiFillStreamOptions {
  url: string;
  /** Signed handshake headers for `GET /trade-api/ws/v2`, or null when the account is no longer linked (stops). */
  headers: () => Promise<Record<string, string> | null>;
  onFill: (frame: FillFrame) => void;
  onState?: (state: 'connected' | 'disconnected' | 'stopped', detail?: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class KalshiFillStream {
  private ws: WebSocket | null = null;
  private stopped = false;
  private backoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  /** Connections opened so far (for tests and health). */
  connects = 0;

  constructor(private readonly opts: KalshiFillStreamOptions) {
    this.backoffMs = opts.initialBackoffMs ?? 500;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
    this.opts.onState?.('stopped');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let headers: Record<string, string> | null;
    try {
      headers = await this.opts.headers();
    } catch (err) {
      return this.retry(err instanceof Error ? err.message : 'credentials unavailable');
    }
    if (!headers) return this.stop();
    if (this.stopped) return;
    this.connects += 1;
    const ws = new (WebSocket as unknown as NodeWebSocket)(this.opts.url, { headers });
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['fill'] } }));
    ws.onmessage = (ev) => this.onMessage(String(ev.data));
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      this.retry('connection closed');
    };
    ws.onerror = () => {
      /* followed by close */
    };
  }

  private onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const frame = anyFrame.safeParse(json);
    if (!frame.success) return;
    if (frame.data.type === 'subscribed') {
      this.backoffMs = this.opts.initialBackoffMs ?? 500;
      this.opts.onState?.('connected');
      return;
    }
    if (frame.data.type === 'fill') {
      const fill = fillFrame.safeParse(json);
      if (fill.success) this.opts.onFill(fill.data);
    }
  }

  private retry(detail: string): void {
    if (this.stopped || this.timer) return;
    this.opts.onState?.('disconnected', detail);
    const wait = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, wait);
    this.timer.unref?.();
  }
}
