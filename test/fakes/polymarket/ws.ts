/**
 * The fake CLOB's user WebSocket channel (`/ws/user`): the client subscribes with
 * `{ auth: { apiKey, secret, passphrase }, markets: [conditionIds], type: "user" }`, keeps alive with
 * the text "PING" (answered "PONG"), and receives `order` and `trade` events (arrays of objects, as
 * the venue sends them) for its own orders. Bad auth closes the socket.
 */
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiKeyRecord } from './auth.ts';
import type { ClobEngine, EngineEvent, FakeTrade, RestingOrder } from './engine.ts';

interface Sub {
  ws: WebSocket;
  apiKey: string;
  markets: Set<string>;
}

function orderEvent(type: string, o: RestingOrder): Record<string, unknown> {
  return {
    event_type: 'order', type, id: o.id, owner: o.owner, order_owner: o.owner, market: o.market, asset_id: o.tokenId, side: o.side,
    original_size: o.originalSize.toFixed(), size_matched: o.sizeMatched.toFixed(), price: o.price.toFixed(), outcome: o.outcome,
    associate_trades: o.associateTrades, timestamp: String(Date.now()),
  };
}

function tradeEvent(t: FakeTrade): Record<string, unknown> {
  return {
    event_type: 'trade', type: 'TRADE', id: t.id, taker_order_id: t.takerOrderId, market: t.market, asset_id: t.assetId, side: t.side,
    size: t.size.toFixed(), price: t.price.toFixed(), status: t.status, matchtime: String(t.matchTime), last_update: String(t.lastUpdate),
    outcome: t.outcome, owner: t.owner, trade_owner: t.owner, fee_rate_bps: t.feeRateBps.toFixed(), timestamp: String(Date.now()),
    maker_orders: t.makerOrders.map((m) => ({ order_id: m.orderId, owner: m.owner, matched_amount: m.matchedAmount.toFixed(), price: m.price.toFixed(), outcome: m.outcome, asset_id: t.assetId })),
  };
}

export class FakeUserChannel {
  private readonly wss: WebSocketServer;
  private readonly subs = new Set<Sub>();
  /** Subscriptions accepted so far (reconnects count again). */
  subscriptions = 0;
  /** "PING" keep-alives received. */
  pings = 0;
  private readonly onEngine = (e: EngineEvent) => this.dispatch(e);

  constructor(server: http.Server, private readonly engine: ClobEngine, private readonly apiKeys: Map<string, ApiKeyRecord>) {
    this.wss = new WebSocketServer({ server, path: '/ws/user' });
    this.wss.on('connection', (ws) => this.accept(ws));
    engine.listeners.add(this.onEngine);
  }

  /** Drops every connection (clients must reconnect and re-subscribe). */
  dropAll(): void {
    for (const s of this.subs) s.ws.terminate();
    this.subs.clear();
    for (const c of this.wss.clients) c.terminate();
  }

  get connected(): number {
    return this.subs.size;
  }

  async close(): Promise<void> {
    this.engine.listeners.delete(this.onEngine);
    this.dropAll();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket): void {
    let sub: Sub | null = null;
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === 'PING') {
        this.pings += 1;
        return void ws.send('PONG');
      }
      if (sub) return;
      let msg: { auth?: { apiKey?: string; secret?: string; passphrase?: string }; markets?: string[]; type?: string };
      try {
        msg = JSON.parse(text);
      } catch {
        return void ws.close(1008, 'invalid message');
      }
      const rec = msg.auth?.apiKey ? this.apiKeys.get(msg.auth.apiKey) : undefined;
      if (msg.type?.toLowerCase() !== 'user' || !rec || rec.secret !== msg.auth?.secret || rec.passphrase !== msg.auth?.passphrase) {
        return void ws.close(1008, 'unauthorized');
      }
      sub = { ws, apiKey: rec.apiKey, markets: new Set(msg.markets ?? []) };
      this.subs.add(sub);
      this.subscriptions += 1;
    });
    ws.on('close', () => {
      if (sub) this.subs.delete(sub);
    });
  }

  private dispatch(e: EngineEvent): void {
    for (const s of this.subs) {
      let payload: Record<string, unknown> | null = null;
      if (e.kind === 'order' && e.order.owner === s.apiKey) payload = orderEvent(e.type, e.order);
      if (e.kind === 'trade' && (e.trade.owner === s.apiKey || e.trade.makerOrders.some((m) => m.owner === s.apiKey))) payload = tradeEvent(e.trade);
      if (!payload) continue;
      if (s.markets.size > 0 && !s.markets.has(String(payload.market))) continue;
      s.ws.send(JSON.stringify([payload]));
    }
  }
}
