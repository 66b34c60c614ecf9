/**
 * PolymarketMarketStream message handling over an in-memory socket: both price_change formats,
 * array frames, snapshots keyed `buys`/`sells`, noise ignored, the NO book mirrored when no NO token,
 * a changed listing set reconnecting with the new subscription, and the 500-asset cap.
 */
import { describe, expect, it } from 'vitest';
import { PolymarketMarketStream, type WebSocketLike } from '../../core/markets/polymarket-stream.ts';

class MemSocket implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  private handlers: Record<string, ((ev: { data?: unknown }) => void)[]> = {};
  addEventListener(type: string, l: (ev: { data?: unknown }) => void): void {
    (this.handlers[type] ??= []).push(l);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    for (const l of this.handlers[type] ?? []) l({ data });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const px = (b: { price: { toFixed(): string } }[] | undefined) => (b ?? []).map((l) => l.price.toFixed());

function setup() {
  const sockets: MemSocket[] = [];
  const stream = new PolymarketMarketStream({
    url: 'ws://x/ws/market',
    quietMs: 10_000,
    pingMs: 10_000,
    connect: () => {
      const s = new MemSocket();
      sockets.push(s);
      return s;
    },
  });
  const changed: string[] = [];
  stream.onBooks((id) => changed.push(id));
  return { stream, sockets, changed };
}

describe('PolymarketMarketStream', () => {
  it('subscribes, applies snapshots and both price_change formats, ignores noise', async () => {
    const { stream, sockets, changed } = setup();
    stream.start();
    stream.track([{ venue: 'polymarket', venueMarketId: 'C1', yesTokenId: 'Y1', noTokenId: 'N1' }, { venue: 'polymarket', venueMarketId: 'C2', yesTokenId: 'Y2' }, { venue: 'kalshi', venueMarketId: 'K' }]);
    await sleep(5);
    const ws = sockets[0]!;
    ws.emit('open');
    const sub = JSON.parse(ws.sent[0]!) as { assets_ids: string[]; type: string };
    expect(sub.type).toBe('market');
    expect(sub.assets_ids.sort()).toEqual(['N1', 'Y1', 'Y2']);
    expect(stream.covers('C1')).toBe(false); // no snapshot yet

    // A change before any snapshot is ignored; then an array frame of snapshots (one with buys/sells keys).
    ws.emit('message', JSON.stringify({ event_type: 'price_change', market: 'C1', price_changes: [{ asset_id: 'Y1', price: '0.5', size: '1', side: 'BUY' }] }));
    ws.emit('message', JSON.stringify([
      { event_type: 'book', asset_id: 'Y1', bids: [{ price: '.40', size: '10' }, { price: '.41', size: '3' }], asks: [{ price: '.45', size: '5' }], timestamp: '1764400000000' },
      { event_type: 'book', asset_id: 'N1', buys: [{ price: '.55', size: '5' }], sells: [{ price: '.59', size: '10' }] },
      { event_type: 'book', asset_id: 'Y2', bids: [{ price: '0.10', size: '100' }], asks: [{ price: '0.12', size: '100' }] },
    ]));
    expect(stream.covers('C1')).toBe(true);
    expect(stream.covers('C2')).toBe(true);
    expect(changed).toEqual(['C1', 'C2']);
    const c1 = stream.books('C1')!;
    expect(px(c1.yes.bids)).toEqual(['0.41', '0.4']);
    expect(px(c1.no.asks)).toEqual(['0.59']);
    expect(c1.yes.timestamp.toISOString()).toBe(new Date(1764400000000).toISOString());
    // C2 has no NO token: its NO book mirrors YES.
    expect(px(stream.books('C2')!.no.bids)).toEqual(['0.88']);
    expect(px(stream.books('C2')!.no.asks)).toEqual(['0.9']);

    // Old format (asset_id on the event, `changes`), size 0 removes a level.
    ws.emit('message', JSON.stringify({ event_type: 'price_change', asset_id: 'Y1', changes: [{ price: '0.41', size: '0', side: 'BUY' }, { price: '0.44', size: '2', side: 'SELL' }] }));
    expect(px(stream.books('C1')!.yes.bids)).toEqual(['0.4']);
    expect(px(stream.books('C1')!.yes.asks)).toEqual(['0.44', '0.45']);

    // Noise: PONG, garbage, unknown events, unknown assets.
    const before = changed.length;
    for (const m of ['PONG', 'not json', JSON.stringify({ event_type: 'last_trade_price', asset_id: 'Y1', price: '0.44' }), JSON.stringify({ event_type: 'book', asset_id: 'ZZZ', bids: [], asks: [] })]) ws.emit('message', m);
    expect(changed.length).toBe(before);
    await stream.stop();
  });

  it('reconnects with the new subscription when the listing set changes, and caps it at 500 assets', async () => {
    const { stream, sockets } = setup();
    stream.start();
    stream.track([{ venue: 'polymarket', venueMarketId: 'C1', yesTokenId: 'Y1', noTokenId: 'N1' }]);
    await sleep(5);
    sockets[0]!.emit('open');
    stream.track([{ venue: 'polymarket', venueMarketId: 'C1', yesTokenId: 'Y1', noTokenId: 'N1' }]); // same set: no reconnect
    await sleep(5);
    expect(sockets).toHaveLength(1);
    const many = Array.from({ length: 300 }, (_, i) => ({ venue: 'polymarket' as const, venueMarketId: `C${i}`, yesTokenId: `Y${i}`, noTokenId: `N${i}` }));
    stream.track(many);
    await sleep(5);
    expect(sockets[0]!.closed).toBe(true);
    expect(sockets).toHaveLength(2);
    sockets[1]!.emit('open');
    expect(JSON.parse(sockets[1]!.sent[0]!).assets_ids).toHaveLength(500);
    expect(stream.covers('C299')).toBe(false); // beyond the cap: stays on polling
    await stream.stop();
  });

  it('a dropped connection uncovers its listings at once and reconnects', async () => {
    const { stream, sockets } = setup();
    stream.start();
    stream.track([{ venue: 'polymarket', venueMarketId: 'C1', yesTokenId: 'Y1' }]);
    await sleep(5);
    sockets[0]!.emit('open');
    sockets[0]!.emit('message', JSON.stringify({ event_type: 'book', asset_id: 'Y1', bids: [], asks: [] }));
    expect(stream.covers('C1')).toBe(true);
    sockets[0]!.emit('close');
    expect(stream.covers('C1')).toBe(false);
    await sleep(1_100); // first reconnect after 1 s
    expect(sockets).toHaveLength(2);
    await stream.stop();
  });
});
