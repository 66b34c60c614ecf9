/**
 * The fake Kalshi's WebSocket side (`/trade-api/ws/v2`): the handshake must carry KALSHI-ACCESS-*
 * headers signed over `ts + "GET" + "/trade-api/ws/v2"` (else HTTP 401); `{ id, cmd: "subscribe",
 * params: { channels: ["fill"] } }` answers `{ id, type: "subscribed", msg: { channel, sid } }`, and
 * every later fill of that key's orders is pushed as `{ type: "fill", sid, seq, msg }`.
 *
 *   const ws = attachKalshiWs(fake);
 *   ws.dropAll();                        // close every connection (clients should reconnect)
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ONE } from '../../../core/money.ts';
import { FakeKalshiError, type FakeFill } from './engine.ts';
import type { FakeKalshi } from './server.ts';

export const WS_PATH = '/trade-api/ws/v2';

interface Conn {
  socket: WebSocket;
  keyId: string;
  sid: number | null;
  seq: number;
}

export interface FakeKalshiWs {
  /** Open, authenticated connections. */
  readonly connections: number;
  /** Open connections subscribed to the `fill` channel (fills are pushed to these only). */
  readonly subscribed: number;
  /** Handshakes refused (bad or missing signature). */
  readonly refused: number;
  dropAll(): void;
  /** Refuse the next N handshakes with 503 (venue trouble). */
  refuseNext(n: number): void;
}

export function attachKalshiWs(fake: FakeKalshi): FakeKalshiWs {
  const wss = new WebSocketServer({ noServer: true });
  const conns = new Set<Conn>();
  let refused = 0;
  let refuseNext = 0;

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // After an upgrade the HTTP server no longer listens for socket errors: a client resetting a
    // refused handshake must not crash the test process.
    socket.on('error', () => {});
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path !== WS_PATH) return void socket.destroy();
    if (refuseNext > 0) {
      refuseNext -= 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    let keyId: string;
    try {
      keyId = fake.verify(req, 'GET', path);
    } catch (err) {
      refused += 1;
      const msg = err instanceof FakeKalshiError ? err.message : 'unauthorized';
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { socket: ws, keyId, sid: null, seq: 0 };
      conns.add(conn);
      ws.on('error', () => {});
      ws.on('close', () => conns.delete(conn));
      ws.on('message', (data) => {
        let cmd: { id?: number; cmd?: string; params?: { channels?: string[] } };
        try {
          cmd = JSON.parse(String(data));
        } catch {
          return ws.send(JSON.stringify({ type: 'error', msg: { code: 1, msg: 'Unable to process message' } }));
        }
        if (cmd.cmd === 'subscribe' && cmd.params?.channels?.includes('fill')) {
          conn.sid = 1;
          ws.send(JSON.stringify({ id: cmd.id, type: 'subscribed', msg: { channel: 'fill', sid: 1 } }));
        } else ws.send(JSON.stringify({ id: cmd.id, type: 'error', msg: { code: 8, msg: 'Unknown channel name' } }));
      });
    });
  };
  fake.httpServer.on('upgrade', onUpgrade);

  const onFill = (f: FakeFill) => {
    for (const c of conns) {
      if (c.keyId !== f.keyId || c.sid === null) continue;
      const order = fake.engine.orders.get(f.orderId);
      c.seq += 1;
      c.socket.send(
        JSON.stringify({
          type: 'fill',
          sid: c.sid,
          seq: c.seq,
          msg: {
            trade_id: f.tradeId,
            order_id: f.orderId,
            market_ticker: f.ticker,
            client_order_id: order?.clientOrderId,
            is_taker: f.isTaker,
            side: f.legacy?.side ?? 'yes',
            action: f.legacy?.action ?? (f.bookSide === 'bid' ? 'buy' : 'sell'),
            yes_price_dollars: f.price.toFixed(4),
            no_price_dollars: ONE.sub(f.price).toFixed(4),
            count_fp: f.count.toFixed(2),
            ts: Math.floor(f.createdMs / 1000),
          },
        }),
      );
    }
  };
  fake.engine.fillListeners.add(onFill);

  return {
    get subscribed() {
      return [...conns].filter((c) => c.sid !== null).length;
    },
    get connections() {
      return conns.size;
    },
    get refused() {
      return refused;
    },
    dropAll() {
      for (const c of conns) c.socket.terminate();
    },
    refuseNext(n: number) {
      refuseNext += n;
    },
  };
}
